// Connection gauges and counters per frontend, per listener and for the whole process, shared
// by every thread: the global, frontend and bind-line `maxconn` limits read them, the runtime
// API (`show stat`, `show info`, `set maxconn`) reads and tunes them. Entity 0 is the process,
// entity 1 + i the i-th frontend (in Runtime.frontends order), entity 1 + F + l the listener
// whose RuntimeListener.index is l (F frontends).
//
// Layout: an Int32 region of ENTITY_SLOTS per entity (gauges, maxima, limit overrides), then a
// BigInt64 region of FC_SLOTS per entity (cumulative counters, updated with Atomics.add by any
// thread: exact, no per-worker copies needed at these rates). Leaving notifies waiters on the
// process gauge, so a thread that stopped accepting at a limit resumes as soon as any thread
// frees a slot — or as soon as the operator raises the limit (`setLimit` notifies too).
//
// A second buffer counts, per worker thread, the slots its sessions hold (process, frontend,
// listener). A thread that dies gives nothing back itself: the main thread reclaims what it
// held before the replacement starts, so a crash does not shrink the limits for good.

/** Int32 index of the process's current connections (limiters wait on it). */
export const GAUGE_GLOBAL = 0;

/** Int32 slots of an entity. */
const CUR = 0;
const MAX = 1;
/** Operator's limit (`set maxconn`), stored + 1 so that 0 means "as configured". */
const LIMIT = 2;
/** The process entity's last slot: 1 once a soft stop has begun (the `stopping` fetch). */
const STOPPING = 3;
const ENTITY_SLOTS = 4;

/** BigInt64 counters of an entity (process, frontend, or listener: CONN_TOTAL only). */
export const FC = {
  /** Connections accepted (HAProxy's conn_tot / stot / CumConns). Counted by `enter`. */
  CONN_TOTAL: 0,
  /** HTTP requests received (req_tot). */
  REQ_TOTAL: 1,
  /** HTTP responses by class (hrsp_1xx … hrsp_5xx, hrsp_other). */
  HRSP_1XX: 2,
  HRSP_2XX: 3,
  HRSP_3XX: 4,
  HRSP_4XX: 5,
  HRSP_5XX: 6,
  HRSP_OTHER: 7,
  /** Bytes received from clients / sent to clients (bin, bout). */
  BYTES_IN: 8,
  BYTES_OUT: 9,
  /** Requests denied by rules (dreq), responses denied (dresp), request errors (ereq). */
  DENIED_REQ: 10,
  DENIED_RESP: 11,
  ERR_REQ: 12,
  /** Connections refused by `tcp-request connection` rules (dcon). */
  DENIED_CONN: 13,
  /** Requests answered by the proxy itself (intercepted: redirects, stats, return). */
  INTERCEPTED: 14,
  /** Process entity only: log lines a full receiver dropped (EAGAIN), `show info` DroppedLogs. */
  DROPPED_LOGS: 15,
} as const;
export const FC_SLOTS = 16;

const ONE = 1n;

export class ConnGauges {
  /** SIGUSR1 was received (its `grace` period included): every thread's `stopping` says so. */
  setStopping(): void {
    Atomics.store(this.i32, STOPPING, 1);
  }

  stopping(): boolean {
    return Atomics.load(this.i32, STOPPING) === 1;
  }

  readonly i32: Int32Array;
  private readonly big: BigInt64Array;
  private readonly entities: number;

  /** Per worker, per entity: the slots that worker's sessions hold. */
  private readonly held: Int32Array;

  /** `frontends`: how many frontends come before the listeners' entities. */
  constructor(
    readonly buf: SharedArrayBuffer,
    private readonly frontends: number,
    readonly heldBuf: SharedArrayBuffer,
  ) {
    // The two regions' sizes follow from the entity count: 16 bytes + 128 bytes per entity.
    this.entities = buf.byteLength / (ENTITY_SLOTS * 4 + FC_SLOTS * 8);
    this.i32 = new Int32Array(buf, 0, this.entities * ENTITY_SLOTS);
    this.big = new BigInt64Array(buf, this.entities * ENTITY_SLOTS * 4, this.entities * FC_SLOTS);
    this.held = new Int32Array(heldBuf);
  }

