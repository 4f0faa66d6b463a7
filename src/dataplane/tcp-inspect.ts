// Content inspection on one direction of a TCP connection (HAProxy's tcp_inspect_request /
// tcp_inspect_response): bytes are read and held back, not forwarded, while a rule list
// looks at them. The list is evaluated at once, then again from the top each time bytes
// arrive, the input closes, or the inspect-delay (counted from the first "can't decide
// yet") runs out. The last evaluation is "final" (fetches then decide with what there is):
// delay over, buffer full (bufsize - maxrewrite), input closed, or no inspect-delay at all.
//
// Facts (haproxy 2.6.12, test/tcp-rules.test.ts): without an inspect-delay the rules run
// once, at once: HAProxy mostly runs them before reading (a client that writes at once is
// seen as empty), sometimes after (its "rules will randomly find their contents" warning);
// here it is always before. The delay runs only while the rules wait, and `timeout client`
// still closes an idle client.

import type net from 'node:net';
import type { L4Content } from '../rules/runtime/txn.js';
import type { TcpVerdict } from '../rules/runtime/verdict.js';

const EMPTY = Buffer.alloc(0);
const CONTINUE: TcpVerdict = { kind: 'continue' };

/** The bytes held back from one socket, for the rules and then for the other side. */
export class HeldInput {
  private data: Buffer = EMPTY;
  /** The peer sent its FIN while bytes were held (the other side must get it after them). */
  ended = false;

  constructor(
    readonly sock: net.Socket,
    /** How much HAProxy's channel would hold while analysers run. */
    readonly limit: number,
  ) {}

  /** What the fetches see: no more than the channel could hold. */
  view(): Buffer {
    return this.data.length > this.limit ? this.data.subarray(0, this.limit) : this.data;
  }

  get full(): boolean {
    return this.data.length >= this.limit;
  }

  /** More bytes may still change what the fetches see. */
  get open(): boolean {
    return !this.ended && !this.full;
  }

  /** Everything held (also what was read past the limit), now the forwarder's. */
  take(): Buffer {
    const d = this.data;
    this.data = EMPTY;
    return d;
  }

  append(chunk: Buffer): void {
    this.data = this.data.length === 0 ? chunk : Buffer.concat([this.data, chunk]);
  }

  /** Show the held bytes to the fetches as one direction of `l4`. */
  expose(l4: L4Content, dir: 'req' | 'res', final: boolean): void {
    if (dir === 'req') {
      l4.req = this.view();
      l4.reqOpen = this.open;
    } else {
      l4.res = this.view();
      l4.resOpen = this.open;
    }
    l4.final = final;
  }
}

/**
 * Run the rules (`run`, over `l4` where the held bytes are shown as `dir`) until they stop
 * waiting. Resolves with their verdict (never `wait`), or null when the socket closed first
 * (error, reset, or a timeout the caller armed). The socket is left paused; what it sent is
 * in `input`.
 */
export function inspect(input: HeldInput, delayMs: number, l4: L4Content, dir: 'req' | 'res', run: () => TcpVerdict): Promise<TcpVerdict | null> {
  let expired = delayMs <= 0;
  const final = (): boolean => expired || input.ended || input.full;
  const evaluate = (last: boolean): TcpVerdict => {
    input.expose(l4, dir, last);
    return run();
  };
  const first = evaluate(final());
  if (first.kind !== 'wait') return Promise.resolve(first);
  if (input.sock.destroyed) return Promise.resolve(null);
  return new Promise((resolve) => {
    const sock = input.sock;
    let done = false;
    const finish = (v: TcpVerdict | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('end', onEnd);
      sock.off('close', onClose);
      sock.pause();
      resolve(v);
    };
    const step = (): void => {
      const last = final();
      const v = evaluate(last);
      // A final evaluation cannot wait (nothing misses then): stop anyway rather than hang.
      if (v.kind !== 'wait') finish(v);
      else if (last) finish(CONTINUE);
    };
    const onData = (chunk: Buffer): void => {
      input.append(chunk);
      // A full channel stops reading (the kernel keeps the rest, as HAProxy's buffer would).
      if (input.full) sock.pause();
      step();
    };
    const onEnd = (): void => {
      input.ended = true;
      step();
    };
    const onClose = (): void => finish(null);
    const timer = setTimeout(() => {
      expired = true;
      step();
    }, delayMs);
    sock.on('data', onData);
    sock.once('end', onEnd);
    sock.once('close', onClose);
    sock.resume();
  });
}
