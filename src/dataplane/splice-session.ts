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
//
// Memory: a spliced connection spends most of its life idle, and what JS keeps for it is most
// of what it costs (bench/idle-memory.ts; issue 3 allows 4 KiB). So a session is one object
// whose methods live on the prototype: it is the session loop's Connector, the live-sessions
// entry and the per-server kill handle at once, instead of a dozen closures and their
// contexts. The attempt is decided at 'connected' rather than at 'closed': the session loop's
// promises and suspended async frames are then let go while the connection lives, at the cost
// of one more event from the forwarder thread per connection.

import net from 'node:net';
import type { ForwardEvent, Forwarder, NativeAddon } from '../native/addon.js';
import { CNT } from '../ipc/server-table.js';
import { FC } from '../ipc/conn-gauges.js';
import type { RuntimeBackend, RuntimeFrontend, RuntimeListener, RuntimeServer } from './compile.js';
import { addressBytes, connect, departure, runSession, type Attempt, type Connector, type Departure, type SessionContext } from './tcp-session.js';
import type { ProxyHeader } from '../net/proxy-protocol.js';
import type { LiveEntry } from './live-sessions.js';
import type { Killable } from './server-sessions.js';
import { adoptHeader } from './accept-proxy.js';
import { formatIpv4, formatIpv6 } from '../rules/runtime/sample.js';
import { forward } from './tcp-forward.js';
import { logConnect, logsConnects } from '../log/connect-log.js';
import { fdEnds } from '../native/fd-ends.js';

export interface NativeContext extends SessionContext {
  readonly addon: NativeAddon;
  readonly forwarder: Forwarder;
}

// Attempt results, shared by every session (the session loop only reads them).
const CONNECTED: Attempt = Object.freeze({ ok: true });
const FAILED_AT_ONCE: Attempt = Object.freeze({ ok: false, immediate: true });
const FAILED_LATER: Attempt = Object.freeze({ ok: false, immediate: false });

/** `proxied`: the PROXY header the connection started with (already read off it). */
export function spliceSession(fd: number, fe: RuntimeFrontend, l: RuntimeListener, ctx: NativeContext, proxied?: ProxyHeader): Promise<void> {
  const s = new SplicedSession(fd, fe, l, ctx, proxied);
  ctx.live.add(s, fe.name);
  // A LOCAL / UNKNOWN header carries no addresses: the connection's own are logged.
  if (logsConnects(fe)) logConnect(fe, l, proxied?.endpoints ?? fdEnds(ctx.addon, fd));
  return runSession(fe, () => s.addressBytes(), ctx, s);
}

class SplicedSession implements Connector, LiveEntry, Killable {
  /** Ours while no attempt holds it (before, and after a connect error hands it back). */
  private clientFd: number;
  /** The forwarder's connection, -1 when it holds none. */
  private id = -1;
  /** The client has not been closed yet. */
  private open = true;
  private left = false;
  private killed = false;
  /** The client fd as a JS socket, once a server needed a PROXY header (see the top). */
  private js: net.Socket | null = null;
  // The forwarder attempt: its server's slot and how to free it (until 'closed'), and how to
  // decide it (until 'connected' or a failure).
  private slot = -1;
  private release: (() => void) | null = null;
  private decide: ((r: Attempt) => void) | null = null;
  /** A connect error before this time counts as immediate (HAProxy then waits before retrying). */
  private immediateUntil = 0;
  /** While the session waits in a queue: tells the wait that the session was ended. */
  private departing: (() => void) | null = null;

  constructor(
    fd: number,
    private readonly fe: RuntimeFrontend,
    private readonly l: RuntimeListener,
    private readonly ctx: NativeContext,
    private readonly proxied: ProxyHeader | undefined,
  ) {
    this.clientFd = fd;
  }

  // The session is its own kill handle and live entry: no object more per session.
  get handle(): Killable {
    return this;
  }

  get entry(): LiveEntry {
    return this;
  }

  /** Killed: a connect error already on its way back must not become a retry. */
  alive(): boolean {
    return this.open && !this.killed;
  }

  abort(): void {
    this.destroy();
  }

  kill(): void {
    this.killed = true;
    this.destroy();
  }

  /** The raw client fd cannot be watched from here: a kill (or abort) is what ends a queue wait. */
  gone(): Departure {
    const d = departure();
    this.departing = d.depart;
    return { promise: d.promise, cancel: () => void (this.departing = null) };
  }

  destroy(): void {
    const depart = this.departing;
    this.departing = null;
    depart?.();
    if (this.js) this.js.destroy(); // its 'close' leaves
    else if (this.id >= 0) this.ctx.forwarder.abort(this.id); // its 'closed' event will leave
    else {
      if (this.open) {
        this.open = false;
        this.ctx.addon.close(this.clientFd);
      }
      this.leave();
    }
  }