  static create(frontends: number, listeners: number, workers: number): ConnGauges {
    const entities = frontends + listeners + 1;
    return new ConnGauges(new SharedArrayBuffer(entities * (ENTITY_SLOTS * 4 + FC_SLOTS * 8)), frontends, new SharedArrayBuffer(Math.max(1, workers) * entities * 4));
  }

  /** Worker `w`'s sessions now hold `n` more slots of `fe` through `li` (and of the process). */
  hold(w: number, fe: number, li: number, n = 1): void {
    const at = w * this.entities;
    if (at + this.entities > this.held.length) return;
    Atomics.add(this.held, at, n);
    Atomics.add(this.held, at + fe + 1, n);
    Atomics.add(this.held, at + this.frontends + 1 + li, n);
  }

  /**
   * Worker `w` died: give back every slot its sessions held (their sockets died with it),
   * before a replacement uses the same index.
   */
  reclaim(w: number): void {
    const at = w * this.entities;
    if (at + this.entities > this.held.length) return;
    for (let e = 0; e < this.entities; e++) {
      const n = Atomics.exchange(this.held, at + e, 0);
      if (n !== 0) Atomics.sub(this.i32, e * ENTITY_SLOTS + CUR, n);
    }
    Atomics.notify(this.i32, GAUGE_GLOBAL);
  }

  /** The Int32 index of listener `li`'s current count. */
  private listenerCur(li: number): number {
    return (this.frontends + 1 + li) * ENTITY_SLOTS + CUR;
  }

  /** Raise the count at `at` by one unless it is at `max` (0: no limit); compare-and-swap, never past. */
  private take(at: number, max: number): number {
    for (;;) {
      const v = Atomics.load(this.i32, at);
      if (max > 0 && v >= max) return -1;
      if (Atomics.compareExchange(this.i32, at, v, v + 1) === v) return v + 1;
    }
  }

  /**
   * Take a slot under the process's, the listener's and the frontend's limits (0: none), or
   * nothing. Each count is raised by compare-and-swap only while under its limit, so no thread
   * can push it past (two threads that test then add separately could both pass a limit of
   * 1). No lock: a worker thread can be terminated anywhere, and a lock it held would stop
   * every other thread. When a later limit is reached the counts already taken are given
   * back; a thread that saw that brief extra slot re-checks within its wait's timeout
   * (src/dataplane/limiter.ts).
   */
  tryEnter(fe: number, feMax: number, globalMax: number, li: number, liMax: number): boolean {
    const liAt = this.listenerCur(li);
    const feAt = (fe + 1) * ENTITY_SLOTS + CUR;
    // Plain reads first: a waiter retried on every leave must not take and give back the
    // process's slot each time (another thread would see the process full for an instant).
    if ((liMax > 0 && Atomics.load(this.i32, liAt) >= liMax) || (feMax > 0 && Atomics.load(this.i32, feAt) >= feMax)) return false;
    const g = this.take(CUR, globalMax);
    if (g < 0) return false;
    const l = this.take(liAt, liMax);
    if (l < 0) {
      Atomics.sub(this.i32, CUR, 1);
      return false;
    }
    const f = this.take(feAt, feMax);
    if (f < 0) {
      Atomics.sub(this.i32, liAt, 1);
      Atomics.sub(this.i32, CUR, 1);
      return false;
    }
    this.bump(0, g);
    this.bump(fe + 1, f);
    this.bump(this.frontends + 1 + li, l);
    return true;
  }

  /** An entity just reached `cur` connections: its maximum and cumulative count. */
  private bump(e: number, cur: number): void {
    for (let max = Atomics.load(this.i32, e * ENTITY_SLOTS + MAX); cur > max; max = Atomics.load(this.i32, e * ENTITY_SLOTS + MAX)) {
      if (Atomics.compareExchange(this.i32, e * ENTITY_SLOTS + MAX, max, cur) === max) break;
    }
    Atomics.add(this.big, e * FC_SLOTS + FC.CONN_TOTAL, 1n);
  }

