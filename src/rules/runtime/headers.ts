// Header-value helpers with HAProxy's semantics:
//  - list headers (hdr(), hdr_cnt()) split on commas outside double quotes, each element
//    trimmed of spaces and tabs; empty elements count ("a,,b" has 3 values);
//  - full-line fetches (fhdr()) do not split;
//  - occurrence numbers: 1 is the first, -1 the last; beyond the count there is no value;
//  - header names are case-insensitive and HAProxy reports them lower-cased.
//  - cookies: "name=value" pairs separated by ';' (and ',' on request Cookie lines), spaces
//    around names and values ignored, quoted values kept with their quotes, pairs without '='
//    and names starting with '$' skipped; a Set-Cookie line only has one pair, its first.

import type { HeaderAccess } from './txn.js';

const isSpHt = (c: string | undefined): boolean => c === ' ' || c === '\t';

function trim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpHt(s[a])) a++;
  while (b > a && isSpHt(s[b - 1])) b--;
  return s.slice(a, b);
}

/** Positions of the commas that separate list elements (those outside quoted strings). */
export function listCommas(v: string): number[] {
  const at: number[] = [];
  let quoted = false;
  let pair = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (pair) pair = false;
    else if (quoted) {
      if (c === '\\') pair = true;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') at.push(i);
  }
  return at;
}

/** Split a list header value at commas outside quoted strings. */
export function splitList(v: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const i of listCommas(v)) {
    out.push(trim(v.slice(start, i)));
    start = i + 1;
  }
  out.push(trim(v.slice(start)));
  return out;
}

/** Every value of `name` (every header when null), split at commas unless `full`. */
export function headerValues(h: HeaderAccess, name: string | null, full: boolean): string[] {
  const lines: string[] = [];
  if (name === null) {
    for (let i = 0; i < h.count; i++) lines.push(h.value(i));
  } else {
    lines.push(...h.getAll(name));
  }
  if (full) return lines.map(trim);
  const out: string[] = [];
  for (const l of lines) out.push(...splitList(l));
  return out;
}

/** Occurrence `occ` of a list (1 = first, -1 = last). */
export function pickOccurrence<T>(values: readonly T[], occ: number): T | undefined {
  if (occ > 0) return values[occ - 1];
  if (occ < 0) return values[values.length + occ];
  return undefined;
}

export interface Cookie {
  readonly name: string;
  readonly value: string;
}

/** Parse one Cookie (list = true) or Set-Cookie (list = false) line. */
export function parseCookies(line: string, list: boolean): Cookie[] {
  const out: Cookie[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && isSpHt(line[i])) i++;
    const nameBeg = i;
    let nameEnd = i;
    let j = i;
    while (j < n) {
      const c = line[j];
      if (c === '=' || c === ';' || (list && c === ',')) break;
      j++;
      if (!isSpHt(c)) nameEnd = j;
    }
    const name = line.slice(nameBeg, nameEnd);
    let next: number;
    let value: string | null = null;
    if (j < n && line[j] === '=') {
      let vb = j + 1;
      while (vb < n && isSpHt(line[vb])) vb++;
      let k = vb;
      let quoted = false;
      for (; k < n; k++) {
        const c = line[k];
        if (quoted) {
          if (c === '"') quoted = false;
          continue;
        }
        if (c === '"' && k === vb) {
          quoted = true;
          continue;
        }
        if (c === ';' || (list && c === ',')) break;
      }
      let ve = k;
      while (ve > vb && isSpHt(line[ve - 1])) ve--;
      value = line.slice(vb, ve);
      next = k;
    } else {
      next = j;
    }
    if (value !== null && name[0] !== '$') out.push({ name, value });
    if (!list) break;
    i = next + 1;
  }
  return out;
}
