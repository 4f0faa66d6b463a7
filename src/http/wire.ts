// A buffered view of one side of an HTTP connection (client or server socket): received bytes
// accumulate until the codec can parse a head; bodies are forwarded from here with
// backpressure. Reading is pull-based (`more()` waits for bytes, end or error, bounded by a
// timeout) so the session code reads as the sequence of HAProxy's analysers.

import type net from 'node:net';

/** Why a wait ended. */
export type WaitResult = 'data' | 'end' | 'timeout' | 'error';

/** Beyond this many buffered bytes the socket is paused until the session consumes them. */
const HIGH_WATER = 64 * 1024;

export class Wire {
  private chunks: Buffer[] = [];
  private size = 0;
  /** The peer sent FIN (no more bytes will come). */
  ended = false;
  /** The socket failed or was closed: nothing more can be read or written. */
  failed = false;
  private waiter: ((r: WaitResult) => void) | null = null;

  constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.size += d.length;
      if (this.size > HIGH_WATER) sock.pause();
      this.wake('data');
    });
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
    });
  }

  private wake(r: WaitResult): void {
    const w = this.waiter;
    this.waiter = null;
    w?.(r);
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
      let timer: NodeJS.Timeout | undefined;
      this.waiter = (r) => {
        if (timer) clearTimeout(timer);
        resolve(r);
      };
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          this.waiter = null;
          resolve('timeout');
        }, timeoutMs);
      }
    });
  }

  /** Write, then wait for the socket to drain if it asked to (bounded by `timeoutMs`). */
  async write(data: Buffer | string, timeoutMs: number): Promise<boolean> {
    if (this.failed || this.sock.destroyed) return false;
    if (this.sock.write(data)) return true;
    return drained(this.sock, timeoutMs);
  }
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
