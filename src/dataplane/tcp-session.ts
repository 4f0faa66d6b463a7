// One L4 session, in HAProxy's order: tcp-request connection and session rules, the
// frontend's tcp-request content rules (held bytes, inspect-delay: ./tcp-inspect.ts), content
// switching (use_backend / default_backend), the backend's content rules, use-server; then
// pick a server (balancer), wait for a slot if the server is full (server maxconn → queue,
// bounded by `timeout queue`), connect (bounded by `timeout connect`, `retries` times, the
// last retry redispatched to another server with `option redispatch`), then forward both
// ways (./tcp-forward.ts: tcp-response content rules first) with idle timeouts and
// half-close, and release the slot. Any error ends this session only; the worker goes on.

import { OBS, observeError, observeSuccess } from './observe.js';
import net from 'node:net';
import { CNT, SRV, type ServerTable } from '../ipc/server-table.js';
import { FC, type ConnGauges } from '../ipc/conn-gauges.js';
import type { Balancer, PickInput } from '../lb/types.js';
import type { BackendState, Txn } from '../rules/runtime/txn.js';
import type { TcpVerdict } from '../rules/runtime/verdict.js';
import { rdpCookieValue } from '../rules/runtime/fetches-payload.js';
import { serverAt, type RuntimeBackend, type RuntimeFrontend, type RuntimeListener, type RuntimeServer } from './compile.js';
import { HeldInput, inspect } from './tcp-inspect.js';
import { forward } from './tcp-forward.js';
import type { TcpProxyRules, TcpRuleSets } from './tcp-rules.js';
import { TcpTxn, type BufferLimits } from './tcp-txn.js';
import type { Killable, ServerSessions } from './server-sessions.js';
import type { LiveEntry, LiveRegistry } from './live-sessions.js';
import type { ReadSink } from '../http/wire.js';
import { adoptHeader, proxyHeaderFor, readHeader, readHeaderFromSink, refuseConnection } from './accept-proxy.js';
import { resetAfterFlush, resetNow } from './nolinger.js';
import { logConnect, logsConnects, socketEnds } from '../log/connect-log.js';
import type { BackendCounters } from '../ipc/backend-counters.js';
import { BE_COUNTER } from '../lb/types.js';

export interface SessionContext {
  readonly table: ServerTable;
  /** Frontend gauges and counters (src/ipc/conn-gauges.ts), shared by every thread. */
  readonly gauges: ConnGauges;
  readonly worker: number;
  balancer(be: RuntimeBackend): Balancer;
  backend(name: string): RuntimeBackend | undefined;
  /** Live sessions: a soft stop waits for them, a hard stop ends them, `show sess` lists them. */
  readonly live: LiveRegistry;
  /** Sessions by the server they are connected to (on-marked-down, `shutdown sessions server`). */
  readonly serverSessions: ServerSessions;
  /** A session of this frontend, accepted by `l`, ended (frees its maxconn slots); called once per session. */
  leave(fe: RuntimeFrontend, l: RuntimeListener): void;
  /** The backends' own counters (absent: not counted, as in unit tests' contexts). */
  readonly backendCounters?: BackendCounters;
}

/** What the JS TCP session needs beyond the shared loop: the proxies' TCP rules. */
export interface TcpContext extends SessionContext {
  readonly tcp: TcpRuleSets;
  readonly state: BackendState;
  readonly limits: BufferLimits;
}

