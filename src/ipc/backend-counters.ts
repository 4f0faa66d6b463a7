// A backend's own cumulative counters, in the spare slots of its shared LB region (one Int32
// pair per backend, Atomics.add from any thread): sessions (streams) assigned to it, which
// HAProxy counts whether or not a server took them (BACKEND stot), and the sessions that
// failed to connect for good (BACKEND econ). Its servers' counters count attempts instead.

import { BE_COUNTER, LB_SHARED_SLOTS } from '../lb/types.js';

export type BackendCounter = (typeof BE_COUNTER)[keyof typeof BE_COUNTER];

/** The LB region seen as the backends' counters. */
export class BackendCounters {
  private readonly i32: Int32Array;

  constructor(lb: SharedArrayBuffer) {
    this.i32 = new Int32Array(lb);
  }

  count(lbOffset: number, field: BackendCounter): void {
    Atomics.add(this.i32, lbOffset + field, 1);
  }

  /** Unsigned: 2^32 sessions before it wraps. */
  get(lbOffset: number, field: BackendCounter): number {
    return Atomics.load(this.i32, lbOffset + field) >>> 0;
  }

  /** `clear counters all`. */
  clear(): void {
    for (let at = 0; at + LB_SHARED_SLOTS <= this.i32.length; at += LB_SHARED_SLOTS) {
      for (const f of Object.values(BE_COUNTER)) Atomics.store(this.i32, at + f, 0);
    }
  }
}