  /** `show sess`: the client behind the fd (or its PROXY header). */
  clientAddress(): { family: 4 | 6; address: string; port: number } | undefined {
    const e = this.proxied?.endpoints;
    if (e) return { family: e.family === 'IPv6' ? 6 : 4, address: e.src, port: e.srcPort };
    const js = this.js;
    if (js) return js.remoteAddress ? { family: js.remoteFamily === 'IPv6' ? 6 : 4, address: js.remoteAddress, port: js.remotePort ?? 0 } : undefined;
    try {
      const raw = this.ctx.addon.peerAddress(this.clientFd);
      const a = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
      const address = a.length === 4 ? formatIpv4(a) : formatIpv6(a);
      return { family: a.length === 4 ? 4 : 6, address, port: this.ctx.addon.peerPort(this.clientFd) };
    } catch {
      return undefined; // reset meanwhile
    }
  }

  /** The client's address for hashing (`balance source`). */
  addressBytes(): Uint8Array | undefined {
    const e = this.proxied?.endpoints;
    if (e) return addressBytes(e.src);
    try {
      return this.ctx.addon.peerAddress(this.clientFd);
    } catch {
      return undefined; // already reset by the client: the session will find out
    }
  }

  attempt(srv: RuntimeServer, be: RuntimeBackend, release: () => void): Attempt | Promise<Attempt> {
    if (srv.sendProxy || this.js) return this.viaJs(srv, be, release);
    const fe = this.fe;
    const tunnel = be.timeouts.tunnel;
    this.slot = srv.slot;
    this.release = release;
    this.immediateUntil = Date.now() + Math.min(1000, be.timeouts.connect || 1000);
    return new Promise<Attempt>((resolve) => {
      this.decide = resolve;
      try {
        this.id = this.ctx.forwarder.connect(
          this.clientFd,
          srv,
          {
            connectTimeoutMs: be.timeouts.connect,
            clientTimeoutMs: tunnel || fe.timeouts.client,
            serverTimeoutMs: tunnel || be.timeouts.server,
            tunnelTimeoutMs: tunnel,
            clientFinMs: fe.timeouts.clientFin,
            serverFinMs: be.timeouts.serverFin,
            keepAlive: be.serverKeepAlive,
            // Decides the attempt as soon as the server answers (see the top).
            notifyConnected: true,
          },
          this.onEvent.bind(this),
        );
      } catch {
        this.release = null; // the session loop frees the slot of a failed attempt
        this.settle(FAILED_AT_ONCE);
      }
    });
  }

  /** Decides the forwarder attempt once; the promise is not held after that. */
  private settle(r: Attempt): void {
    const decide = this.decide;
    this.decide = null;
    decide?.(r);
  }

  private onEvent(ev: ForwardEvent): void {
    if (ev.type === 'connected') return this.settle(CONNECTED);
    this.id = -1;
    if (ev.type === 'connect-error') {
      // The client fd comes back to us: the session loop may retry elsewhere (and frees the slot).
      this.clientFd = ev.clientFd;
      this.release = null;
      return this.settle(Date.now() < this.immediateUntil ? FAILED_AT_ONCE : FAILED_LATER);
    }
    this.open = false;
    const { ctx, fe, slot } = this;
    ctx.table.count(slot, ctx.worker, CNT.BYTES_IN, ev.bytesIn);
    ctx.table.count(slot, ctx.worker, CNT.BYTES_OUT, ev.bytesOut);
    // The frontend's bin/bout: spliced bytes go through unchanged, both ways.
    ctx.gauges.count(fe.index, FC.BYTES_IN, ev.bytesIn);
    ctx.gauges.count(fe.index, FC.BYTES_OUT, ev.bytesOut);
    this.leave();
    const release = this.release;
    this.release = null;
    release?.();
    // Closed without 'connected': the client left (or was killed) while connecting.
    this.settle(CONNECTED);
  }

  private leave(): void {
    if (this.left) return;
    this.left = true;
    this.ctx.live.delete(this);
    this.ctx.leave(this.fe, this.l);
  }

  /** The attempt through JS sockets: the client fd becomes a net.Socket (for good). */
  private async viaJs(srv: RuntimeServer, be: RuntimeBackend, release: () => void): Promise<Attempt> {
    const { fe, ctx } = this;
    if (!this.js) {
      const sock = new net.Socket({ fd: this.clientFd, allowHalfOpen: true, readable: true, writable: true });
      this.js = sock;
      sock.pause();
      if (this.proxied) adoptHeader(sock, this.proxied);
      sock.on('error', () => sock.destroy());
      sock.once('close', () => {
        this.open = false;
        ctx.gauges.count(fe.index, FC.BYTES_IN, sock.bytesRead);
        ctx.gauges.count(fe.index, FC.BYTES_OUT, sock.bytesWritten);
        this.leave();
      });
    }
    const client = this.js;
    const r = await connect(srv, be, undefined, client);
    if (!r.ok) return r;
    if (client.destroyed || this.killed) {
      r.socket.destroy();
      return FAILED_LATER;
    }
    forward({ client, server: r.socket, fe, be, ctx, slot: srv.slot, release, request: null, response: null });
    return CONNECTED;
  }
}
