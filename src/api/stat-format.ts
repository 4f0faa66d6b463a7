// Rendering of HAProxy's stats fields (management.txt §9.1, §9.2) shared by `show stat` and
// `show info`: a field is a name, three tag letters (origin, nature, scope), a type and a value
// or nothing. CSV quotes only ambiguous text; the typed form prints one non-empty field a line;
// JSON names the tags in words. Formats checked against haproxy 2.6.12.

export type FieldType = 'u32' | 'u64' | 's32' | 's64' | 'str';

export interface Field {
  readonly pos: number;
  readonly name: string;
  /** Origin, nature, scope letters, e.g. 'MGP'. */
  readonly tags: string;
  readonly type: FieldType;
  /** undefined: the field is empty for this object. */
  readonly value: number | string | undefined;
}

const ORIGIN: Record<string, string> = { M: 'Metric', S: 'Status', K: 'Key', C: 'Config', P: 'Product' };
const NATURE: Record<string, string> = {
  A: 'Age', a: 'Avg', C: 'Counter', D: 'Duration', G: 'Gauge', L: 'Limit', M: 'Max', m: 'Min', N: 'Name', O: 'Output', R: 'Rate', T: 'Time',
};
const SCOPE: Record<string, string> = { C: 'Cluster', P: 'Process', S: 'Service', s: 'System' };

/** A CSV cell: quoted (quotes doubled) only when it holds a comma or a quote. */
export function csvCell(v: number | string | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function typedValue(f: Field): string {
  return `${f.tags}:${f.type}:${f.value}`;
}

export function jsonField(f: Field, head: string): string {
  const value = f.type === 'str' ? JSON.stringify(String(f.value)) : String(f.value);
  return (
    `{${head}"field":{"pos":${f.pos},"name":${JSON.stringify(f.name)}},"processNum":1,` +
    `"tags":{"origin":"${ORIGIN[f.tags[0]!]}","nature":"${NATURE[f.tags[1]!]}","scope":"${SCOPE[f.tags[2]!]}"},` +
    `"value":{"type":"${f.type}","value":${value}}}`
  );
}
