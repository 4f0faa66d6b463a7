// The native L4 path: the client arrives as a raw fd (never wrapped in JS: one fd, one
// owner), the addon connects to the chosen server and moves bytes with splice(2) on the
// worker's own epoll thread. JS only runs the session loop (select, queue, retries) and
// hears 'connected' / 'connect-error' / 'closed'. Only frontends whose connections need no
// inspection come here (workers/serve.ts asks src/dataplane/tcp-rules.ts): no tcp-request
// rules, no use_backend, and a default backend without content rules, use-server or
// rdp-cookie balancing, and no `option nolinger` (the forwarder closes its own fds).
//
// Two things only JS can do are still possible here: a connection that arrived with a PROXY
// header (accept-proxy, read by ./accept-proxy.ts before) hashes on its addresses, and a
// server that expects a PROXY header (`send-proxy`, servers added at run time included) is
// reached through a JS socket made of the client fd at that attempt, forwarded by
// ./tcp-forward.ts: the forwarder cannot write bytes of its own first.

import net from 'node:net';
import type { Forwarder, NativeAddon } from '../native/addon.js';
import { CNT } from '../ipc/server-table.js';
import { FC } from '../ipc/conn-gauges.js';
import type { RuntimeBackend, RuntimeFrontend, RuntimeListener, RuntimeServer } from './compile.js';
import { addressBytes, connect, runSession, type Attempt, type SessionContext } from './tcp-session.js';
import type { ProxyHeader } from '../net/proxy-protocol.js';
import { adoptHeader } from './accept-proxy.js';
import { formatIpv4, formatIpv6 } from '../rules/runtime/sample.js';
import { forward } from './tcp-forward.js';

export interface NativeContext extends SessionContext {
  readonly addon: NativeAddon;
  readonly forwarder: Forwarder;
}

/** `proxied`: the PROXY header the connection started with (already read off it). */
export function spliceSession(fd: number, fe: RuntimeFrontend, l: RuntimeListener, ctx: NativeContext, proxied?: ProxyHeader): Promise<void> {
  let clientFd = fd;
  let alive = true;
  let id = -1;
  let left = false;
  let killed = false;
  /** The client fd as a JS socket, once a server needed a PROXY header (see the top). */
  let js: net.Socket | null = null;
  const leave = (): void => {
    if (left) return;
    left = true;
    ctx.live.delete(entry);
    ctx.leave(fe, l);
  };
  const entry = {
    destroy(): void {
      if (js) js.destroy(); // its 'close' leaves
      else if (id >= 0) ctx.forwarder.abort(id); // its 'closed' event will leave
      else {
        if (alive) {
          alive = false;
          ctx.addon.close(clientFd);
        }
        leave();
      }
    },
    /** `show sess`: the client behind the fd (or its PROXY header). */
    clientAddress(): { family: 4 | 6; address: string; port: number } | undefined {
      if (proxied?.endpoints) {
        const e = proxied.endpoints;
        return { family: e.family === 'IPv6' ? 6 : 4, address: e.src, port: e.srcPort };
      }
      if (js) return js.remoteAddress ? { family: js.remoteFamily === 'IPv6' ? 6 : 4, address: js.remoteAddress, port: js.remotePort ?? 0 } : undefined;
      try {
        const raw = ctx.addon.peerAddress(clientFd);
        const a = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
        const address = a.length === 4 ? formatIpv4(a) : formatIpv6(a);
        return { family: a.length === 4 ? 4 : 6, address, port: ctx.addon.peerPort(clientFd) };
      } catch {
        return undefined; // reset meanwhile
      }
    },
  };
  ctx.live.add(entry, fe.name);
  const clientAddress = (): Uint8Array | undefined => {
    if (proxied?.endpoints) return addressBytes(proxied.endpoints.src);
    try {
      return ctx.addon.peerAddress(clientFd);
    } catch {
      return undefined; // already reset by the client: the session will find out
    }
  };
  return runSession(fe, clientAddress, ctx, {
    entry,
    // Killed: a connect error already on its way back must not become a retry.
    alive: () => alive && !killed,
    abort: () => entry.destroy(),
    handle: {
      kill: () => {
        killed = true;
        entry.destroy();
      },
    },
    attempt(srv, be, release) {
      if (srv.sendProxy || js) return viaJs(srv, be, release);
      return new Promise((resolve) => {
        const started = Date.now();
        let decided = false;
        const decide = (r: { ok: true } | { ok: false; immediate: boolean }): void => {
          if (!decided) {
            decided = true;
            resolve(r);
          }
        };
        const tunnel = be.timeouts.tunnel;
        try {
          id = ctx.forwarder.connect(
            clientFd,
            { host: srv.host, port: srv.port, family: srv.family },
            {
              connectTimeoutMs: be.timeouts.connect,
              clientTimeoutMs: tunnel || fe.timeouts.client,
              serverTimeoutMs: tunnel || be.timeouts.server,
              tunnelTimeoutMs: tunnel,
              clientFinMs: fe.timeouts.clientFin,
              serverFinMs: be.timeouts.serverFin,
              // The session only needs to hear of failure or the end: one thread hop less.
              notifyConnected: false,
              keepAlive: be.serverKeepAlive,
            },
            (ev) => {
              if (ev.type === 'connected') return;
              if (ev.type === 'connect-error') {
                // The client fd comes back to us: the session loop may retry elsewhere.
                id = -1;
                clientFd = ev.clientFd;
                decide({ ok: false, immediate: Date.now() - started < Math.min(1000, be.timeouts.connect || 1000) });
              } else {
                id = -1;
                alive = false;
                ctx.table.count(srv.slot, ctx.worker, CNT.BYTES_IN, ev.bytesIn);
                ctx.table.count(srv.slot, ctx.worker, CNT.BYTES_OUT, ev.bytesOut);
                // The frontend's bin/bout: spliced bytes go through unchanged, both ways.
                ctx.gauges.count(fe.index, FC.BYTES_IN, ev.bytesIn);
                ctx.gauges.count(fe.index, FC.BYTES_OUT, ev.bytesOut);
                leave();
                // The connection is over (or never connected because the client left).
                release();
                decide({ ok: true });
              }
            },
          );
        } catch {
          decide({ ok: false, immediate: true });
        }
      });
    },
  });

  /** The attempt through JS sockets: the client fd becomes a net.Socket (for good). */
  async function viaJs(srv: RuntimeServer, be: RuntimeBackend, release: () => void): Promise<Attempt> {
    if (!js) {
      const sock = new net.Socket({ fd: clientFd, allowHalfOpen: true, readable: true, writable: true });
      js = sock;
      sock.pause();
      if (proxied) adoptHeader(sock, proxied);
      sock.on('error', () => sock.destroy());
      sock.once('close', () => {
        alive = false;
        ctx.gauges.count(fe.index, FC.BYTES_IN, sock.bytesRead);
        ctx.gauges.count(fe.index, FC.BYTES_OUT, sock.bytesWritten);
        leave();
      });
    }
    const client = js;
    const r = await connect(srv, be, undefined, client);
    if (!r.ok) return r;
    if (client.destroyed || killed) {
      r.socket.destroy();
      return { ok: false, immediate: false };
    }
    forward({ client, server: r.socket, fe, be, ctx, slot: srv.slot, release, request: null, response: null });
    return { ok: true };
  }
}
