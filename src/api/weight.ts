// HAProxy's weight and maxconn arguments (`set weight`, `set server … weight`, `set maxconn
// server`): strtol() semantics and its exact messages, some of which HAProxy prints without a
// line end (so the answer is followed by a single empty line). Checked against haproxy 2.6.12.

import type { RuntimeBackend } from '../dataplane/compile.js';

/** strtol(): optional blanks and sign, digits; what follows is returned as `rest`. */
function strtol(s: string): { value: number; rest: string } | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(s);
  if (!m) return undefined;
  const v = Number(m[2]) * (m[1] === '-' ? -1 : 1);
  return { value: v, rest: s.slice(m[0].length) };
}

/** Whether the backend's algorithm can change weights at run time (HAProxy's BE_LB_PROP_DYN). */
export function dynamicWeights(be: RuntimeBackend): boolean {
  const a = be.balance.algorithm;
  if (a === 'static-rr') return false;
  const hashed = a === 'source' || a === 'uri' || a === 'url_param' || a === 'rdp-cookie' || a.startsWith('hdr');
  return !hashed || be.hashType.method === 'consistent';
}

/** The new user weight, or HAProxy's error text. */
export function parseWeight(text: string | undefined, initial: number, be: RuntimeBackend): { weight: number } | { error: string } {
  if (!text) return { error: 'Require <weight> or <weight%>.\n' };
  const n = strtol(text);
  if (!n) return { error: 'Empty weight string empty or preceded by garbage' };
  let w = n.value;
  if (n.rest === '%') {
    if (w < 0) return { error: 'Relative weight must be positive.\n' };
    w = Math.trunc((initial * Math.min(w, 25600)) / 100);
    if (w > 256) w = 256;
  } else if (w < 0 || w > 256) return { error: 'Absolute weight can only be between 0 and 256 inclusive.\n' };
  else if (n.rest !== '') return { error: 'Trailing garbage in weight string' };
  if (w !== 0 && w !== initial && !dynamicWeights(be)) {
    return { error: "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n" };
  }
  return { weight: w };
}

export function parseMaxconn(text: string | undefined): { maxconn: number } | { error: string } {
  if (!text) return { error: 'Require <maxconn>.\n' };
  const n = strtol(text);
  if (!n) return { error: 'maxconn string empty or preceded by garbage' };
  if (n.rest !== '') return { error: 'Trailing garbage in maxconn string' };
  // A C int: `-1` is kept and reads as 4294967295 in `show stat`.
  return { maxconn: n.value | 0 };
}
