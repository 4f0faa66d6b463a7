// Per-second rates and "last session" ages for `show stat` / `show info`, computed on the
// control plane from the shared cumulative counters: a sample every second, so the data path
// pays nothing. A rate is the events counted during the last complete second (HAProxy's
// "over last elapsed second"); maxima are the highest such rates.

import { CNT, SRV } from '../ipc/server-table.js';
import { FC, type ConnGauges } from '../ipc/conn-gauges.js';
import { BE_COUNTER } from '../lb/types.js';
import type { DataPlane } from '../dataplane/runtime.js';

export class RateMeter {
  private last = 0;
  rate = 0;
  max = 0;
  /** When the counter last moved (ms since epoch), 0 when never. */
  lastEvent = 0;

  constructor(private total: () => number) {
    this.last = total();
  }

  sample(now: number): void {
    const t = this.total();
    this.rate = Math.max(0, t - this.last);
    if (this.rate > 0) this.lastEvent = now;
    if (this.rate > this.max) this.max = this.rate;
    this.last = t;
  }

  clearMax(): void {
    this.max = this.rate;
  }

  /** Seconds since the last event (`lastsess`), -1 when none yet. */
  age(now: number): number {
    if (this.total() !== this.last) return 0;
    return this.lastEvent ? Math.floor((now - this.lastEvent) / 1000) : -1;
  }
}

export class Rates {
  readonly servers = new Map<number, RateMeter>();
  readonly backends = new Map<string, RateMeter>();
  /** Per frontend: sessions and HTTP requests. */
  readonly frontends: RateMeter[] = [];
  readonly requests: RateMeter[] = [];
  readonly conns: RateMeter;
  readonly bytesOut: RateMeter;
  /** Highest concurrent sessions per backend (servers' connections and queues together). */
  readonly backendMax = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly meters: RateMeter[] = [];

  constructor(private readonly dp: DataPlane, gauges: ConnGauges, cliConns: () => number, private readonly onSample: () => void = () => undefined) {
    const table = dp.table;
    const add = (m: RateMeter): RateMeter => {
      this.meters.push(m);
      return m;
    };
    for (const be of dp.runtime.backends.values()) {
      for (const s of be.servers) this.addServer(s.slot);
      this.backends.set(be.name, add(new RateMeter(() => dp.backendCounters.get(be.lbOffset, BE_COUNTER.SESSIONS))));
    }
    for (const fe of dp.runtime.frontends) {
      this.frontends.push(add(new RateMeter(() => gauges.counter(fe.index, FC.CONN_TOTAL))));
      this.requests.push(add(new RateMeter(() => gauges.counter(fe.index, FC.REQ_TOTAL))));
    }
    this.conns = add(new RateMeter(() => gauges.counter(-1, FC.CONN_TOTAL) + cliConns()));
    this.bytesOut = add(new RateMeter(() => [...this.servers.keys()].reduce((a, slot) => a + table.total(slot, CNT.BYTES_OUT), 0)));
  }

  /** A server's session rate: each configured one at start, then each `add server` (counters from zero). */
  addServer(slot: number): void {
    const table = this.dp.table;
    const m = new RateMeter(() => table.total(slot, CNT.CONN_TOTAL));
    this.meters.push(m);
    this.servers.set(slot, m);
  }

  /** `del server`. */
  removeServer(slot: number): void {
    const m = this.servers.get(slot);
    if (!m) return;
    this.servers.delete(slot);
    this.meters.splice(this.meters.indexOf(m), 1);
  }

  start(): void {
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(): void {
    const now = Date.now();
    for (const m of this.meters) m.sample(now);
    // qmax needs no sampling: the data path records it where a client joins a queue.
    for (const be of this.dp.runtime.backends.values()) this.noteBackend(be.name, this.backendCurrent(be.name));
    this.onSample();
  }

  /** Sessions a backend holds now: established on its servers or waiting in their queues. */
  backendCurrent(name: string): number {
    const be = this.dp.runtime.backends.get(name);
    if (!be) return 0;
    const t = this.dp.table;
    return be.servers.reduce((a, s) => a + t.get(s.slot, SRV.CUR_CONN) + t.get(s.slot, SRV.QUEUE), 0);
  }

  noteBackend(name: string, current: number): number {
    const max = Math.max(this.backendMax.get(name) ?? 0, current);
    this.backendMax.set(name, max);
    return max;
  }

  /** `clear counters`: maxima restart from now. */
  clearMax(): void {
    for (const m of this.meters) m.clearMax();
    for (const name of this.backendMax.keys()) this.backendMax.set(name, this.backendCurrent(name));
  }
}