/** Client address as bytes for hashing (IPv4-mapped IPv6 counts as IPv4, as in HAProxy). */
export function addressBytes(addr: string | undefined): Uint8Array | undefined {
  if (!addr) return undefined;
  const v4 = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  if (net.isIPv4(v4)) return Uint8Array.from(v4.split('.').map(Number));
  if (!net.isIPv6(addr)) return undefined;
  const [head, tail] = addr.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g || '0', 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/**
 * Wait until the server has a free slot, at most `timeoutMs` (0 = no limit); false as well
 * once the session ended while it waited (`shutdown session`, a client gone): it must not
 * take a slot, let alone connect with a client fd closed meanwhile, which on the spliced path
 * may already be a newer client's. A connector that can tell when its client goes (`gone`)
 * leaves the queue at that moment, as HAProxy drops an aborted stream from it (`show stat`
 * qcur); otherwise the departure is noticed at the next wake-up.
 */
async function acquireQueued(table: ServerTable, slot: number, timeoutMs: number, conn: Connector): Promise<boolean> {
  if (table.tryAcquire(slot)) return true;
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  table.add(slot, SRV.QUEUE, 1);
  // The runtime API's qmax: the longest this queue has been.
  table.noteQueue(slot, table.get(slot, SRV.QUEUE));
  const gone = conn.gone?.();
  try {
    for (;;) {
      const cur = table.get(slot, SRV.CUR_CONN);
      if (table.tryAcquire(slot)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      // Woken by release() on any thread (Atomics.notify on the CUR_CONN slot).
      const w = Atomics.waitAsync(table.i32, table.slot(slot, SRV.CUR_CONN), cur, left === Infinity ? undefined : left);
      if (w.async && (gone ? await Promise.race([w.value, gone.promise]) : await w.value) === GONE) return false;
      if (!conn.alive()) return false;
    }
  } finally {
    gone?.cancel();
    table.add(slot, SRV.QUEUE, -1);
  }
}

/** What `Connector.gone` settles with (Atomics.waitAsync settles with a string). */
const GONE = Symbol('gone');

/** The departure of a session's client, watched while it waits in a queue. */
export interface Departure {
  readonly promise: Promise<typeof GONE>;
  /** Stop watching (the wait ended otherwise). */
  cancel(): void;
}

/** A departure signalled by whoever holds `depart` (a session that can only be killed). */
export function departure(): Departure & { depart(): void } {
  let settle: (g: typeof GONE) => void = () => undefined;
  const promise = new Promise<typeof GONE>((resolve) => (settle = resolve));
  return { promise, cancel: () => undefined, depart: () => settle(GONE) };
}

/** A socket's departure: its 'close' (a destroy, a reset, both sides ended). */
export function socketGone(sock: net.Socket): Departure {
  const d = departure();
  if (sock.destroyed) d.depart();
  else sock.once('close', d.depart);
  return { promise: d.promise, cancel: () => void sock.off('close', d.depart) };
}

export type ConnectResult = { ok: true; socket: net.Socket } | { ok: false; immediate: boolean };

/**
 * Connect to `srv` of `be`: its connect timeout, and SO_KEEPALIVE with `option srvtcpka`.
 * `onread` reads the socket into a caller's buffer (HTTP wires) instead of 'data' events.
 * `client`: for a `send-proxy` server, whose addresses its PROXY header carries, written as
 * the connection's first bytes.
 */
export function connect(srv: RuntimeServer, be: RuntimeBackend, onread?: net.OnReadOpts, client?: net.Socket): Promise<ConnectResult> {
  const timeoutMs = be.timeouts.connect;
  return new Promise((resolve) => {
    const started = Date.now();
    const s = net.connect({ host: srv.host, port: srv.port, family: srv.family, allowHalfOpen: true, keepAlive: be.serverKeepAlive, onread });
    let timer: NodeJS.Timeout | undefined;
    const done = (r: ConnectResult): void => {
      if (timer) clearTimeout(timer);
      s.removeAllListeners('connect');
      s.removeAllListeners('error');
      resolve(r);
    };
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        s.destroy();
        done({ ok: false, immediate: false });
      }, timeoutMs);
    }
    s.once('connect', () => {
      if (srv.sendProxy && client) s.write(proxyHeaderFor(srv.sendProxy, client));
      done({ ok: true, socket: s });
    });
    s.once('error', () => {
      s.destroy();
      // HAProxy waits before retrying a connection that failed at once (refused).
      done({ ok: false, immediate: Date.now() - started < Math.min(1000, timeoutMs || 1000) });
    });
  });
}

/** The result of one connection attempt. On success the connector owns the slot's release. */
export type Attempt = { ok: true } | { ok: false; immediate: boolean };

/**
 * Connect the client to `srv` and, once connected, forward until the end, then call
 * `release()`. Resolves when the attempt is decided. `alive()` tells whether the client is
 * still there (a client gone while queued or connecting ends the session).
 */
export interface Connector {
  alive(): boolean;
  attempt(srv: RuntimeServer, be: RuntimeBackend, release: () => void): Attempt | Promise<Attempt>;
  /** Give up: close the client (no server could take it). */
  abort(): void;
  /** Watch for the client's departure while the session waits in a queue (see acquireQueued). */
  gone?(): Departure;
  /**
   * Ends the session now, server side included (HAProxy's stream_shutdown); attached to the
   * server while the session holds its slot. One object per client session, never per
   * request: what the per-server sets hold stays alive through minor GCs, and holding each
   * HTTP request's connector (and all it closes over) cost ~20% more CPU per keep-alive
   * request in GC (measured with wrk, 41 vs 52 CPU-µs/request).
   */
  readonly handle: Killable;
  /** The client's entry in the live sessions: `show sess` shows the server each attempt picks. */
  readonly entry?: LiveEntry;
}

