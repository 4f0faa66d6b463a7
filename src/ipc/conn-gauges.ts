// Current connections per frontend and for the whole process, shared by every thread: the
// frontend and global `maxconn` limits read them. Slot 0 is the process, slot 1 + i the i-th
// frontend (in Runtime.frontends order). Leaving notifies waiters, so a thread that stopped
// accepting at the limit resumes as soon as any thread frees a slot.

export const GAUGE_GLOBAL = 0;

export class ConnGauges {
  readonly i32: Int32Array;
  constructor(readonly buf: SharedArrayBuffer) {
    this.i32 = new Int32Array(buf);
  }

  static create(frontends: number): ConnGauges {
    return new ConnGauges(new SharedArrayBuffer((frontends + 1) * 4));
  }

  enter(fe: number): void {
    Atomics.add(this.i32, GAUGE_GLOBAL, 1);
    Atomics.add(this.i32, fe + 1, 1);
  }

  leave(fe: number): void {
    Atomics.sub(this.i32, GAUGE_GLOBAL, 1);
    Atomics.sub(this.i32, fe + 1, 1);
    Atomics.notify(this.i32, GAUGE_GLOBAL);
    Atomics.notify(this.i32, fe + 1);
  }

  global(): number {
    return Atomics.load(this.i32, GAUGE_GLOBAL);
  }

  frontend(fe: number): number {
    return Atomics.load(this.i32, fe + 1);
  }
}
