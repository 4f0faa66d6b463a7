// The Txn the rules engine reads and writes (src/rules/runtime/txn.ts), for one HTTP
// request on one client connection. Addresses are read from the socket once, lazily.

import type net from 'node:net';
import type { RuntimeFrontend } from '../dataplane/compile.js';
import type { BackendState, ProxyRef, RequestView, ResponseView, Txn } from '../rules/runtime/txn.js';
import type { Sample } from '../rules/runtime/sample.js';

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

  constructor(
    private readonly sock: net.Socket,
    fe: RuntimeFrontend,
    public req: RequestView,
    readonly state: BackendState,
  ) {
    this.frontend = { name: fe.name, id: fe.id };
    this.requestLine = { method: req.method, uri: req.uri, versionMinor: req.versionMinor };
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