/**
 * The shared L4 session loop: switching, server selection, queue, connect with retries and
 * redispatch. Used by both the JS path (net.Socket) and the native splice path (raw fds).
 */
export async function runSession(fe: RuntimeFrontend, clientAddress: () => Uint8Array | undefined, ctx: SessionContext, conn: Connector): Promise<void> {
  const be = fe.defaultBackend ? ctx.backend(fe.defaultBackend) : undefined;
  if (!be) return conn.abort();
  // Only hashing on the client address needs it: fetch it for that algorithm alone.
  await connectServer(be, be.balance.algorithm === 'source' ? () => ({ src: clientAddress() }) : NO_INPUT, ctx, conn, -1);
}

const NO_INPUT = (): PickInput => ({});

/**
 * Pick a server of `be` (or take `forced`, a slot chosen by `use-server`), wait for a slot in
 * its queue, connect with retries and redispatch; `conn.abort()` when nothing worked. Also
 * the HTTP engine's server step, once per request: when the pick has a free slot and the
 * connector answers at once (a kept-alive server connection), it all happens without a
 * promise and nothing is returned; otherwise the returned promise settles when it is decided.
 */
export function connectServer(be: RuntimeBackend, pickInput: () => PickInput, ctx: SessionContext, conn: Connector, forced: number): void | Promise<void> {
  let input: PickInput;
  let target: number;
  // A stream assigned to the backend (HAProxy's be cum_conn), server or not.
  ctx.backendCounters?.count(be.lbOffset, BE_COUNTER.SESSIONS);
  try {
    input = pickInput();
    target = forced >= 0 ? forced : ctx.balancer(be).select(input);
  } catch {
    return conn.abort();
  }
  if (target < 0) ctx.backendCounters?.count(be.lbOffset, BE_COUNTER.CONN_ERR); // no server
  if (target < 0 || !conn.alive()) return conn.abort();
  if (!ctx.table.tryAcquire(target)) return retryLoop(be, input, ctx, conn, target, 0, null);
  let first: Attempt | Promise<Attempt>;
  try {
    first = attemptOn(be, ctx, conn, target);
  } catch {
    return conn.abort();
  }
  if (first instanceof Promise) return first.then((r) => (r.ok ? undefined : retryLoop(be, input, ctx, conn, target, 0, r)), () => conn.abort());
  if (first.ok) return;
  return retryLoop(be, input, ctx, conn, target, 0, first);
}

/** One attempt on `slot`, whose connection slot the caller holds; on failure the slot is released. */
function attemptOn(be: RuntimeBackend, ctx: SessionContext, conn: Connector, slot: number): Attempt | Promise<Attempt> {
  ctx.table.count(slot, ctx.worker, CNT.CONN_TOTAL);
  const srv = serverAt(be, slot)!;
  const failed = (r: Attempt): Attempt => {
    if (!r.ok) {
      release();
      observeError(ctx.table, srv, OBS.L4_ERR);
    } else observeSuccess(ctx.table, srv, 4);
    return r;
  };
  // Attached while it holds the slot: from the attempt until release (or failure).
  ctx.serverSessions.attach(slot, conn.handle);
  if (conn.entry) ctx.live.route(conn.entry, be.name, srv.name, conn.handle);
  const release = (): void => {
    ctx.serverSessions.detach(slot, conn.handle);
    ctx.table.release(slot);
  };
  let pending: Attempt | Promise<Attempt>;
  try {
    pending = conn.attempt(srv, be, release);
  } catch (e) {
    release();
    throw e;
  }
  return pending instanceof Promise ? pending.then(failed, (e: unknown) => {
    release();
    throw e;
  }) : failed(pending);
}

/**
 * What follows a first attempt that did not succeed at once: `last` is its failure (null when
 * no slot was free yet, or it threw). Servers occupy consecutive slots in declaration order.
 */
