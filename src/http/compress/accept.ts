// The request side of compression: which algorithm the client's Accept-Encoding allows.
//
// Rules recorded against haproxy 2.6.12:
// - every Accept-Encoding header is read, each comma-separated element in order; an element is
//   a token, then optional ";"-separated parameters; the first "q=" parameter gives its weight
//   (lowercase "q" only: "Q=0" is no weight, so 1);
// - a weight is read as HAProxy reads it: a digit, then "." and up to three digits, capped at
//   1; anything else is 1 ("q=abc" counts as q=1);
// - an element only wins with a weight above the best so far: q=0 never wins, and of equal
//   weights the first element wins ("deflate, gzip" gives deflate, whatever the config order);
// - the token matches an algorithm's token ignoring case ("GZIP" works, "x-gzip" does not, and
//   "raw-deflate" is not a token: raw-deflate answers "deflate"); an element starting with "*"
//   takes the first algorithm of the list, which is the last one configured;
// - "Mozilla/4" user agents get nothing, unless they are MSIE 7 and later or MSIE 6 with SV1.

import type { HeaderList } from '../codec/headers.js';
import { TCHAR, SP, HTAB, forEachListElement, strEqLower } from '../codec/chars.js';
import type { Algo } from './algos.js';

const SEMI = 0x3b;
const STAR = 0x2a;

/**
 * The browsers HAProxy refuses to compress for: their "Mozilla/4" user agent announces old
 * Netscape-era decoders, except MSIE 7+ and MSIE 6 with XP SP2 ("SV1"). The offsets are
 * HAProxy's: "MSIE " at 25 and "SV1" at 51, as in "Mozilla/4.0 (compatible; MSIE 6.0; ...".
 */
export function refusedUserAgent(ua: string | undefined): boolean {
  if (ua === undefined || !ua.startsWith('Mozilla/4')) return false;
  if (ua.length < 31 || ua.slice(25, 30) !== 'MSIE ') return true;
  const v = ua.charCodeAt(30);
  // HAProxy compares a signed char: bytes above 0x7f count as below '6'.
  if (v < 0x36 || v > 0x7f) return true;
  return v === 0x36 && (ua.length < 54 || ua.slice(51, 54) !== 'SV1');
}

/** The algorithm the client prefers among `algos` (HAProxy's list order), or null. */
export function pickAlgo(algos: readonly Algo[], headers: HeaderList): Algo | null {
  let best: Algo | null = null;
  let bestQ = 0;
  for (const value of headers.getAll('accept-encoding')) {
    forEachListElement(value, (e) => {
      let t = 0;
      while (t < e.length && isToken(e.charCodeAt(t))) t++;
      const q = weight(e, t);
      if (q <= bestQ) return true;
      const token = e.slice(0, t);
      const hit = e.charCodeAt(0) === STAR ? algos[0] : algos.find((a) => strEqLower(token, a.token));
      if (hit) {
        best = hit;
        bestQ = q;
      }
      return true;
    });
  }
  return best;
}

/** The element's weight in thousandths, its parameters starting at `p`. */
function weight(e: string, p: number): number {
  for (;;) {
    while (p < e.length && isLws(e.charCodeAt(p))) p++;
    if (p >= e.length || e.charCodeAt(p) !== SEMI) return 1000;
    p++;
    while (p < e.length && isLws(e.charCodeAt(p))) p++;
    if (p >= e.length) return 1000;
    // HAProxy compares at most the bytes left, so a lone trailing "q" counts as "q=" (with
    // nothing after it, the weight is 1).
    if (e.startsWith('q=', p) || (p === e.length - 1 && e[p] === 'q')) return qvalue(e, p + 2);
    while (p < e.length && e.charCodeAt(p) !== SEMI) p++;
  }
}

/** HAProxy's q-value reader: "d", "d." or "d.ddd" (extra digits ignored), capped at 1000. */
function qvalue(s: string, p: number): number {
  let d = digit(s, p);
  if (d < 0) return 1000;
  let q = d * 1000;
  if (s[p + 1] === '.') {
    p += 2;
    for (const scale of [100, 10, 1]) {
      d = digit(s, p++);
      if (d < 0) break;
      q += d * scale;
    }
  }
  return Math.min(q, 1000);
}

function digit(s: string, p: number): number {
  const c = s.charCodeAt(p);
  return c >= 0x30 && c <= 0x39 ? c - 0x30 : -1;
}

function isToken(c: number): boolean {
  return c < 0x100 && TCHAR[c] === 1;
}

function isLws(c: number): boolean {
  return c === SP || c === HTAB;
}
