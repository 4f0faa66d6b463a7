// `show stat [{<iid>|<proxy>} <type> <sid>] [typed|json] [desc] [up|no-maint]`: HAProxy 2.6's
// CSV (header, then one line per object, each cell followed by a comma), typed and JSON forms.
// As in HAProxy, three words after `show stat` are always a filter (`show stat json desc up`
// answers "No such proxy."), and other unknown words are ignored.

import { LEVEL_OPER, err, type CliCall, type CommandImpl, type Answer } from './command.js';
import { CSV_HEADER, MARKER_INDEX, STAT_COLUMNS, type StatKind } from './stat-columns.js';
import { csvCell, jsonField, typedValue, type Field } from './stat-format.js';
import { statRows, type StatRow } from './stat-rows.js';

const KIND_BIT: Record<StatKind, number> = { F: 1, B: 2, S: 4 };
const OBJ_TYPE: Record<StatKind, string> = { F: 'Frontend', B: 'Backend', S: 'Server' };

/** HAProxy's atoi(): leading digits (with a sign), 0 when none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** The non-empty fields of a row, with typed positions (the `-` column is not counted). */
function fields(row: StatRow): Field[] {
  const out: Field[] = [];
  STAT_COLUMNS.forEach((c, i) => {
    if (i === MARKER_INDEX) return;
    const value = row.values[c.name];
    if (value === undefined) return;
    out.push({ pos: i < MARKER_INDEX ? i : i - 1, name: c.name, tags: c.kindTags?.[row.kind] ?? c.tags, type: c.type, value });
  });
  return out;
}

function csvLine(row: StatRow): string {
  return STAT_COLUMNS.map((c, i) => `${i === MARKER_INDEX ? '-' : csvCell(row.values[c.name])},`).join('') + '\n';
}

function showStat(call: CliCall): Answer {
  const a = call.args;
  let arg = 2;
  let bound: { iid: number; type: number; sid: number } | undefined;
  if (a[arg] && a[arg + 1] && a[arg + 2]) {
    const name = a[arg]!;
    const p = call.api.model.proxies.find((x) => x.name === name);
    const iid = p ? p.id : atoi(name);
    if (!iid) return err('No such proxy.\n');
    bound = { iid, type: atoi(a[arg + 1]!), sid: atoi(a[arg + 2]!) };
    arg += 3;
  }
  const opts = new Set(a.slice(arg));
  let rows = statRows(call.api, call.session.level >= LEVEL_OPER, opts.has('up') || opts.has('no-maint'));
  if (bound) {
    const b = bound;
    rows = rows.filter((r) => r.iid === b.iid && (b.type === -1 || (b.type & KIND_BIT[r.kind]) !== 0) && (r.kind !== 'S' || b.sid === -1 || r.sid === b.sid));
  }
  // `up` hides servers down for good: in maintenance, or stopped and not on their way up.
  const downForGood = (r: StatRow): boolean => {
    const f = r.facts!;
    return f.maint || (f.opState === 0 && (!f.checkEnabled || f.health === 0));
  };
  if (opts.has('up')) rows = rows.filter((r) => r.kind !== 'S' || !downForGood(r));
  if (opts.has('no-maint')) rows = rows.filter((r) => r.kind !== 'S' || !r.facts!.maint);

  if (opts.has('json')) {
    const objs = rows.map((r) => {
      const head = `"objType":"${OBJ_TYPE[r.kind]}","proxyId":${r.iid},"id":${r.sid},`;
      return `[${fields(r).map((fd) => jsonField(fd, head)).join(',')}]`;
    });
    return `[${objs.join(',')}]\n`;
  }
  if (opts.has('typed')) {
    return rows.map((r) => fields(r).map((fd) => `${r.kind}.${r.iid}.${r.sid}.${fd.pos}.${fd.name}.1:${typedValue(fd)}\n`).join('')).join('');
  }
  return CSV_HEADER + rows.map(csvLine).join('');
}

export const STAT_COMMANDS: readonly CommandImpl[] = [{ name: 'show stat', run: showStat }];