async function retryLoop(be: RuntimeBackend, input: PickInput, ctx: SessionContext, conn: Connector, first: number, attempt: number, last: Attempt | null): Promise<void> {
  try {
    const lb = ctx.balancer(be);
    let target = first;
    let failure = last;
    for (;;) {
      if (failure && !failure.ok) {
        // The previous attempt on `target` failed (its slot is released): retry, redispatch.
        if (!conn.alive()) return conn.abort();
        if (attempt >= be.retries) {
          // Failed for good: one connection error for the server and the backend (HAProxy
          // counts the session, not each attempt).
          ctx.table.count(target, ctx.worker, CNT.CONN_ERR);
          ctx.backendCounters?.count(be.lbOffset, BE_COUNTER.CONN_ERR);
          return conn.abort();
        }
        attempt++;
        ctx.table.count(target, ctx.worker, CNT.RETRIES);
        // HAProxy pauses before retrying a connection that failed at once (refused).
        if (failure.immediate) await new Promise((res) => setTimeout(res, Math.min(1000, be.timeouts.connect || 1000)));
        // The last retry goes to another server when redispatch is on.
        if (be.redispatch && attempt === be.retries) {
          const other = lb.select(input, target);
          if (other >= 0 && other !== target) {
            ctx.table.count(target, ctx.worker, CNT.REDISPATCH);
            target = other;
          }
        }
      }
      if (target < 0 || !conn.alive()) return conn.abort();
      // A free slot is taken without waiting (the common case).
      if (!ctx.table.tryAcquire(target) && !(await acquireQueued(ctx.table, target, be.timeouts.queue, conn))) return conn.abort();
      const pending = attemptOn(be, ctx, conn, target);
      failure = pending instanceof Promise ? await pending : pending;
      if (failure.ok) return;
    }
  } catch {
    conn.abort();
  }
}

/** Close a refused client at once: HAProxy resets it (checked: the client sees ECONNRESET). */
function reset(sock: net.Socket): void {
  try {
    sock.resetAndDestroy();
  } catch {
    sock.destroy(); // not a TCP socket (unix@): no reset to send
  }
}

/**
 * A rejected session is closed with a FIN, not reset, even when the client already sent
 * bytes (haproxy 2.6.12): what it sent is read and dropped until it closes too.
 */
function closeGently(sock: net.Socket, timeoutMs: number): void {
  sock.on('data', () => undefined);
  sock.once('end', () => sock.destroy());
  sock.setTimeout(timeoutMs || 1000, () => sock.destroy());
  sock.end();
  sock.resume();
}

/**
 * A new client, in HAProxy's order: the frontend's tcp-request connection rules (on the real
 * addresses), then on an `accept-proxy` listener (or after `expect-proxy`) the PROXY header
 * (its addresses become the socket's, ./accept-proxy.ts), then the tcp-request session rules.
 * False when the client was refused (it is closed); a promise only while a header is awaited.
 * `sink`: the socket reads into it (HTTP); `proxied`: the header was already read (spliced
 * path, ./splice-session.ts).
 */
export function admitClient(
  sock: net.Socket,
  fe: RuntimeFrontend,
  l: RuntimeListener,
  rules: TcpProxyRules | undefined,
  txn: TcpTxn | undefined,
  gauges: ConnGauges,
  bufsize: number,
  sink?: ReadSink,
  proxied = false,
): boolean | Promise<boolean> {
  const r = rules?.rules;
  if (r && txn && r.has.tcpRequestConnection && r.tcpRequestConnection(txn).kind === 'reject') {
    gauges.count(fe.index, FC.DENIED_CONN);
    reset(sock);
    return false;
  }
  if ((!l.acceptProxy && !txn?.expectProxy) || proxied) return sessionRules(sock, fe, rules, txn);
  const reading = sink ? readHeaderFromSink(sock, sink, fe.timeouts.client, bufsize) : readHeader(sock, fe.timeouts.client, bufsize);
  return reading.then((o) => {
    if (!o.ok) {
      refuseConnection(sock, o.received);
      return false;
    }
    adoptHeader(sock, o.header);
    txn?.readAddresses(sock);
    return sessionRules(sock, fe, rules, txn);
  });
}

function sessionRules(sock: net.Socket, fe: RuntimeFrontend, rules: TcpProxyRules | undefined, txn: Txn | undefined): boolean {
  const r = rules?.rules;
  if (r && txn && r.has.tcpRequestSession && r.tcpRequestSession(txn).kind === 'reject') {
    closeGently(sock, fe.timeouts.client);
    return false;
  }
  return true;
}

