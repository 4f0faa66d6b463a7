// Global, frontend and bind-line `maxconn`: a connection is admitted when the process, its
// frontend and its listener are under their limits; otherwise it waits and is admitted in
// order as soon as any thread frees a slot (every leave notifies the global gauge). As HAProxy
// does, a full listener or frontend also stops accepting, so new connections stay in the
// kernel's accept queue: native acceptors check the three limits in the shared gauges before
// each accept (`gateAcceptor`). A JS listener cannot do that: it keeps accepting into the
// waiting list. Nothing waiting is dropped silently: stopping closes them.

import { ConnGauges, GAUGE_GLOBAL } from '../ipc/conn-gauges.js';
import type { RuntimeFrontend, RuntimeListener } from './compile.js';
import type { Acceptor } from '../native/addon.js';

interface Waiting {
  readonly fe: RuntimeFrontend;
  readonly l: RuntimeListener;
  readonly start: () => void;
  readonly drop: () => void;
}

/** How long a wait for room lasts at most before the limits are looked at again. */
const RECHECK_MS = 100;

export class Limiter {
  private readonly waiting: Waiting[] = [];
  private watching = false;
  private closed = false;

  /** `worker`: the worker thread whose sessions this limiter admits (-1: the main thread, which hands each connection to a worker and counts it there). */
  constructor(
    private readonly gauges: ConnGauges,
    private readonly globalMax: number,
    private readonly worker = -1,
  ) {}

  /**
   * Take a slot for `fe` through `l` if the three limits allow it (atomically: other threads
   * admit too), the limits as the runtime API may have changed them (`set maxconn
   * frontend|global`).
   */
  private tryEnter(fe: RuntimeFrontend, l: RuntimeListener): boolean {
    const g = this.gauges;
    if (!g.tryEnter(fe.index, g.frontendLimit(fe.index, fe.maxconn), g.globalLimit(this.globalMax), l.index, l.maxconn)) return false;
    if (this.worker >= 0) g.hold(this.worker, fe.index, l.index);
    return true;
  }

  /**
   * Start now if the limits allow and nobody of the same listener or frontend waits before
   * it, else wait. A full listener holds back only its own clients: those of the frontend's
   * other binds, and of other frontends, go past its waiters (as in HAProxy, which pauses
   * only the full listener).
   */
  admit(fe: RuntimeFrontend, l: RuntimeListener, start: () => void, drop: () => void): void {
    if (this.closed) return drop();
    if ((this.waiting.length === 0 || !this.waiting.some((w) => w.l === l || w.fe === fe)) && this.tryEnter(fe, l)) {
      start();
      return;
    }
    this.waiting.push({ fe, l, start, drop });
    this.watch();
  }

  /** A session ended (on this thread): free its slots and admit whoever waits. */
  leave(fe: RuntimeFrontend, l: RuntimeListener): void {
    this.gauges.leave(fe.index, l.index, this.worker);
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
      if (!this.tryEnter(w.fe, w.l)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      w.start();
    }
  }

  /** Sleep until any thread frees a slot, then admit; again while some still wait. */
  private watch(): void {
    if (this.watching || this.closed) return;
    const seen = Atomics.load(this.gauges.i32, GAUGE_GLOBAL);
    // Room made before `seen` was read woke nobody (this thread was not waiting yet): look
    // once more before sleeping on it.
    this.drain();
    if (this.waiting.length === 0) return;
    this.watching = true;
    // Bounded: a slot another thread took for an instant and gave back (a full frontend)
    // wakes nobody, and a thread that saw it full because of that looks again this soon.
    const w = Atomics.waitAsync(this.gauges.i32, GAUGE_GLOBAL, seen, RECHECK_MS);
    const next = (): void => {
      this.watching = false;
      this.drain();
      if (this.waiting.length > 0) this.watch();
    };
    if (w.async) void w.value.then(next);
    else queueMicrotask(next);
  }
}

/** Have a native acceptor check the listener's, `fe`'s and the process's maxconn before each accept. */
export function gateAcceptor(a: Acceptor, gauges: ConnGauges, fe: RuntimeFrontend, l: RuntimeListener, globalMax: number): void {
  const f = gauges.slots(fe.index);
  const g = gauges.slots(-1);
  const b = gauges.listenerSlots(l.index);
  a.setLimits(gauges.i32, f.cur, f.limit, fe.maxconn, g.cur, g.limit, globalMax, b.cur, b.limit, l.maxconn);
}
