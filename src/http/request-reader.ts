// Waiting for one request head on a client connection, with HAProxy's timeouts: `timeout
// http-keep-alive` while a kept-alive connection idles between requests, `timeout
// http-request` (else `timeout client`) once a byte of the head is there or for a first
// request. A head that is refused or never completes is answered here (400, 408, …) and the
// connection ends.
//
// It is a small state machine rather than an async function because it runs once per
// keep-alive request: the session calls `next()`, which answers at once when the bytes are
// already buffered (pipelining), and awaits `client.more(waitMs())` itself only when they
// are not, so a request costs one promise instead of a chain of them.

import type { Wire, WaitResult } from './wire.js';
import { isMuxStatus, muxReply, streamReply } from './error-pages.js';
import { ChunkedDecoder } from './codec/chunked.js';
import { parseRequestHead } from './codec/request-head.js';
import type { RequestHead } from './codec/types.js';
import type { RuntimeFrontend } from '../dataplane/compile.js';
import type { HttpContext } from './context.js';
import { FC } from '../ipc/conn-gauges.js';

/** `next()` needs more bytes: await `client.more(waitMs())`, then call `after()`. */
export const NEED_MORE = Symbol('need more');

export class RequestReader {
  private first = true;
  /** When the head must be complete (Date.now() ms); 0 while the connection idles. */
  private deadline = 0;
  /**
   * Bytes already parsed without completing a head. The first bytes are parsed at once (a
   * request that is wrong from its first line is refused at once, as HAProxy does); after
   * that a head can only complete with a line feed, so a new parse waits for one (no
   * quadratic re-parsing of a trickled head).
   */
  private scanned = 0;
  private readonly reqTimeout: number;
  private readonly idleTimeout: number;

  constructor(
    private readonly client: Wire,
    private readonly fe: RuntimeFrontend,
    private readonly ctx: HttpContext,
  ) {
    const t = fe.timeouts;
    this.reqTimeout = t.httpRequest || t.client;
    this.idleTimeout = t.httpKeepAlive || this.reqTimeout;
  }

  /** Start waiting for the next request of the connection. */
  begin(first: boolean): void {
    this.first = first;
    this.scanned = 0;
    this.deadline = this.client.length > 0 || first ? Date.now() + this.reqTimeout : 0;
  }

  /** The head when it is complete; null when the connection ends (answered if need be). */
  next(): RequestHead | null | typeof NEED_MORE {
    const client = this.client;
    const buf = client.peek();
    const scanned = this.scanned;
    if (buf.length > scanned && (scanned === 0 || buf.indexOf(10, scanned) >= 0 || buf.length >= this.ctx.limits.maxHeadBytes)) {
      const r = parseRequestHead(buf, this.ctx.limits);
      if (r.state === 'done') {
        client.consume(r.consumed);
        // HAProxy parses what it already holds before forwarding anything: a bad chunk in
        // the bytes that came with the head is a 400, and nothing reaches a server.
        if (r.head.framing.kind === 'chunked' && client.length > 0 && 'error' in new ChunkedDecoder().push(client.peek())) {
          return this.refuse(muxReply(400));
        }
        return r.head;
      }
      if (r.state === 'error') return this.refuse(isMuxStatus(r.status) ? muxReply(r.status) : streamReply(r.status));
    }
    if (buf.length > 0 && this.deadline === 0) this.deadline = Date.now() + this.reqTimeout;
    this.scanned = buf.length;
    return NEED_MORE;
  }

  /** How long the next wait may last (0: no limit). */
  waitMs(): number {
    if (this.deadline === 0) return this.first ? this.reqTimeout : this.idleTimeout;
    return this.reqTimeout > 0 ? Math.max(1, this.deadline - Date.now()) : 0;
  }

  /** After a wait: null when the connection ends, else parse again with `next()`. */
  after(w: WaitResult): null | typeof NEED_MORE {
    if (w === 'timeout') {
      // A keep-alive connection that stays idle is closed silently; a started or first
      // request that does not complete in time gets HAProxy's 408.
      if (this.client.length === 0 && !this.first) return null;
      return this.refuse(muxReply(408));
    }
    // The client closed: what it sent last is parsed once more; a partial head is dropped
    // (nothing to forward, nothing to say).
    if (w !== 'data' && this.client.length === this.scanned) return null;
    return NEED_MORE;
  }

  /**
   * A request the HTTP/1 layer refused (400, 408, 422…): counted as a request, `ereq` and
   * 4xx as HAProxy does, answered, and the connection ends (the socket's end() sends the
   * answer first).
   */
  private refuse(reply: Buffer): null {
    const g = this.ctx.gauges;
    const fe = this.fe.index;
    g.count(fe, FC.REQ_TOTAL);
    g.count(fe, FC.ERR_REQ);
    g.count(fe, FC.HRSP_4XX);
    void this.client.write(reply, this.fe.timeouts.client);
    return null;
  }
}
