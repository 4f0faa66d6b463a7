// Message semantics read from a parsed header list: Content-Length / Transfer-Encoding
// framing, Connection tokens, and the headers the request/response checks need. Applies the
// normalisations HAProxy 2.6 performs (recorded against haproxy 2.6.12, see the corpus):
// - Content-Length: a comma list of identical values and repeated identical headers merge into
//   the first header (written as one number when it was a list); any empty element, sign,
//   space, non-digit, or differing value is an error;
// - Transfer-Encoding: elements across all TE headers in order; "chunked" must appear once and
//   last, else error; other codings before it are flagged (HAProxy answers 422 to requests,
//   502 to responses); when TE is present Content-Length headers are removed and the
//   connection is not kept alive;
// - Host: repeated headers with equal values (ASCII case-insensitive) merge into the first,
//   different values are an error.

import type { HeaderList } from './headers.js';

export type { Framing } from './types.js';
import { forEachListElement, strEqLower, trimOws } from './chars.js';

export interface HeadSemantics {
  /** Why the head is invalid, or null. */
  error: string | null;
  /** Content-Length value, or -1 when absent (or removed because TE is present). */
  contentLength: number;
  /** A Transfer-Encoding header was present. */
  te: boolean;
  /** Transfer-Encoding ends with (a single) chunked. */
  chunked: boolean;
  /** Transfer-Encoding lists codings other than chunked before it. */
  teOther: boolean;
  /** Content-Length and Transfer-Encoding were both present (Content-Length was dropped). */
  clAndTe: boolean;
  connClose: boolean;
  connKeepAlive: boolean;
  connUpgrade: boolean;
  /** Index of the first Upgrade / Host / Expect / Sec-WebSocket-Key / -Accept header, or -1. */
  upgradeIdx: number;
  hostIdx: number;
  expectIdx: number;
  wsKeyIdx: number;
  wsAcceptIdx: number;
}

const SEMANTICS: HeadSemantics = {
  error: null,
  contentLength: -1,
  te: false,
  chunked: false,
  teOther: false,
  clAndTe: false,
  connClose: false,
  connKeepAlive: false,
  connUpgrade: false,
  upgradeIdx: -1,
  hostIdx: -1,
  expectIdx: -1,
  wsKeyIdx: -1,
  wsAcceptIdx: -1,
};

/** Walks a Content-Length value's elements strictly; false when one is not a plain decimal. */
function parseContentLength(value: string, each: (n: number) => boolean): boolean {
  let start = 0;
  const len = value.length;
  for (;;) {
    let comma = value.indexOf(',', start);
    if (comma < 0) comma = len;
    let a = start;
    let b = comma;
    while (a < b && (value.charCodeAt(a) === 32 || value.charCodeAt(a) === 9)) a++;
    while (b > a && (value.charCodeAt(b - 1) === 32 || value.charCodeAt(b - 1) === 9)) b--;
    if (a === b) return false;
    let n = 0;
    for (let k = a; k < b; k++) {
      const d = value.charCodeAt(k) - 48;
      if (d < 0 || d > 9) return false;
      n = n * 10 + d;
      // HAProxy accepts up to 2^64 (and wraps just above it); numbers past 2^53 cannot be
      // counted exactly here, and no real body is that large, so they are refused.
      if (n > Number.MAX_SAFE_INTEGER) return false;
    }
    if (!each(n)) return false;
    if (comma >= len) return true;
    start = comma + 1;
  }
}

/**
 * Reads the framing and connection-relevant headers of `list`, applying HAProxy's merges
 * (edits `list` in place: duplicate CL/Host entries removed, CL removed when TE is present).
 * The result is the same object at every call: read it before analysing another head.
 */
