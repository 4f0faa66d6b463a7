// The Txn the rules engine reads and writes (src/rules/runtime/txn.ts) for one TCP-mode
// connection: its addresses, the frontend, the backend and server once chosen, variables,
// and the buffered payload (`l4`) the layer-6 fetches inspect.
//
// HTTP fetches work in TCP mode too, as in HAProxy 2.6 (its smp_prefetch_htx "raw mode"):
// the held request bytes are parsed as an HTTP/1 request head when a fetch asks. An
// incomplete head cannot decide yet (the rules wait, as for a short payload); an invalid one,
// or a full buffer without a head, just has no HTTP fields. The response is never parsed.

import type net from 'node:net';
import type { RuntimeFrontend } from './compile.js';
import type { BackendState, L4Content, ProxyRef, RequestView, ResponseView, Txn } from '../rules/runtime/txn.js';
import type { Sample } from '../rules/runtime/sample.js';
import { parseRequestHead, type HttpLimits } from '../http/codec/index.js';

/** What a channel may hold while rules inspect it (HAProxy keeps tune.maxrewrite free). */
export interface BufferLimits {
  readonly bufsize: number;
  readonly maxrewrite: number;
  /** HTTP head limits, for the HTTP fetches' view of the request bytes. */
  readonly http: HttpLimits;
}

export class TcpTxn implements Txn {
  backend: ProxyRef | null = null;
  server: ProxyRef | null = null;
  readonly res: ResponseView | null = null;
  readonly vars = new Map<string, Sample>();
  readonly ssl = false;
  readonly sni = null;
  readonly frontend: ProxyRef;
  readonly now = Date.now;
  readonly acceptTime = Date.now();
  src = '';
  srcPort = 0;
  dst = '';
  dstPort = 0;
  family: 4 | 6 = 4;
  readonly l4: L4Content;
  /**
   * Set by `tcp-request connection expect-proxy layer4` (its action is the rules engine's):
   * the connection is then read as an accept-proxy listener's (./tcp-session.ts admitClient).
   */
  expectProxy = false;
  /** The request bytes last parsed, and what they gave. */
  private parsed: Buffer | null = null;
  private head: RequestView | null | 'incomplete' = null;

  constructor(sock: net.Socket, fe: RuntimeFrontend, readonly state: BackendState, private readonly limits: BufferLimits) {
    this.frontend = { name: fe.name, id: fe.id };
    this.readAddresses(sock);
    const bufsize = limits.bufsize;
    // HAProxy caps the reserve at half a buffer.
    const limit = bufsize - Math.min(limits.maxrewrite, bufsize >> 1);
    this.l4 = { req: EMPTY, res: EMPTY, reqOpen: true, resOpen: true, final: true, miss: false, bufsize, limit };
  }

  /**
   * Read once (a socket reset later forgets its addresses, the rules must not), and again
   * after an accept-proxy header gave the socket the addresses it carried.
   */
  readAddresses(sock: net.Socket): void {
    this.src = unmapped(sock.remoteAddress);
    this.srcPort = sock.remotePort ?? 0;
    this.dst = unmapped(sock.localAddress);
    this.dstPort = sock.localPort ?? 0;
    this.family = this.src.includes(':') ? 6 : 4;
  }

  /** The held request bytes as an HTTP request head, when they are one. */
  get req(): RequestView | null {
    const l4 = this.l4;
    if (this.parsed !== l4.req) {
      this.parsed = l4.req;
      const r = l4.req.length === 0 ? null : parseRequestHead(l4.req, this.limits.http);
      this.head = r === null || r.state === 'incomplete' ? 'incomplete' : r.state === 'done' ? r.head : null;
    }
    if (this.head !== 'incomplete') return this.head;
    // More bytes may complete it, unless the buffer is full or the rules are final.
    if (l4.reqOpen && !l4.final) l4.miss = true;
    return null;
  }
}

const EMPTY = Buffer.alloc(0);

/** IPv4-mapped IPv6 addresses are IPv4 addresses to HAProxy's fetches. */
function unmapped(a: string | undefined): string {
  const s = a ?? '';
  return s.startsWith('::ffff:') && s.includes('.') ? s.slice(7) : s;
}
