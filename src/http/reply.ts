// Wire bytes of a reply produced by the rules (deny, return, redirect, tarpit) or by the
// session itself (502/503/504): HAProxy's built-in page, or the compiled message with its
// header lines in HAProxy's order.

import type { Reply } from '../rules/runtime/reply.js';
import { ERROR_PAGES, streamReply } from './error-pages.js';

/**
 * How the HTTP/1 layer marks the connection on a reply: `close` when it closes after it
 * (`connection: close`, unless an HTTP/1.0 status line already implies it), `keep-alive` for
 * an HTTP/1.0 client kept open, null for nothing to say. Appended after the reply's own headers.
 */
export type ReplyConnection = 'close' | 'keep-alive' | null;

export function replyBytes(r: Reply, conn: ReplyConnection = null): Buffer {
  if (r.kind === 'builtin') {
    const page = streamReply(r.status);
    if (conn === null || (conn === 'close' && ERROR_PAGES.get(r.status)?.close === true)) return page;
    // Insert before the blank line ending the head.
    const end = page.indexOf('\r\n\r\n');
    return Buffer.concat([page.subarray(0, end + 2), Buffer.from(`connection: ${conn}\r\n`, 'latin1'), page.subarray(end + 2)]);
  }
  const minor = r.versionMinor ?? 1;
  let head = `HTTP/1.${minor} ${r.status} ${r.reason}\r\n`;
  for (const [n, v] of r.headers) head += `${n}: ${v}\r\n`;
  if (conn === 'keep-alive' || (conn === 'close' && minor === 1)) head += `connection: ${conn}\r\n`;
  head += '\r\n';
  return r.body.length ? Buffer.concat([Buffer.from(head, 'latin1'), r.body]) : Buffer.from(head, 'latin1');
}

/** Whether the reply itself says the connection closes (the 400 and 408 pages). */
export function replyCloses(r: Reply): boolean {
  if (r.kind === 'builtin') return ERROR_PAGES.get(r.status)?.close === true;
  return r.headers.some(([n, v]) => n.toLowerCase() === 'connection' && /\bclose\b/i.test(v));
}
