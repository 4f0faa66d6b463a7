// Per-worker idle server connections, per server slot (HAProxy's idle connection lists):
// a response that ends cleanly on a keep-alive server connection parks it here, and a later
// request to the same server may take it instead of connecting (`http-reuse`). An idle
// connection the server closes is dropped at once; an unused one is purged after
// `pool-purge-delay` (5 s, HAProxy's default).

import type net from 'node:net';
import { Wire, type ReadSink } from './wire.js';

export interface ServerConn {
  readonly sock: net.Socket;
  readonly wire: Wire;
  readonly slot: number;
  /** Requests sent on this connection so far. */
  uses: number;
  /** While parked: drops it from the idle list (kept to remove the listeners on take). */
  parked: (() => void) | null;
  /** Closed on purpose (`shutdown sessions`, on-marked-*): not the server's failure. */
  killed?: boolean;
}

const PURGE_DELAY_MS = 5000;

export class ServerPool {
  private readonly idle = new Map<number, ServerConn[]>();

  /** Take an idle connection to the server in `slot`, if one is still open. */
  take(slot: number): ServerConn | undefined {
    const list = this.idle.get(slot);
    while (list && list.length > 0) {
      const c = list.pop()!;
      unpark(c);
      if (!c.wire.failed && !c.wire.ended && c.wire.length === 0) return c;
      c.sock.destroy();
    }
    return undefined;
  }

  /** Park a connection whose last response ended cleanly. */
  put(c: ServerConn): void {
    if (c.wire.failed || c.wire.ended || c.wire.length > 0) {
      c.sock.destroy();
      return;
    }
    let list = this.idle.get(c.slot);
    if (!list) this.idle.set(c.slot, (list = []));
    list.push(c);
    const drop = (): void => {
      unpark(c);
      const i = list!.indexOf(c);
      if (i >= 0) list!.splice(i, 1);
      c.sock.destroy();
    };
    c.parked = drop;
    c.sock.setTimeout(PURGE_DELAY_MS);
    c.sock.on('timeout', drop);
    c.sock.on('close', drop);
  }

  /** Close the idle connections to one server (deleted at run time). */
  drop(slot: number): void {
    const list = this.idle.get(slot);
    if (!list) return;
    this.idle.delete(slot);
    for (const c of [...list]) c.sock.destroy();
  }

  /** Close every idle connection (worker stop). */
  close(): void {
    for (const list of this.idle.values()) for (const c of list) c.sock.destroy();
    this.idle.clear();
  }
}

function unpark(c: ServerConn): void {
  if (!c.parked) return;
  c.sock.setTimeout(0);
  c.sock.off('timeout', c.parked);
  c.sock.off('close', c.parked);
  c.parked = null;
}

export function serverConn(sock: net.Socket, slot: number, sink?: ReadSink): ServerConn {
  return { sock, wire: new Wire(sock, sink), slot, uses: 0, parked: null };
}
