// Per-worker server connections of the HTTP path, per server slot, kept as HAProxy 2.6 keeps
// its per-thread idle lists (srv_add_to_idle_list and the idle purge task in server.c):
//
// - A connection whose response ended cleanly is parked for reuse only while it is needed:
//   when this thread has no idle connection to the server yet (a reused one goes first), or
//   while used + idle stays within the estimated need plus `pool-low-conn`; never above
//   `pool-max-conn` idle for the server (all threads), never with `http-reuse never` or
//   `pool-purge-delay 0`. Otherwise it is closed at once.
// - Every `pool-purge-delay` (5 s) a server with idle connections closes half of those above
//   the need seen in the last period, and the estimate moves halfway towards that need.
// - A server connection the proxy closes while the server still holds it open is reset
//   (SO_LINGER 0, as HAProxy's FD_LINGER_RISK): the proxy keeps no TIME_WAIT, so a busy
//   connection rate does not make each connect() hunt for a free local port.
//
// - An idle connection the server closes (FIN or error) leaves at once; all of a server's go
//   when it enters maintenance (srv_cleanup_connections).
//
// Without this, a client connection rate under `http-reuse safe` (each session's first
// request on its own server connection) parked one idle connection per client until the
// purge delay: thousands of idle sockets, each closed with a FIN.
//
// One difference: a keep-alive client session keeps its server connection between requests
// (counted as used), where HAProxy parks it in the idle list after each response.

import type net from 'node:net';
import { Wire, type ReadSink } from './wire.js';
import { CNT, type ServerTable } from '../ipc/server-table.js';
import type { IdlePolicy } from '../dataplane/compile.js';

const USED = 0;
const IDLE = 1;
const GONE = 2;

export interface ServerConn {
  readonly sock: net.Socket;
  readonly wire: Wire;
  readonly slot: number;
  /** Requests sent on this connection so far (more than one: a "safe" idle connection). */
  uses: number;
  /** USED by an exchange, IDLE in the pool, or GONE. */
  state: number;
  /**
   * The connection may serve other sessions: the backend allows reuse (`http-reuse` other than
   * `never`) and it did not begin with a client's PROXY header (`send-proxy`: private).
   */
  readonly reusable: boolean;
  readonly policy: IdlePolicy;
  /** The slot's accounting this connection belongs to (a deleted server's is discarded). */
  readonly home: SlotConns;
  /** Closed on purpose (`shutdown sessions`, on-marked-*): not the server's failure. */
  killed?: boolean;
}

/** One server's connections on this thread. */
class SlotConns {
  readonly idle: ServerConn[] = [];
  /** Idle connections that already carried more than one request (HAProxy's safe list). */
  safe = 0;
  used = 0;
  /** Most connections used at once since the last purge (HAProxy's max_used_conns). */
  maxUsed = 0;
  /** Estimated connections needed (est_need_conns), as published in the table. */
  estNeed = 0;
  timer: NodeJS.Timeout | null = null;

  constructor(
    readonly slot: number,
    readonly policy: IdlePolicy,
  ) {}
}

/**
 * Close a server connection. Reset when the server has not closed its side: HAProxy marks
 * every outgoing connection FD_LINGER_RISK and clears it only on the server's FIN or an error.
 */
export function closeServerConn(sock: net.Socket, wire: Wire): void {
  if (sock.destroyed) return;
  wire.flush();
  if (wire.ended || wire.failed || sock.connecting) sock.destroy();
  else sock.resetAndDestroy();
}

export class ServerPool {
  private readonly slots = new Map<number, SlotConns>();
  /** Worker stopping: nothing is parked any more. */
  private closed = false;

  constructor(
    private readonly table: ServerTable,
    private readonly worker: number,
  ) {}

  private of(slot: number, policy: IdlePolicy): SlotConns {
    let s = this.slots.get(slot);
    if (!s) this.slots.set(slot, (s = new SlotConns(slot, policy)));
    return s;
  }

  /** A new connection to `slot`, connected and about to carry a request. */
  open(sock: net.Socket, slot: number, policy: IdlePolicy, reusable: boolean, sink?: ReadSink): ServerConn {
    const home = this.of(slot, policy);
    const c: ServerConn = { sock, wire: new Wire(sock, sink), slot, uses: 0, state: USED, reusable, policy, home };
    this.use(home);
    sock.once('close', () => this.gone(c));
    // An idle connection the server ends is useless: it leaves the pool now (HAProxy releases
    // it on read0), not when a request would find it or a purge would reach it.
    sock.once('end', () => {
      if (c.state === IDLE) this.evict(c);
    });
    return c;
  }

  /**
   * Whether `c` still belongs to the live accounting of its slot: false once its server was
   * deleted (the slot may serve another server now) or the worker is stopping.
   */
  current(c: ServerConn): boolean {
    return !this.closed && this.slots.get(c.slot) === c.home;
  }

  /** Take an idle connection to the server in `slot`, if one is still open. */
  take(slot: number): ServerConn | undefined {
    const s = this.slots.get(slot);
    if (!s) return undefined;
    while (s.idle.length > 0) {
      const c = s.idle.pop()!;
      this.countIdle(s, c, -1);
      if (!c.wire.failed && !c.wire.ended && c.wire.length === 0 && !c.sock.destroyed) {
        c.state = USED;
        this.use(s);
        return c;
      }
      c.state = GONE;
      closeServerConn(c.sock, c.wire);
    }
    return undefined;
  }

