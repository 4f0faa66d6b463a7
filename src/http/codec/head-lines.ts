// The header-line scanner shared by request and response heads.
//
// Rules (recorded against haproxy 2.6.12, see test/fixtures/http-hostile/corpus.json):
// - a line ends with CRLF or a bare LF; a CR not followed by LF anywhere is an error;
// - a name is one or more tchar followed directly by ':' (space/tab before ':', controls,
//   8-bit bytes, '(' '@' '/' '"' ... are errors);
// - a value is any bytes but CR and LF (NUL, DEL, other controls and 8-bit bytes pass),
//   stripped of leading and trailing SP/HTAB;
// - a line starting with SP/HTAB continues the previous header (obs-fold; joined with spaces),
//   but is an error when there is no previous header;
// - an empty line ends the head.

import { CR, LF, SP, HTAB, COLON, TCHAR } from './chars.js';
import type { HeaderList } from './headers.js';

export const NEED_MORE = -1;
export const BAD = -2;

let lastReason = '';

/** Why the last scan returned BAD. */
export function scanError(): string {
  return lastReason;
}

export function bad(reason: string): number {
  lastReason = reason;
  return BAD;
}

/**
 * Scans header lines from `pos` through the empty line that ends the head, appending entries
 * to `list`. Returns the offset just past that empty line, NEED_MORE, or BAD (see scanError).
 */
export function scanHeaderLines(buf: Buffer, pos: number, list: HeaderList): number {
  const len = buf.length;
  let c = 0;
  for (;;) {
    if (pos >= len) return NEED_MORE;
    c = buf[pos]!;
    if (c === CR) {
      if (pos + 1 >= len) return NEED_MORE;
      if (buf[pos + 1] === LF) return pos + 2;
      return bad('bare CR at the end of the head');
    }
    if (c === LF) return pos + 1;

    if (c === SP || c === HTAB) {
      // obs-fold: the line continues the previous header's value.
      const last = list.count - 1;
      if (last < 0) return bad('folded line before any header');
      let p = pos + 1;
      while (p < len) {
        c = buf[p]!;
        if (c === LF || c === CR) break;
        p++;
      }
      if (p >= len) return NEED_MORE;
      const eol = p;
      if (c === CR) {
        if (p + 1 >= len) return NEED_MORE;
        if (buf[p + 1] !== LF) return bad('bare CR in a header value');
        p += 2;
      } else p++;
      list._fold(last, eol);
      pos = p;
      continue;
    }

    const ns = pos;
    while (pos < len && TCHAR[buf[pos]!] === 1) pos++;
    if (pos >= len) return NEED_MORE;
    c = buf[pos]!;
    if (c !== COLON) {
      if (c === CR || c === LF) return bad('header line without colon');
      return bad(pos === ns ? 'invalid header line' : 'invalid character in header name');
    }
    if (pos === ns) return bad('empty header name');
    const ne = pos;
    pos++;
    while (pos < len && ((c = buf[pos]!) === SP || c === HTAB)) pos++;
    const vs = pos;
    // One pass for the line end and stray CRs: values are short, a JS loop beats two native
    // searches per line.
    while (pos < len) {
      c = buf[pos]!;
      if (c === LF || c === CR) break;
      pos++;
    }
    if (pos >= len) return NEED_MORE;
    let ve = pos;
    if (c === CR) {
      if (pos + 1 >= len) return NEED_MORE;
      if (buf[pos + 1] !== LF) return bad('bare CR in a header value');
      pos += 2;
    } else pos++;
    while (ve > vs && ((c = buf[ve - 1]!) === SP || c === HTAB)) ve--;
    list._pushRaw(ns, ne, vs, ve);
  }
}

/**
 * Skips the empty lines HAProxy tolerates before a start line (CRLF or bare LF). Returns the
 * offset of the first other byte, NEED_MORE, or BAD for a CR not followed by LF.
 */
export function skipLeadingEmptyLines(buf: Buffer): number {
  let p = 0;
  const len = buf.length;
  while (p < len) {
    const c = buf[p]!;
    if (c === LF) p++;
    else if (c === CR) {
      if (p + 1 >= len) return NEED_MORE;
      if (buf[p + 1] !== LF) return bad('bare CR before the start line');
      p += 2;
    } else return p;
  }
  return NEED_MORE;
}
