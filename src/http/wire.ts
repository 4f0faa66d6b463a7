// A buffered view of one side of an HTTP connection (client or server socket): received bytes
// accumulate until the codec can parse a head; bodies are forwarded from here with
// backpressure. Reading is pull-based (`more()` waits for bytes, end or error, bounded by a
// timeout) so the session code reads as the sequence of HAProxy's analysers.
//
// Per-request cost matters here (every keep-alive request waits twice): a wait does not
// create a timer. Each wire keeps one lazy timer that fires at the earliest deadline it was
// armed for and re-arms itself for whatever is left of the current one, so a busy connection
// costs one timer callback per timeout period instead of a setTimeout/clearTimeout per wait.

import type net from 'node:net';

/** Why a wait ended. */
export type WaitResult = 'data' | 'end' | 'timeout' | 'error';

/** Beyond this many buffered bytes the socket is paused until the session consumes them. */
const HIGH_WATER = 64 * 1024;

/**
 * One read buffer per thread, shared by every socket created with a `ReadSink`: the kernel
 * copies into it and the sink copies out only what arrived (small reads land in Buffer's
 * pool). A socket read through node's stream machinery instead allocates a 64 KiB backing
 * store per read and emits 'data' through the readable state; on the keep-alive path that
 * was a visible share of GC and dispatch time.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * The `onread` option of a socket that a Wire will read (`new net.Socket({ fd, onread })`,
 * `net.connect({ onread })`). Created before the socket; the wire attaches itself.
 */
export class ReadSink {
  wire: Wire | null = null;
  /** Bytes read before a wire attached (kept for it: nothing read may be lost). */
  early: Buffer[] | null = null;
  /** Told of each early read (accept-proxy reads its header from the first one). */
  onEarly: (() => void) | null = null;
  readonly onread = {
    buffer: READ_BUFFER,
    callback: (n: number, buf: Uint8Array): boolean => {
      // Copied out before the next read reuses the buffer (small reads land in Buffer's pool).
      const d = Buffer.allocUnsafe(n);
      d.set(n === buf.length ? buf : buf.subarray(0, n));
      if (this.wire) this.wire.push(d);
      else {
        (this.early ??= []).push(d);
        this.onEarly?.();
      }
      return true;
    },
  };
}

export class Wire {
  private chunks: Buffer[] = [];
  private size = 0;
  /** The peer sent FIN (no more bytes will come). */
  ended = false;
  /** The socket failed or was closed: nothing more can be read or written. */
  failed = false;
  private waiter: ((r: WaitResult) => void) | null = null;
  /** When the current wait times out (Date.now() ms); 0 when it has no limit. */
  private deadline = 0;
  private timer: NodeJS.Timeout | null = null;
  /** When the lazy timer fires (Date.now() ms). */
  private timerDue = 0;
  /** Bytes received and written through this wire (cheaper than the socket's getters). */
  received = 0;
  written = 0;
  /**
   * Bytes written during this turn, sent when it ends (see `holding`): the first write, then
   * any others (most turns hold one write per wire: no array for it); null when none.
   */
  private heldFirst: Buffer | string | null = null;
  private heldRest: (Buffer | string)[] | null = null;
  /** How many bytes `held` holds. */
  private heldBytes = 0;
  /** What a turn may hold: the socket's high-water mark (see `holding`). */
  private readonly holdLimit: number;

  constructor(
    readonly sock: net.Socket,
    sink?: ReadSink,
  ) {
    this.holdLimit = sock.writableHighWaterMark;
    if (sink) {
      sink.wire = this;
      for (const d of sink.early ?? []) this.push(d);
      sink.early = null;
      // 'end' is emitted only once the (empty) readable side flows.
      sock.resume();
    } else sock.on('data', (d: Buffer) => this.push(d));
    sock.on('end', () => {
      this.ended = true;
      this.wake('end');
    });
    sock.on('error', () => {
      this.failed = true;
      this.wake('error');
    });
    sock.on('close', () => {
      this.failed = true;
      this.wake('error');
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
    });
  }

  /** Bytes received (from 'data', or copied out of a ReadSink's buffer). */
  push(d: Buffer): void {
    this.chunks.push(d);
    this.size += d.length;
    this.received += d.length;
    if (this.size > HIGH_WATER) this.sock.pause();
    this.wake('data');
  }

  private wake(r: WaitResult): void {
    const w = this.waiter;
    this.waiter = null;
    this.deadline = 0;
    w?.(r);
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    if (!this.waiter || this.deadline === 0) return;
    const left = this.deadline - Date.now();
    if (left > 0) this.armTimer(left);
    else this.wake('timeout');
  };

  private armTimer(ms: number): void {
    this.timerDue = Date.now() + ms;
    this.timer = setTimeout(this.onTimer, ms);
  }

  get length(): number {
    return this.size;
  }

