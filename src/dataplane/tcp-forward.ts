// Forwarding one connected TCP session with Node sockets: what the request rules held back
// goes to the server first, then both directions are piped with idle timeouts (`timeout
// client`/`server`, or `timeout tunnel`; the -fin ones once a side has ended) and half-close.
// A backend's tcp-response content rules look at the server's first bytes before any reaches
// the client (./tcp-inspect.ts), the request side flowing meanwhile:
//  - accept, or no rule deciding: the held bytes go to the client, then the rest;
//  - reject: both connections close, the held response is dropped (counted as dresp);
//  - close: the server connection closes, the client gets the held bytes and then its FIN.
// Facts (haproxy 2.6.12, test/tcp-rules.test.ts): the response rules run once the server is
// connected, so without an inspect-delay they see no byte at all; only the first response
// bytes are inspected, never later ones.
// With `option nolinger` (./nolinger.ts) the frontend's closes of the client and the
// backend's of the server are resets, and a FIN to forward becomes one when HAProxy's would.

import type net from 'node:net';
import { CNT } from '../ipc/server-table.js';
import { FC } from '../ipc/conn-gauges.js';
import type { RuntimeBackend, RuntimeFrontend } from './compile.js';
import { HeldInput, inspect } from './tcp-inspect.js';
import type { TcpProxyRules } from './tcp-rules.js';
import type { TcpTxn } from './tcp-txn.js';
import type { SessionContext } from './tcp-session.js';
import { closeClientNoLinger, resetAfterFlush, resetNow } from './nolinger.js';

const EMPTY = Buffer.alloc(0);

export interface Forwarding {
  readonly client: net.Socket;
  readonly server: net.Socket;
  readonly fe: RuntimeFrontend;
  readonly be: RuntimeBackend;
  readonly ctx: SessionContext;
  readonly slot: number;
  /** Frees the server's connection slot; called once, when the session ends. */
  readonly release: () => void;
  /** Request bytes the rules held back (and whether the client already sent its FIN). */
  readonly request: HeldInput | null;
  /** The backend's tcp-response content rules, when it has some. */
  readonly response: { readonly rules: TcpProxyRules; readonly txn: TcpTxn } | null;
}

export function forward(f: Forwarding): void {
  const { client, server, fe, be, ctx, slot } = f;
  let closed = false;
  let clientEnded = false;
  let serverEnded = false;
  // After a tcp-response `close`: the server is gone, the client still gets what was held.
  let draining = false;
  const tunnel = be.timeouts.tunnel;
  const finish = (): void => {
    if (closed) return;
    closed = true;
    if (fe.noLinger) closeClientNoLinger(client, clientEnded, fe.timeouts.client);
    else client.destroy();
    // The backend's nolinger: a server that has not sent its FIN is reset.
    if (be.noLinger && !serverEnded) resetNow(server);
    else server.destroy();
    ctx.table.count(slot, ctx.worker, CNT.BYTES_IN, client.bytesRead);
    ctx.table.count(slot, ctx.worker, CNT.BYTES_OUT, server.bytesRead);
    f.release();
    ctx.live.delete(client);
  };
  const serverGone = (): void => {
    if (!draining) finish();
  };
  client.setTimeout(tunnel || fe.timeouts.client);
  server.setTimeout(tunnel || be.timeouts.server);
  client.on('timeout', finish);
  server.on('timeout', serverGone);
  client.on('error', finish);
  server.on('error', serverGone);
  client.on('close', finish);
  server.on('close', serverGone);
  const clientEnd = (): void => {
    clientEnded = true;
    if (!tunnel) client.setTimeout(fe.timeouts.clientFin);
    // A nolinger backend's first shutdown is a silent close: the client's FIN reaches a server
    // still sending as a reset (the pipe below does not end it then), unless it came in the
    // same read as the last bytes (haproxy 2.6.12 then sends them with a FIN).
    if (be.noLinger && !closed) {
      if (serverEnded || burst) server.end();
      else resetAfterFlush(server, be.timeouts.server);
    }
    if (serverEnded) finish();
  };
  const serverEnd = (): void => {
    serverEnded = true;
    if (!tunnel) server.setTimeout(be.timeouts.serverFin);
    // A nolinger frontend: the client gets the server's FIN, unless it sent its own (then the
    // close below resets it).
    if (fe.noLinger && !clientEnded && !closed) client.end();
    if (clientEnded) finish();
  };

  /**
   * Client bytes were just read (nolinger backends only): until the next loop turn has polled
   * once more without blocking (libuv stops at a short read and finds the EOF behind it only
   * then; a pending immediate keeps that poll from waiting), an EOF counts as read with them.
   */
  let burst = false;
  if (be.noLinger) {
    client.on('data', () => {
      if (burst) return;
      burst = true;
      setImmediate(() => setImmediate(() => (burst = false)));
    });
  }
  const held = f.request?.take() ?? EMPTY;
  if (f.request?.ended) {
    server.end(held);
    clientEnd();
  } else {
    if (held.length) server.write(held);
    client.pipe(server, { end: !be.noLinger });
    // A FIN that came with nothing buffered was already reported (a paused socket still emits
    // 'end' then); the pipe ends the server for it, the session must know too.
    if (client.readableEnded) clientEnd();
    else client.on('end', clientEnd);
  }

  /** Server to client from now on, after `first` (the bytes the response rules held). */
  const respond = (first: Buffer, ended: boolean): void => {
    if (ended) {
      // Ending both sides destroys the sockets: only once the held bytes are written.
      client.end(first, serverEnd);
      return;
    }
    if (first.length) client.write(first);
    server.on('end', serverEnd);
    server.pipe(client, { end: !fe.noLinger });
  };

  if (!f.response) respond(EMPTY, false);
  else {
    const { rules, txn } = f.response;
    const input = new HeldInput(server, txn.l4.limit);
    void inspect(input, rules.responseDelay, txn.l4, 'res', () => rules.rules.tcpResponseContent(txn)).then((v) => {
      if (closed) return;
      if (v === null) return finish();
      if (v.kind === 'reject') {
        ctx.gauges.count(fe.index, FC.DENIED_RESP);
        return finish();
      }
      if (v.kind === 'close') {
        draining = true;
        client.unpipe(server);
        server.destroy();
        client.setTimeout(fe.timeouts.clientFin);
        client.end(input.take(), finish);
        return;
      }
      respond(input.take(), input.ended);
    });
  }
  client.resume();
}