export function analyzeHeaders(list: HeaderList): HeadSemantics {
  // One object per thread, reset here: both parsers read it before any other parse can run.
  const a = SEMANTICS;
  a.error = null;
  a.contentLength = -1;
  a.te = false;
  a.chunked = false;
  a.teOther = false;
  a.clAndTe = false;
  a.connClose = false;
  a.connKeepAlive = false;
  a.connUpgrade = false;
  a.upgradeIdx = -1;
  a.hostIdx = -1;
  a.expectIdx = -1;
  a.wsKeyIdx = -1;
  a.wsAcceptIdx = -1;
  let clIdx = -1;
  for (let i = 0; i < list.count; i++) {
    // Dispatch on the name length first so ordinary headers cost one comparison.
    switch (list.nameLength(i)) {
      case 4:
        if (list.nameIs(i, 'host')) {
          if (a.hostIdx < 0) a.hostIdx = i;
          else if (list.value(a.hostIdx).toLowerCase() !== list.value(i).toLowerCase()) {
            a.error = 'conflicting Host headers';
            return a;
          } else {
            list.deleteAt(i);
            i--;
          }
        }
        break;
      case 6:
        if (a.expectIdx < 0 && list.nameIs(i, 'expect')) a.expectIdx = i;
        break;
      case 7:
        if (a.upgradeIdx < 0 && list.nameIs(i, 'upgrade')) a.upgradeIdx = i;
        break;
      case 10:
        if (list.nameIs(i, 'connection')) {
          forEachListElement(list.value(i), (e) => {
            if (strEqLower(e, 'close')) a.connClose = true;
            else if (strEqLower(e, 'keep-alive')) a.connKeepAlive = true;
            else if (strEqLower(e, 'upgrade')) a.connUpgrade = true;
            return true;
          });
        }
        break;
      case 14:
        if (list.nameIs(i, 'content-length')) {
          // One plain number (the common case) is read from the received bytes: no string,
          // no list walk. A list's elements must all be the same number.
          let elems = 1;
          let bad = false;
          let ok = true;
          const plain = list.decimal(i);
          if (plain >= 0) {
            if (a.contentLength < 0) a.contentLength = plain;
            else bad = plain !== a.contentLength;
          } else {
            elems = 0;
            ok = parseContentLength(list.value(i), (n) => {
              elems++;
              if (a.contentLength < 0) a.contentLength = n;
              else if (n !== a.contentLength) bad = true;
              return !bad;
            });
          }
          if (!ok || bad) {
            a.error = bad ? 'conflicting Content-Length values' : 'invalid Content-Length';
            return a;
          }
          if (clIdx < 0) {
            clIdx = i;
            if (elems > 1) list.setValue(i, String(a.contentLength));
          } else {
            list.deleteAt(i);
            i--;
          }
        }
        break;
      case 17:
        if (list.nameIs(i, 'transfer-encoding')) {
          a.te = true;
          forEachListElement(list.value(i), (e) => {
            if (strEqLower(e, 'chunked')) {
              if (a.chunked) a.error = 'chunked applied twice';
              a.chunked = true;
            } else {
              if (a.chunked) a.error = 'chunked is not the last transfer coding';
              a.teOther = true;
            }
            return a.error === null;
          });
          if (a.error !== null) return a;
        } else if (a.wsKeyIdx < 0 && list.nameIs(i, 'sec-websocket-key')) a.wsKeyIdx = i;
        break;
      case 20:
        if (a.wsAcceptIdx < 0 && list.nameIs(i, 'sec-websocket-accept')) a.wsAcceptIdx = i;
        break;
      default:
        break;
    }
  }
  if (a.te) {
    if (clIdx >= 0) {
      list.deleteAt(clIdx);
      a.clAndTe = true;
      // Indexes recorded after the removed entry moved down by one.
      if (a.hostIdx > clIdx) a.hostIdx--;
      if (a.expectIdx > clIdx) a.expectIdx--;
      if (a.upgradeIdx > clIdx) a.upgradeIdx--;
      if (a.wsKeyIdx > clIdx) a.wsKeyIdx--;
      if (a.wsAcceptIdx > clIdx) a.wsAcceptIdx--;
    }
    a.contentLength = -1;
  }
  return a;
}

/** Trimmed value of entry `idx`, or null when idx < 0. */
export function valueAt(list: HeaderList, idx: number): string | null {
  return idx < 0 ? null : trimOws(list.value(idx));
}
