// A request body as HAProxy's request buffer holds it, and the wait for it that `option
// http-buffer-request` and `balance url_param` (POST) ask for (HAProxy's
// http_wait_for_request_body). The body stays in the client's wire: nothing is copied or
// consumed here, the forwarder sends it afterwards as usual.
//
// Facts recorded against haproxy 2.6.12:
//  - the buffer holds the head and the body together, in HAProxy's internal form: the body
//    bytes it can hold are bufsize - maxrewrite - 85 (the head budget of ./codec/limits.ts)
//    minus the head's own footprint (method + URI + version + name + value + 8 per header),
//    minus 8, minus 8 more for a chunked body (15213 body bytes for
//    "POST /a HTTP/1.1" + host + content-length with the default tunables; 15177 for a chunked
//    "POST /abcdef" with three headers);
//  - the wait ends when the body is whole, when that room is full, or when the client closes;
//    it is bounded by the proxy's `timeout http-request` (counted from the start of the wait),
//    and by `timeout client` between reads; running out answers 408 and closes;
//  - a waited-for body with "Expect: 100-continue" gets HAProxy's own "HTTP/1.1 100
//    Continue", and the Expect header is not forwarded;
//  - without the wait, the rules see what came with the head (req.body_len 4 for a body
//    whose first 4 bytes arrived with it);
//  - req.body_size is the content-length, or for a chunked body the bytes received plus what
//    the current chunk still announces.

import type { Wire } from './wire.js';
import { ChunkedDecoder } from './codec/chunked.js';
import { DEFAULT_LIMITS, HEAD_COST_PER_HEADER, type HttpLimits } from './codec/limits.js';
import type { RequestHead } from './codec/types.js';
import type { RequestBody } from '../rules/runtime/txn.js';

const EMPTY: RequestBody = Object.freeze({ data: Buffer.alloc(0), size: 0 });

/** A request with no body bytes to wait for (none announced, or a zero content-length). */
export function bodyless(req: RequestHead): boolean {
  return req.framing.kind === 'none' || (req.framing.kind === 'length' && req.framing.length === 0);
}

/** How many body bytes the request buffer holds next to `req`'s head as it stands now. */
export function bodyRoom(req: RequestHead, limits: HttpLimits): number {
  const budget = limits.maxHeadCost ?? DEFAULT_LIMITS.maxHeadCost ?? 0;
  // "HTTP/1.x" counts 8, whatever the client wrote.
  let used = req.method.length + req.uri.length + 8;
  const h = req.headers;
  for (let i = 0; i < h.count; i++) used += h.name(i).length + h.value(i).length + HEAD_COST_PER_HEADER;
  const chunked = req.framing.kind === 'chunked' ? 8 : 0;
  return Math.max(0, budget - used - 8 - chunked);
}

/** The body bytes held in `client` (the request's head already consumed), at most `room`. */
export function heldBody(req: RequestHead, client: Wire, room: number): RequestBody {
  const f = req.framing;
  if (f.kind === 'length') {
    const buf = client.peek();
    return { data: buf.subarray(0, Math.min(f.length, buf.length, room)), size: f.length };
  }
  if (f.kind !== 'chunked') return EMPTY;
  const dec = new ChunkedDecoder();
  const r = dec.push(client.peek());
  if ('error' in r) return EMPTY;
  const data = r.data.length === 1 ? r.data[0]! : Buffer.concat(r.data);
  return { data: data.length > room ? data.subarray(0, room) : data, size: dec.bytesDecoded + dec.chunkLeft };
}

/**
 * How many of `client`'s buffered bytes make up the whole body, when all of it is there
 * (a chunked body up to its last chunk and trailers), else -1.
 */
export function wholeBodyBytes(req: RequestHead, client: Wire): number {
  const f = req.framing;
  if (f.kind === 'none') return 0;
  if (f.kind === 'length') return client.length >= f.length ? f.length : -1;
  if (f.kind !== 'chunked' || client.length === 0) return -1;
  const buf = client.peek();
  const r = new ChunkedDecoder().push(buf);
  return 'error' in r || !r.done ? -1 : buf.length - (r.rest?.length ?? 0);
}

/** Why a wait for the body ended: go on ('ready', also when the room is full), or not. */
export type BodyWait = 'ready' | 'closed' | 'timeout' | 'invalid';

const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

/**
 * Wait until the body is whole, the room is full or the client closes ('closed' when it
 * closed first, with the body incomplete). `timeoutMs` bounds the whole wait (0: none),
 * `idleMs` each read (the client timeout; 0: none).
 */
export async function waitForBody(req: RequestHead, client: Wire, limits: HttpLimits, timeoutMs: number, idleMs: number): Promise<BodyWait> {
  if (bodyless(req) || req.method === 'CONNECT') return 'ready';
  if (req.expectContinue) {
    // HAProxy answers the client itself and keeps the expectation from the server.
    req.expectContinue = false;
    req.headers.delete('expect');
    const w = client.write(CONTINUE, idleMs);
    if (w !== true && !(await w)) return 'closed';
  }
  const room = bodyRoom(req, limits);
  const f = req.framing;
  const dec = f.kind === 'chunked' ? new ChunkedDecoder() : null;
  let fed = 0;
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : 0;
  for (;;) {
    if (dec) {
      const buf = client.peek();
      if (buf.length > fed) {
        const r = dec.push(buf.subarray(fed));
        fed = buf.length;
        if ('error' in r) return 'invalid';
        if (r.done || dec.bytesDecoded >= room) return 'ready';
      }
    } else if (f.kind === 'length' && client.length >= Math.min(f.length, room)) return 'ready';
    if (client.ended || client.failed) return 'closed';
    const left = deadline > 0 ? deadline - Date.now() : 0;
    if (deadline > 0 && left <= 0) return 'timeout';
    const wait = left > 0 && idleMs > 0 ? Math.min(left, idleMs) : left > 0 ? left : idleMs;
    // 'end' and 'error' loop once more: what came with them is parsed first.
    if ((await client.more(wait)) === 'timeout') return 'timeout';
  }
}
