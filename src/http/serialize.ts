// Heads as HAProxy 2.6 writes them: the start line, then every header with its name in lower
// case (HAProxy's internal representation lower-cases names, and its HTTP/1 output does not
// restore the case), then the empty line. One string, one Buffer: the cheapest way out of V8.

import type { HeaderAccess } from '../rules/runtime/txn.js';

export function requestLine(r: { readonly method: string; readonly uri: string; readonly versionMinor: 0 | 1 }): string {
  return `${r.method} ${r.uri} HTTP/1.${r.versionMinor}`;
}

export function statusLine(r: { readonly status: number; readonly reason: string; readonly versionMinor: 0 | 1 }): string {
  return `HTTP/1.${r.versionMinor} ${r.status} ${r.reason}`;
}

export function headBytes(startLine: string, h: HeaderAccess): Buffer {
  let s = startLine + '\r\n';
  for (let i = 0; i < h.count; i++) s += h.name(i).toLowerCase() + ': ' + h.value(i) + '\r\n';
  return Buffer.from(s + '\r\n', 'latin1');
}
