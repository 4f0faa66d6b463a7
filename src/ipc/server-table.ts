// The shared server table: one fixed record per server in a SharedArrayBuffer, read and
// written by every worker thread and the control plane. Named slots only — no other module
// computes offsets. Gauges every thread updates (current connections, queue) use Atomics;
// counters have one slot per worker (single writer, summed by readers: stats, CLI).

/** Int32 slots of a server record. */
export const SRV = {
  /** 0 ready, 1 drain, 2 maint (admin state, set by config/CLI). */
  ADMIN: 0,
  /** 1 up, 0 down (operational state, set by health checks). */
  UP: 1,
  /** Effective weight used by balancers (after slowstart/agent). */
  WEIGHT: 2,
  /** Configured weight. */
  WEIGHT_INIT: 3,
  /** Connections currently established or being established, all workers together. */
  CUR_CONN: 4,
  /** Clients waiting for a slot (server maxconn), all workers together. */
  QUEUE: 5,
  /** Configured maxconn (0 = unlimited). */
  MAXCONN: 6,
  /** Highest CUR_CONN seen. */
  MAX_CONN_SEEN: 7,
  /**
   * The operator's weight (`set weight`, HAProxy's uweight). WEIGHT is derived from it by the
   * health checks (slowstart ramp, agent weight); without them WEIGHT equals it.
   */
  WEIGHT_USER: 8,
  /** Highest QUEUE seen (qmax): the data path raises it with `noteQueue`, `clear counters` resets it. */
  QUEUE_MAX: 9,
  /**
   * `observe`: consecutive errors seen on real traffic (any worker adds; a success, a passing
   * check or a triggered action resets), the last error's kind (OBS_KIND), and actions the
   * data path triggered that the control plane has not applied yet.
   */
  OBS_ERRORS: 10,
  OBS_LAST: 11,
  OBS_PENDING: 12,
  // Changes that need balancers rebuilt bump the backend's LB_SHARED.VERSION (src/lb/types.ts).
} as const;
export const SRV_SLOTS = 13;

export const ADMIN_READY = 0;
export const ADMIN_DRAIN = 1;
export const ADMIN_MAINT = 2;

/** Float64 per-worker counters of a server. */
export const CNT = {
  /** Connections sent to the server (cumulative). */
  CONN_TOTAL: 0,
  /** Connection attempts that failed. */
  CONN_ERR: 1,
  /** Retries and redispatches. */
  RETRIES: 2,
  REDISPATCH: 3,
  /** Bytes client→server and server→client. */
  BYTES_IN: 4,
  BYTES_OUT: 5,
  /** HTTP requests sent to the server (cumulative). */
  REQ_TOTAL: 6,
  /** HTTP responses from the server by class (hrsp_1xx … hrsp_5xx, hrsp_other). */
  HRSP_1XX: 7,
  HRSP_2XX: 8,
  HRSP_3XX: 9,
  HRSP_4XX: 10,
  HRSP_5XX: 11,
  HRSP_OTHER: 12,
  /** Responses the server aborted (srv_abrt), transfers the client aborted (cli_abrt). */
  SRV_ABORT: 13,
  CLI_ABORT: 14,
  /** HTTP requests sent over a connection that already existed (reuse). */
  REUSE: 15,
  // Gauges, one per worker (its own share; readers sum): `clear counters` leaves them, a
  // worker's death zeroes its shares.
  /** Idle connections parked in the worker's pool (srv_icur), and those of them "safe". */
  G_IDLE: 16,
  G_SAFE: 17,
  /** The worker's estimate of the connections the server needs (need_conn_est). */
  G_NEED: 18,
} as const;
export const CNT_SLOTS = 19;
const GAUGES: readonly number[] = [CNT.G_IDLE, CNT.G_SAFE, CNT.G_NEED];

export interface ServerTableBuffers {
  readonly state: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
  readonly servers: number;
  readonly workers: number;
}

export class ServerTable {
  readonly i32: Int32Array;
  readonly f64: Float64Array;

  constructor(readonly buf: ServerTableBuffers) {
    this.i32 = new Int32Array(buf.state);
    this.f64 = new Float64Array(buf.counters);
  }