  /** A session of worker `w` (-1: none counted, as for a connection refused before any worker) ended. */
  leave(fe: number, li: number, w = -1): void {
    if (w >= 0) this.hold(w, fe, li, -1);
    Atomics.sub(this.i32, GAUGE_GLOBAL, 1);
    Atomics.sub(this.i32, this.listenerCur(li), 1);
    Atomics.sub(this.i32, (fe + 1) * ENTITY_SLOTS + CUR, 1);
    Atomics.notify(this.i32, GAUGE_GLOBAL);
    Atomics.notify(this.i32, (fe + 1) * ENTITY_SLOTS + CUR);
  }

  /** Int32 slots of an entity's current count and operator limit (`fe` -1: the process), for the native acceptor's gate. */
  slots(fe: number): { cur: number; limit: number } {
    const e = (fe + 1) * ENTITY_SLOTS;
    return { cur: e + CUR, limit: e + LIMIT };
  }

  /** The same slots for listener `li` (its limit slot stays 0: only the bind line sets it). */
  listenerSlots(li: number): { cur: number; limit: number } {
    return this.slots(this.frontends + li);
  }

  /** A listener's current connections. */
  listener(li: number): number {
    return Atomics.load(this.i32, this.listenerCur(li));
  }

  global(): number {
    return Atomics.load(this.i32, GAUGE_GLOBAL);
  }

  frontend(fe: number): number {
    return Atomics.load(this.i32, (fe + 1) * ENTITY_SLOTS + CUR);
  }

  /** Highest concurrent connections seen (smax); `fe` -1 for the process. */
  max(fe: number): number {
    return Atomics.load(this.i32, (fe + 1) * ENTITY_SLOTS + MAX);
  }

  /** `clear counters`: maxima restart from the current value. */
  resetMax(fe: number): void {
    const e = (fe + 1) * ENTITY_SLOTS;
    Atomics.store(this.i32, e + MAX, Atomics.load(this.i32, e + CUR));
  }

  /** A frontend's counter (`fe` -1 for the process). */
  counter(fe: number, field: number): number {
    return Number(Atomics.load(this.big, (fe + 1) * FC_SLOTS + field));
  }

  /** Add to a frontend's counter and the process's (the data path's hook for FC fields). */
  count(fe: number, field: number, delta = 1): void {
    // Most counts are single events: no BigInt conversion on the per-request path for them.
    const d = delta === 1 ? ONE : BigInt(delta);
    Atomics.add(this.big, field, d);
    Atomics.add(this.big, (fe + 1) * FC_SLOTS + field, d);
  }

  /** `clear counters all`: every cumulative counter of every entity back to 0. */
  clearCounters(): void {
    for (let i = 0; i < this.big.length; i++) Atomics.store(this.big, i, 0n);
    for (let e = 0; e < this.entities; e++) this.resetMax(e - 1);
  }

  /** The frontend's limit: the operator's (`set maxconn frontend`) or the configured one. */
  frontendLimit(fe: number, configured: number): number {
    const v = Atomics.load(this.i32, (fe + 1) * ENTITY_SLOTS + LIMIT);
    return v > 0 ? v - 1 : configured;
  }

  /** The process limit: the operator's (`set maxconn global`) or the configured one. */
  globalLimit(configured: number): number {
    const v = Atomics.load(this.i32, LIMIT);
    return v > 0 ? v - 1 : configured;
  }

  /**
   * Set (or with null, forget) the operator's limit of a frontend (`fe` -1: the process), and
   * wake the threads waiting for a slot: a raised limit admits them at once.
   */
  setLimit(fe: number, value: number | null): void {
    Atomics.store(this.i32, (fe + 1) * ENTITY_SLOTS + LIMIT, value === null ? 0 : value + 1);
    Atomics.notify(this.i32, GAUGE_GLOBAL);
  }
}
