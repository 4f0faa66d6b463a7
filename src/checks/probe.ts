// Plain TCP connect checks through the native prober (native/prober.cc) when the addon is
// loaded: HAProxy's own way of running them (the server never accepts the connection; it is
// reset once established) at a fraction of a net.Socket's cost. Without the addon, or for an
// address that is not a literal, callers keep their net.Socket path.
//
// Two users: CheckRun (session.ts) for a rule list that ends with a connect, and ProbeRun
// below, the allocation-free path for the common `check` with nothing but its implicit
// connect, which runs thousands of times a second with many servers.

import { isIP } from 'node:net';
import { getSystemErrorName } from 'node:util';
import { loadAddon, PROBE, type Prober } from '../native/addon.js';
import type { Rule } from './rules.js';
import type { CheckTarget, RunHandle, RunResult } from './session.js';
import { strerror } from './status.js';

/** null: connected; otherwise the errno's name ('ECONNREFUSED', ...). */
export type ProbeDone = (code: string | null) => void;

/** A probe under way; `abort()` forgets it (nothing is reported after). */
export interface ProbeHandle {
  abort(): void;
}

/** What a check's stream reports (see CheckStream). */
export interface StreamEvents {
  connect(): void;
  data(b: Buffer): void;
  end(): void;
  /** `code`: the errno's name. */
  error(code: string): void;
}

let prober: Prober | null | undefined;
const waiting = new Map<number, ProbeDone>();
const streams = new Map<number, StreamEvents>();

function deliver(results: (number | Buffer)[]): void {
  for (let i = 0; i + 2 < results.length; i += 3) {
    const fd = results[i] as number;
    const kind = results[i + 1] as number;
    const value = results[i + 2]!;
    if (kind === PROBE.DONE) {
      const done = waiting.get(fd);
      if (!done) continue;
      waiting.delete(fd);
      done(value === 0 ? null : getSystemErrorName(-(value as number)));
      continue;
    }
    const s = streams.get(fd);
    if (!s) continue;
    if (kind === PROBE.CONNECTED) s.connect();
    else if (kind === PROBE.DATA) s.data(value as Buffer);
    else if (kind === PROBE.END) s.end();
    else s.error(getSystemErrorName(-(value as number)));
  }
}

function instance(): Prober | null {
  if (prober !== undefined) return prober;
  try {
    prober = loadAddon()?.createProber(deliver) ?? null;
  } catch {
    // No epoll set to be had (EMFILE...): the checks keep their net.Socket path, for good.
    prober = null;
  }
  return prober;
}

/** Whether this thread can probe `host` natively (a prober and a numeric address). */
function canProbe(host: string): 0 | 4 | 6 {
  const family = isIP(host) as 0 | 4 | 6;
  return family !== 0 && instance() ? family : 0;
}

/**
 * Starts a probe: its fd (`done` will be called unless it is aborted), or -errno when the
 * connect failed at once (`done` is not called).
 */
function begin(host: string, port: number, family: 4 | 6, done: ProbeDone): number {
  const fd = prober!.probe(host, port, family);
  if (fd >= 0) waiting.set(fd, done);
  return fd;
}

/**
 * A connect that failed at once is reported on the next turn all the same, as a socket's
 * 'error' event would be; the returned function cancels it (the check was aborted first).
 */
function nextTurn(report: () => void): () => void {
  const t = setImmediate(report);
  return () => clearImmediate(t);
}

function cancel(fd: number, done: ProbeDone): void {
  if (waiting.get(fd) !== done) return;
  waiting.delete(fd);
  prober?.abort(fd);
}

/**
 * Starts a connect probe to host:port, or returns null when this thread has no prober or the
 * host is not a numeric address (the caller then connects through net.Socket).
 */
export function startProbe(host: string, port: number, done: ProbeDone): ProbeHandle | null {
  const family = canProbe(host);
  if (family === 0) return null;
  const fd = begin(host, port, family, done);
  if (fd < 0) return { abort: nextTurn(() => done(getSystemErrorName(fd))) };
  return { abort: () => cancel(fd, done) };
}

