// Wire bytes of a reply produced by the rules (deny, return, redirect, tarpit) or by the
// session itself (502/503/504): HAProxy's built-in page, or the compiled message with its
// header lines in HAProxy's order.

import type { Reply } from '../rules/runtime/reply.js';
import { ERROR_PAGES, streamReply } from './error-pages.js';

export function replyBytes(r: Reply): Buffer {
  if (r.kind === 'builtin') return streamReply(r.status);
  let head = `HTTP/1.1 ${r.status} ${r.reason}\r\n`;
  for (const [n, v] of r.headers) head += `${n}: ${v}\r\n`;
  head += '\r\n';
  return r.body.length ? Buffer.concat([Buffer.from(head, 'latin1'), r.body]) : Buffer.from(head, 'latin1');
}

/** Whether the reply itself says the connection closes (the 400 and 408 pages). */
export function replyCloses(r: Reply): boolean {
  if (r.kind === 'builtin') return ERROR_PAGES.get(r.status)?.close === true;
  return r.headers.some(([n, v]) => n.toLowerCase() === 'connection' && /\bclose\b/i.test(v));
}
