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
// Without this, a client connection rate under `http-reuse safe` (each session's first
// request on its own server connection) parked one idle connection per client until the
// purge delay: thousands of idle sockets, each closed with a FIN.

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
  /** The backend allows reuse (`http-reuse` other than `never`). */
  readonly reusable: boolean;
  readonly policy: IdlePolicy;
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
  if (wire.ended || wire.failed || sock.connecting) sock.destroy();
  else sock.resetAndDestroy();
}

export class ServerPool {
  private readonly slots = new Map<number, SlotConns>();

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
    const c: ServerConn = { sock, wire: new Wire(sock, sink), slot, uses: 0, state: USED, reusable, policy };
    this.use(this.of(slot, policy));
    sock.once('close', () => this.gone(c));
    return c;
  }

  /** Take an idle connection to the server in `slot`, if one is still open. */
  take(slot: number): ServerConn | undefined {
    const s = this.slots.get(slot);
    if (!s) return undefined;
    while (s.idle.length > 0) {
      const c = s.idle.pop()!;
      this.leaveIdle(s, c);
      if (!c.wire.failed && !c.wire.ended && c.wire.length === 0) {
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
    const s = this.of(c.slot, c.policy);
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
    if (c.uses > 1) s.safe++;
    this.table.count(c.slot, this.worker, CNT.G_IDLE, 1);
    if (c.uses > 1) this.table.count(c.slot, this.worker, CNT.G_SAFE, 1);
    if (!s.timer) this.armPurge(s);
  }

  /** Close the connections to one server (deleted at run time): none may serve the slot's next owner. */
  drop(slot: number, graceful = false): void {
    const s = this.slots.get(slot);
    if (!s) return;
    this.slots.delete(slot);
    if (s.timer) clearTimeout(s.timer);
    for (const c of s.idle.splice(0)) {
      this.leaveIdle(s, c);
      c.state = GONE;
      if (graceful) c.sock.destroy();
      else closeServerConn(c.sock, c.wire);
    }
    this.table.count(slot, this.worker, CNT.G_NEED, -s.estNeed);
  }

  /** Close every idle connection (worker stop: with a FIN, as an exiting HAProxy's do). */
  close(): void {
    for (const slot of [...this.slots.keys()]) this.drop(slot, true);
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

  private leaveIdle(s: SlotConns, c: ServerConn): void {
    this.table.count(c.slot, this.worker, CNT.G_IDLE, -1);
    if (c.uses > 1) {
      s.safe--;
      this.table.count(c.slot, this.worker, CNT.G_SAFE, -1);
    }
  }

  /** The socket closed (either side, any reason). */
  private gone(c: ServerConn): void {
    const s = this.slots.get(c.slot);
    if (c.state === USED) {
      if (s) s.used--;
    } else if (c.state === IDLE && s) {
      const i = s.idle.indexOf(c);
      if (i >= 0) s.idle.splice(i, 1);
      this.leaveIdle(s, c);
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
      this.leaveIdle(s, c);
      c.state = GONE;
      closeServerConn(c.sock, c.wire);
    }
    if (s.idle.length > 0) this.armPurge(s);
  }
}
