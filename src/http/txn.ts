// The Txn the rules engine reads and writes (src/rules/runtime/txn.ts), for one HTTP
// request on one client connection. Addresses are read from the socket when asked for; the
// body fetches read what the client's wire holds of the body (./request-body.ts).

import type net from 'node:net';
import type { RuntimeFrontend } from '../dataplane/compile.js';
import type { BackendState, ProxyRef, RequestBody, RequestView, ResponseView, Txn } from '../rules/runtime/txn.js';
import type { Sample } from '../rules/runtime/sample.js';
import type { RequestHead } from './codec/types.js';
import { DEFAULT_LIMITS, type HttpLimits } from './codec/limits.js';
import { bodyRoom, heldBody } from './request-body.js';
import type { Wire } from './wire.js';

const NO_BODY: RequestBody = Object.freeze({ data: Buffer.alloc(0), size: 0 });

export class HttpTxn implements Txn {
  backend: ProxyRef | null = null;
  server: ProxyRef | null = null;
  res: ResponseView | null = null;
  readonly vars = new Map<string, Sample>();
  readonly ssl = false;
  readonly sni = null;
  readonly frontend: ProxyRef;
  readonly requestLine: { readonly method: string; readonly uri: string; readonly versionMinor: 0 | 1 };
  readonly now = Date.now;
  req: RequestView | null;
  /** Set once the body is on its way to the server: the request buffer no longer holds it. */
  bodyForwarded = false;

  constructor(
    private readonly sock: net.Socket,
    fe: RuntimeFrontend,
    private readonly head: RequestHead,
    readonly state: BackendState,
    /** The client's wire, whose buffer holds the body after the head (null: no body to read). */
    private readonly client: Wire | null = null,
    private readonly limits: HttpLimits = DEFAULT_LIMITS,
  ) {
    this.req = head;
    this.frontend = { name: fe.name, id: fe.id };
    this.requestLine = { method: head.method, uri: head.uri, versionMinor: head.versionMinor };
  }

  reqBody(): RequestBody {
    if (!this.client || this.bodyForwarded) return NO_BODY;
    return heldBody(this.head, this.client, bodyRoom(this.head, this.limits));
  }

  get src(): string {
    return unmap(this.sock.remoteAddress ?? '');
  }
  get srcPort(): number {
    return this.sock.remotePort ?? 0;
  }
  get dst(): string {
    return unmap(this.sock.localAddress ?? '');
  }
  get dstPort(): number {
    return this.sock.localPort ?? 0;
  }
  get family(): 4 | 6 {
    return this.src.includes(':') ? 6 : 4;
  }
}

/** IPv4-mapped IPv6 addresses are IPv4 addresses to HAProxy's fetches. */
function unmap(a: string): string {
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
