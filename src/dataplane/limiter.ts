// Frontend and global `maxconn`: a connection is admitted when its frontend and the process
// are under their limits; otherwise it waits, accepted but not served — as a client waits in
// HAProxy's listen backlog — and is admitted in order as soon as any thread frees a slot
// (every leave notifies the global gauge). Nothing waiting is dropped silently: stopping
// closes them.

import { ConnGauges, GAUGE_GLOBAL } from '../ipc/conn-gauges.js';
import type { RuntimeFrontend } from './compile.js';

interface Waiting {
  readonly fe: RuntimeFrontend;
  readonly start: () => void;
  readonly drop: () => void;
}

export class Limiter {
  private readonly waiting: Waiting[] = [];
  private watching = false;
  private closed = false;

  constructor(private readonly gauges: ConnGauges, private readonly globalMax: number) {}

  private full(fe: RuntimeFrontend): boolean {
    // Limits as the runtime API may have changed them (`set maxconn frontend|global`).
    const feMax = this.gauges.frontendLimit(fe.index, fe.maxconn);
    const globalMax = this.gauges.globalLimit(this.globalMax);
    return (feMax > 0 && this.gauges.frontend(fe.index) >= feMax) || (globalMax > 0 && this.gauges.global() >= globalMax);
  }

  /** Start now if the limits allow (and nobody waits before it), else wait. */
  admit(fe: RuntimeFrontend, start: () => void, drop: () => void): void {
    if (this.closed) return drop();
    if (this.waiting.length === 0 && !this.full(fe)) {
      this.gauges.enter(fe.index);
      start();
      return;
    }
    this.waiting.push({ fe, start, drop });
    this.watch();
  }

  /** A session ended (on this thread): free its slot and admit whoever waits. */
  leave(fe: RuntimeFrontend): void {
    this.gauges.leave(fe.index);
    this.drain();
  }

  /** Close everything still waiting (stop, soft stop). */
  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.drop();
  }

  private drain(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      if (this.full(w.fe)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.gauges.enter(w.fe.index);
      w.start();
    }
  }

  /** Sleep until any thread frees a slot, then admit; again while some still wait. */
  private watch(): void {
    if (this.watching || this.closed) return;
    this.watching = true;
    const seen = Atomics.load(this.gauges.i32, GAUGE_GLOBAL);
    const w = Atomics.waitAsync(this.gauges.i32, GAUGE_GLOBAL, seen);
    const next = (): void => {
      this.watching = false;
      this.drain();
      if (this.waiting.length > 0) this.watch();
    };
    if (w.async) void w.value.then(next);
    else queueMicrotask(next);
  }
}