  /** An exchange is done with `c`: park it if HAProxy would, else close it. */
  put(c: ServerConn): void {
    if (c.state !== USED) return;
    if (!this.current(c)) {
      c.state = GONE;
      closeServerConn(c.sock, c.wire);
      return;
    }
    const s = c.home;
    const keep = c.reusable && !c.wire.failed && !c.wire.ended && c.wire.length === 0 && !c.sock.destroyed && this.wanted(s, c);
    // HAProxy's check counts this connection as used; it stops being used either way.
    s.used--;
    if (!keep) {
      c.state = GONE;
      closeServerConn(c.sock, c.wire);
      return;
    }
    c.state = IDLE;
    s.idle.push(c);
    this.countIdle(s, c, 1);
    if (!s.timer) this.armPurge(s);
  }

  /** Close the idle connections to one server (it enters maintenance); its estimates stay. */
  cleanup(slot: number): void {
    const s = this.slots.get(slot);
    if (s) for (const c of [...s.idle]) this.evict(c);
  }

  /**
   * Forget a deleted server: its connections may not serve the slot's next owner. Nothing is
   * written to the table: the control plane zeroes the slot before `add server` reuses it
   * (and refuses `del server` while idle connections remain, as HAProxy does).
   */
  forget(slot: number): void {
    const s = this.slots.get(slot);
    if (!s) return;
    this.slots.delete(slot);
    if (s.timer) clearTimeout(s.timer);
    for (const c of s.idle.splice(0)) {
      c.state = GONE;
      closeServerConn(c.sock, c.wire);
    }
  }

  /** Close every idle connection (worker stop: with a FIN, as an exiting HAProxy's do). */
  close(): void {
    this.closed = true;
    for (const s of this.slots.values()) {
      if (s.timer) clearTimeout(s.timer);
      for (const c of s.idle.splice(0)) {
        this.countIdle(s, c, -1);
        c.state = GONE;
        c.sock.destroy();
      }
    }
  }

  /** Take an idle connection out of its pool and close it. */
  private evict(c: ServerConn): void {
    const s = c.home;
    const i = s.idle.indexOf(c);
    if (i >= 0) s.idle.splice(i, 1);
    this.countIdle(s, c, -1);
    c.state = GONE;
    closeServerConn(c.sock, c.wire);
  }

  private use(s: SlotConns): void {
    s.used++;
    if (s.used > s.maxUsed) s.maxUsed = s.used;
    if (s.used > s.estNeed) this.setNeed(s, s.used);
  }

  private setNeed(s: SlotConns, v: number): void {
    this.table.count(s.slot, this.worker, CNT.G_NEED, v - s.estNeed);
    s.estNeed = v;
  }

  /** srv_add_to_idle_list's test, with this thread's lists and the server's idle total. */
  private wanted(s: SlotConns, c: ServerConn): boolean {
    const p = c.policy;
    if (p.purgeDelay <= 0) return false;
    if (p.maxIdle >= 0 && this.table.total(c.slot, CNT.G_IDLE) >= p.maxIdle) return false;
    const unsafe = s.idle.length - s.safe;
    if (s.safe === 0 && (c.uses > 1 || unsafe === 0)) return true;
    return s.used + s.idle.length <= Math.max(s.used, s.estNeed) + p.lowIdle;
  }

  /** A connection enters (+1) or leaves (-1) the idle list: the thread's and the table's counts. */
  private countIdle(s: SlotConns, c: ServerConn, delta: 1 | -1): void {
    this.table.count(c.slot, this.worker, CNT.G_IDLE, delta);
    // More than one request carried: HAProxy's "safe" list.
    if (c.uses > 1) {
      s.safe += delta;
      this.table.count(c.slot, this.worker, CNT.G_SAFE, delta);
    }
  }

  /** The socket closed (either side, any reason). */
  private gone(c: ServerConn): void {
    if (c.state === USED) {
      if (this.current(c)) c.home.used--;
    } else if (c.state === IDLE) {
      const s = c.home;
      const i = s.idle.indexOf(c);
      if (i >= 0) s.idle.splice(i, 1);
      this.countIdle(s, c, -1);
    }
    c.state = GONE;
  }

  private armPurge(s: SlotConns): void {
    s.timer = setTimeout(() => this.purge(s), s.policy.purgeDelay);
    s.timer.unref();
  }

  /** HAProxy's srv_cleanup_idle_conns for one server, on this thread. */
  private purge(s: SlotConns): void {
    s.timer = null;
    if (this.slots.get(s.slot) !== s || s.idle.length === 0) return;
    const exceed = s.used + s.idle.length - Math.max(s.maxUsed, s.estNeed);
    const toKill = exceed > 0 ? Math.ceil(exceed / 2) : 0;
    this.setNeed(s, Math.max((s.estNeed + s.maxUsed) >> 1, s.maxUsed));
    s.maxUsed = s.used;
    // The longest idle go first (take() reuses the most recent).
    for (const c of s.idle.splice(0, Math.min(toKill, s.idle.length))) {
      this.countIdle(s, c, -1);
      c.state = GONE;
      closeServerConn(c.sock, c.wire);
    }
    if (s.idle.length > 0) this.armPurge(s);
  }
}