/** A proxy's tcp-request content rules over the held request bytes, until they decide. */
function requestRules(rules: TcpProxyRules, txn: TcpTxn, held: HeldInput): Promise<TcpVerdict | null> {
  if (!rules.rules.has.tcpRequestContent) return Promise.resolve(CONTINUE);
  return inspect(held, rules.requestDelay, txn.l4, 'req', () => rules.rules.tcpRequestContent(txn));
}

const CONTINUE: TcpVerdict = { kind: 'continue' };

/**
 * Serve one accepted client connection in TCP mode with Node sockets. `proxied`: its PROXY
 * header was already read and adopted (a spliced frontend's connection with bytes behind it).
 */
export async function tcpSession(client: net.Socket, fe: RuntimeFrontend, l: RuntimeListener, ctx: TcpContext, proxied = false): Promise<void> {
  ctx.live.add(client, fe.name);
  client.on('error', () => client.destroy());
  client.once('close', () => {
    // The runtime API's bin/bout: all a client sent and received, rejected ones too.
    ctx.gauges.count(fe.index, FC.BYTES_IN, client.bytesRead);
    ctx.gauges.count(fe.index, FC.BYTES_OUT, client.bytesWritten);
    ctx.live.delete(client);
    ctx.leave(fe, l);
  });
  client.pause();
  const feRules = ctx.tcp.frontend(fe.name);
  if (!feRules) return void client.destroy();
  const txn = new TcpTxn(client, fe, ctx.state, ctx.limits);
  const admitted = admitClient(client, fe, l, feRules, txn, ctx.gauges, ctx.limits.bufsize, undefined, proxied);
  if (admitted === false || (admitted !== true && !(await admitted))) return;
  if (logsConnects(fe)) logConnect(fe, l, socketEnds(client));
  // With `option nolinger` every close of the client is a reset (./nolinger.ts).
  const drop = fe.noLinger ? (): void => resetAfterFlush(client) : (): void => void client.destroy();

  // While rules wait for data, `timeout client` still closes an idle client.
  const idle = (): void => (fe.noLinger ? resetNow(client) : void client.destroy());
  client.setTimeout(fe.timeouts.client);
  client.on('timeout', idle);
  const held = new HeldInput(client, txn.l4.limit);
  const rejected = (v: TcpVerdict | null): boolean => {
    if (v !== null && v.kind !== 'reject') return false;
    if (v) ctx.gauges.count(fe.index, FC.DENIED_REQ);
    drop();
    return true;
  };
  if (rejected(await requestRules(feRules, txn, held))) return;

  // Switching sees the bytes held so far, with the rules' final answers.
  held.expose(txn.l4, 'req', true);
  const name = feRules.rules.useBackend(txn);
  const be = name === null ? undefined : ctx.backend(name);
  if (!be) return drop();
  txn.backend = { name: be.name, id: be.id };
  const beRules = ctx.tcp.backend(be.name);
  // A listen section's rules ran once already, as the frontend's.
  if (beRules && beRules !== feRules) {
    if (rejected(await requestRules(beRules, txn, held))) return;
    held.expose(txn.l4, 'req', true);
  }
  client.off('timeout', idle);
  client.setTimeout(0);

  const forcedName = beRules?.rules.has.useServer ? beRules.rules.useServer(txn) : null;
  const forced = forcedName === null ? -1 : (be.servers.find((s) => s.name === forcedName)?.slot ?? -1);
  const pick = (): PickInput => {
    if (be.balance.algorithm === 'source') return { src: addressBytes(client.remoteAddress) };
    const cookie = beRules?.rdpCookie;
    if (cookie === undefined || cookie === null) return {};
    const v = rdpCookieValue(held.view(), cookie);
    return v === null ? {} : { key: Buffer.from(v, 'latin1') };
  };
  const response = beRules?.rules.has.tcpResponseContent ? { rules: beRules, txn } : null;
  await connectServer(be, pick, ctx, {
    alive: () => !client.destroyed,
    abort: drop,
    gone: () => socketGone(client),
    // Forwarding ends the server side when the client goes.
    handle: { kill: () => void client.destroy() },
    entry: client,
    async attempt(srv, backend, release) {
      const r = await connect(srv, backend, undefined, client);
      if (!r.ok) return r;
      if (client.destroyed) {
        r.socket.destroy();
        return { ok: false, immediate: false };
      }
      txn.server = { name: srv.name, id: srv.id };
      forward({ client, server: r.socket, fe, be: backend, ctx, slot: srv.slot, release, request: held, response });
      return { ok: true };
    },
  }, forced);
}