  /** Everything buffered, as one Buffer (concatenated once, then kept as the only chunk). */
  peek(): Buffer {
    if (this.chunks.length === 0) return EMPTY;
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0]!;
  }

  /** Drop the first `n` buffered bytes. */
  consume(n: number): void {
    if (n <= 0) return;
    const all = this.peek();
    if (n >= all.length) {
      this.chunks = [];
      this.size = 0;
    } else {
      this.chunks = [all.subarray(n)];
      this.size = all.length - n;
    }
    if (this.size <= HIGH_WATER && this.sock.isPaused() && !this.failed) this.sock.resume();
  }

  /** Put bytes back in front (what a decoder read past the end of a message). */
  unshift(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.unshift(b);
    this.size += b.length;
  }

  /** Take up to `max` buffered bytes. */
  take(max: number): Buffer {
    const all = this.peek();
    const out = max >= all.length ? all : all.subarray(0, max);
    this.consume(out.length);
    return out;
  }

  /**
   * Wait for more bytes (or end/error), at most `timeoutMs` (0 = no limit). Resolves at once
   * with 'end' or 'error' when that already happened.
   */
  more(timeoutMs: number): Promise<WaitResult> {
    if (this.failed) return Promise.resolve('error');
    if (this.ended) return Promise.resolve('end');
    if (this.sock.isPaused()) this.sock.resume();
    return new Promise<WaitResult>((resolve) => {
      this.waiter = resolve;
      if (timeoutMs <= 0) return;
      const deadline = Date.now() + timeoutMs;
      this.deadline = deadline;
      // A running timer due later than this deadline is replaced; one due earlier re-arms.
      if (this.timer && this.timerDue > deadline) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      if (!this.timer) this.armTimer(timeoutMs);
    });
  }

  /**
   * Write; true at once when the socket took it (or holds it for the end of the turn, see
   * below), else a promise of the drain (false on close, error or `timeoutMs`). Not async:
   * most writes are taken at once, and the data path should not pay for a promise then.
   */
  write(data: Buffer | string, timeoutMs: number): boolean | Promise<boolean> {
    const sock = this.sock;
    if (this.failed || sock.destroyed) return false;
    const n = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.written += n;
    if (this.heldFirst !== null) {
      (this.heldRest ??= []).push(data);
      if ((this.heldBytes += n) < this.holdLimit) return true;
      // A turn that writes more than the socket would buffer (a body read faster than the
      // peer takes it): out now, and the writer waits for the drain as node would make it.
      this.flush();
      if (sock.destroyed) return false;
      return sock.writableNeedDrain ? drained(sock, timeoutMs) : true;
    }
    // Held only while node has nothing of ours pending and within the high-water mark: a
    // socket behind on its writes keeps the drain protocol, a corked one (the session's own
    // head+body) writes through, and so does a large write (nothing to batch it with).
    if (n < this.holdLimit && !sock.writableCorked && sock.writableLength === 0) {
      this.heldFirst = data;
      this.heldBytes = n;
      holding.push(this);
      if (holding.length === 1) setImmediate(releaseHeld);
      return true;
    }
    if (sock.write(data)) return true;
    return drained(sock, timeoutMs);
  }

  /**
   * Send what this wire holds for the end of the turn now. Called before the socket is ended
   * or reset: `end()` would otherwise send its FIN ahead of the held bytes.
   */
  flush(): void {
    const first = this.heldFirst;
    if (first === null) return;
    const rest = this.heldRest;
    this.heldFirst = null;
    this.heldRest = null;
    const sock = this.sock;
    if (sock.destroyed) return;
    if (rest === null) {
      sock.write(first);
      return;
    }
    // Several (a head and its body, pipelined answers): one writev.
    sock.cork();
    sock.write(first);
    for (const d of rest) sock.write(d);
    sock.uncork();
  }
}

/**
 * Writes leave at the end of the event loop turn, all together, not one by one as the reads
 * that cause them are handled. Waking a peer that sleeps on another CPU is the largest kernel
 * cost of a small exchange on loopback (an inter-processor interrupt per wakeup, dearer still
 * in a VM); sent in a burst, a turn's writes wake each peer about once instead of once per
 * write. HAProxy gets the same effect from sending in its tasklets after all polled events are
 * handled. Measured on the keep-alive benchmark (50 connections): kernel time per request fell
 * by about a sixth and JS time too, fewer turns doing the same work.
 *
 * The wire keeps the bytes itself rather than corking the socket (node's corked buffer cost
 * more JS per write than the hold saves otherwise). What a turn holds stays below the
 * socket's high-water mark, as node's own buffer would: a turn can read far more than that
 * (libuv reads a ready socket up to 32 times 64 KiB per poll), and holding all of it would
 * let a slow reader cost megabytes per connection. Past the mark the wire sends at once and
 * the writer waits for the drain; a socket that could not take a release is behind, and its
 * next write waits for the drain too. Whoever ends or resets a wire's socket flushes it first
 * (`flush`); a destroyed socket drops what it held, as it would drop node's own buffer.
 */
let holding: Wire[] = [];

function releaseHeld(): void {
  const wires = holding;
  holding = [];
  for (const w of wires) w.flush();
}

const EMPTY = Buffer.alloc(0);

/** Resolves true on 'drain', false on close/error/timeout. */
function drained(sock: net.Socket, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (ok: boolean): void => {
      if (timer) clearTimeout(timer);
      sock.off('drain', onDrain);
      sock.off('close', onClose);
      resolve(ok);
    };
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    sock.on('drain', onDrain);
    sock.on('close', onClose);
    if (timeoutMs > 0) timer = setTimeout(() => done(false), timeoutMs);
  });
}