/** Whether a check is only its implicit connect (a plain `check`: L4OK with no info). */
export function connectOnly(rules: readonly Rule[], tcpProto: boolean): boolean {
  const r = rules[0];
  return !tcpProto && rules.length === 1 && r?.kind === 'connect' && r.implicit && !r.linger;
}

/**
 * One server's plain connect check, reused from run to run: no object, closure or buffer per
 * check beyond the result and its timeout timer. The verdicts are CheckRun's for the same
 * rule: L4OK, L4CON with the error's text, L4TOUT.
 */
export class ProbeRun implements RunHandle {
  private fd = -1;
  private started = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Cancels the report of a connect that failed at once, due on the next turn. */
  private failing: (() => void) | null = null;
  private readonly onDone: ProbeDone = (code) => this.settle(code);
  private readonly onTimeout = (): void => {
    this.timer = null;
    if (this.fd === -1) return;
    cancel(this.fd, this.onDone);
    this.fd = -1;
    this.report({ status: 'L4TOUT', info: '', code: null, durationMs: Date.now() - this.started });
  };

  constructor(private readonly report: (r: RunResult) => void) {}

  /**
   * Runs one check; false (and nothing reported) when it cannot run natively here, for the
   * caller to take the net.Socket path.
   */
  start(t: CheckTarget, timeoutMs: number): boolean {
    const host = t.checkAddr ?? t.host;
    const family = canProbe(host);
    if (family === 0) return false;
    this.started = Date.now();
    const fd = begin(host, t.checkPort ?? t.checkAddrPort ?? t.port, family, this.onDone);
    if (fd < 0) {
      // Cancelled by abort() like a probe under way (`del server` in between).
      this.failing = nextTurn(() => {
        this.failing = null;
        this.report({ status: 'L4CON', info: strerror(getSystemErrorName(fd)), code: null, durationMs: Date.now() - this.started });
      });
      return true;
    }
    this.fd = fd;
    this.timer = setTimeout(this.onTimeout, Math.max(1, timeoutMs));
    this.timer.unref();
    return true;
  }

  private settle(code: string | null): void {
    this.fd = -1;
    // Cleared, not left to fire into nothing: with `timeout check`, a check's timeout is
    // usually its inter, so a stale one would fire just before every next check.
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const durationMs = Date.now() - this.started;
    this.report(code === null ? { status: 'L4OK', info: '', code: null, durationMs } : { status: 'L4CON', info: strerror(code), code: null, durationMs });
  }

  abort(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.failing?.();
    this.failing = null;
    if (this.fd === -1) return;
    cancel(this.fd, this.onDone);
    this.fd = -1;
  }
}

/**
 * A check's connection on the prober instead of a net.Socket: the same events (connect, data,
 * end, error; half-closed reads keep writing possible), a fraction of the cost per check.
 */
export interface CheckStream {
  write(b: Buffer): void;
  /** Reset (HAProxy's end of a check) or FIN (`linger`). Nothing is reported after. */
  close(reset: boolean): void;
}

/**
 * Opens a check's stream to host:port, or null without a prober or for a non-numeric host
 * (the caller takes net.Socket). `sendFirst`: the check's first step after connecting sends.
 */
export function openStream(host: string, port: number, sendFirst: boolean, ev: StreamEvents): CheckStream | null {
  const family = canProbe(host);
  if (family === 0) return null;
  const p = prober!;
  const fd = p.open(host, port, family, sendFirst);
  if (fd < 0) return { write: () => undefined, close: nextTurn(() => ev.error(getSystemErrorName(fd))) };
  let open = true;
  streams.set(fd, ev);
  return {
    write(b: Buffer): void {
      if (!open) return;
      const r = p.write(fd, b);
      // As a socket's write error: reported asynchronously, the check then reads what it got.
      if (r < 0) setImmediate(() => open && ev.error(getSystemErrorName(r)));
    },
    close(reset: boolean): void {
      if (!open) return;
      open = false;
      streams.delete(fd);
      p.closeStream(fd, reset);
    },
  };
}

/** Closes this thread's prober and its sockets (the control plane stops). */
export function closeProber(): void {
  prober?.close();
  prober = undefined;
  waiting.clear();
  streams.clear();
}