  static create(servers: number, workers: number): ServerTable {
    return new ServerTable({
      state: new SharedArrayBuffer(Math.max(1, servers) * SRV_SLOTS * 4),
      counters: new SharedArrayBuffer(Math.max(1, servers) * Math.max(1, workers) * CNT_SLOTS * 8),
      servers,
      workers,
    });
  }

  slot(server: number, field: number): number {
    return server * SRV_SLOTS + field;
  }

  get(server: number, field: number): number {
    return Atomics.load(this.i32, server * SRV_SLOTS + field);
  }

  set(server: number, field: number, value: number): void {
    Atomics.store(this.i32, server * SRV_SLOTS + field, value);
  }

  add(server: number, field: number, delta: number): number {
    return Atomics.add(this.i32, server * SRV_SLOTS + field, delta) + delta;
  }

  /** Take a connection slot if the server's maxconn allows it; true when taken. */
  tryAcquire(server: number): boolean {
    const max = this.get(server, SRV.MAXCONN);
    const at = server * SRV_SLOTS + SRV.CUR_CONN;
    for (;;) {
      const cur = Atomics.load(this.i32, at);
      if (max > 0 && cur >= max) return false;
      if (Atomics.compareExchange(this.i32, at, cur, cur + 1) === cur) {
        if (cur + 1 > this.get(server, SRV.MAX_CONN_SEEN)) this.set(server, SRV.MAX_CONN_SEEN, cur + 1);
        return true;
      }
    }
  }

  /**
   * Release a slot and wake threads waiting on this server's queue. Only when someone queues:
   * notify takes a lock, and this runs once per request. A waiter counts itself in QUEUE
   * before it reads CUR_CONN, and both sides use sequentially consistent operations, so either
   * the waiter sees this decrement or this sees the waiter.
   */
  release(server: number): void {
    const at = server * SRV_SLOTS + SRV.CUR_CONN;
    Atomics.sub(this.i32, at, 1);
    if (Atomics.load(this.i32, server * SRV_SLOTS + SRV.QUEUE) > 0) Atomics.notify(this.i32, at);
  }

  /** Record a queue length just reached (qmax). */
  noteQueue(server: number, length: number): void {
    const at = server * SRV_SLOTS + SRV.QUEUE_MAX;
    for (let max = Atomics.load(this.i32, at); length > max; max = Atomics.load(this.i32, at)) {
      if (Atomics.compareExchange(this.i32, at, max, length) === max) break;
    }
  }

  /** `clear counters all`: every per-worker counter of every server back to 0. */
  clearCounters(): void {
    // Plain stores: each slot has one writer (its worker); a increment racing with the reset
    // is lost or kept, as with HAProxy's own non-atomic clear.
    for (let at = 0; at < this.f64.length; at += CNT_SLOTS) {
      for (let f = 0; f < CNT_SLOTS; f++) if (!GAUGES.includes(f)) this.f64[at + f] = 0;
    }
  }

  /** A dead worker's gauge shares back to 0 (what it held went with it). */
  clearWorkerGauges(worker: number): void {
    for (let server = 0; server < this.buf.servers; server++) {
      const at = (server * this.buf.workers + worker) * CNT_SLOTS;
      for (const f of GAUGES) this.f64[at + f] = 0;
    }
  }

  /** One server's per-worker counters back to 0 (a slot taken again by `add server`). */
  clearServerCounters(server: number): void {
    const at = server * this.buf.workers * CNT_SLOTS;
    this.f64.fill(0, at, at + this.buf.workers * CNT_SLOTS);
  }

  /** Usable for new traffic: up, ready, weight > 0. */
  usable(server: number): boolean {
    return this.get(server, SRV.UP) === 1 && this.get(server, SRV.ADMIN) === ADMIN_READY && this.get(server, SRV.WEIGHT) > 0;
  }

  count(server: number, worker: number, field: number, delta = 1): void {
    this.f64[(server * this.buf.workers + worker) * CNT_SLOTS + field]! += delta;
  }

  /** Sum of a counter over all workers. */
  total(server: number, field: number): number {
    let s = 0;
    for (let w = 0; w < this.buf.workers; w++) s += this.f64[(server * this.buf.workers + w) * CNT_SLOTS + field]!;
    return s;
  }
}
