// Plain TCP connect checks through the native prober (native/prober.cc) when the addon is
// loaded: HAProxy's own way of running them (the server never accepts the connection; it is
// reset once established) at a fraction of a net.Socket's cost. Without the addon, or for an
// address that is not a literal, callers keep their net.Socket path.
//
// Two users: CheckRun (session.ts) for a rule list that ends with a connect, and ProbeJob
// below, the common `check` with nothing but its implicit connect, which runs thousands of
// times a second with many servers: the prober keeps its schedule (start and timeout) on its
// own timer, so each check costs JS one callback with its result and nothing else.

import { isIP } from 'node:net';
import { getSystemErrorName } from 'node:util';
import { loadAddon, PROBE, type Prober } from '../native/addon.js';
import type { Rule } from './rules.js';
import type { CheckTarget, RunHandle, RunResult } from './session.js';
import { strerror } from '../net/strerror.js';
import type { ClientSide } from '../net/proxy-protocol.js';
import { fdEnds } from '../native/fd-ends.js';

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
/** Scheduled jobs by id, and the ids free for reuse. */
const jobs: (ProbeJob | undefined)[] = [];
const freeJobIds: number[] = [];

function deliver(results: (number | Buffer)[]): void {
  for (let i = 0; i + 3 < results.length; i += 4) {
    const fd = results[i] as number;
    const kind = results[i + 1] as number;
    const value = results[i + 2]!;
    if (kind === PROBE.JOB_DONE || kind === PROBE.JOB_TIMEOUT) {
      jobs[fd]?.settle(kind === PROBE.JOB_TIMEOUT ? -1 : (value as number), results[i + 3] as number);
      continue;
    }
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
  // -errno: the connect failed at once (reported on the next turn, as below).
  const fd = prober!.probe(host, port, family);
  if (fd < 0) return { abort: nextTurn(() => done(getSystemErrorName(fd))) };
  waiting.set(fd, done);
  return { abort: () => cancel(fd, done) };
}

/** Whether a check is only its implicit connect (a plain `check`: L4OK with no info). */
export function connectOnly(rules: readonly Rule[], tcpProto: boolean): boolean {
  const r = rules[0];
  return !tcpProto && rules.length === 1 && r?.kind === 'connect' && r.implicit && !r.linger;
}

/** A delay the native timer takes: whole ms up to 2^31-1 (inter 24d with spread-checks goes beyond). */
const clampMs = (ms: number, min: number): number => Math.min(2 ** 31 - 1, Math.max(min, Math.floor(ms)));

/**
 * One server's plain connect check on the prober's schedule (setJob/arm): no JS timer, no
 * object or closure per check beyond its result. The verdicts are CheckRun's for the same
 * rule: L4OK, L4CON with the error's text, L4TOUT.
 */
export class ProbeJob implements RunHandle {
  /** The native job's id while the target can be probed natively, else -1. */
  private id = -1;

  constructor(private readonly report: (r: RunResult) => void) {}

  /**
   * Points the job at the check's target; false when this thread cannot probe it natively
   * (no prober, or a name rather than an address): the caller then runs CheckRun instead.
   */
  retarget(t: CheckTarget): boolean {
    const host = t.checkAddr ?? t.host;
    const family = canProbe(host);
    // canProbe opened a prober if there was none: a job id from a closed one is stale.
    if (this.id !== -1 && jobs[this.id] !== this) this.id = -1;
    if (family === 0) {
      this.drop();
      return false;
    }
    if (this.id === -1) {
      this.id = freeJobIds.pop() ?? jobs.length;
      jobs[this.id] = this;
    }
    prober!.setJob(this.id, host, t.checkPort ?? t.checkAddrPort ?? t.port, family);
    return true;
  }

  /** The check runs `delayMs` from now; its connect times out `timeoutMs` after it starts. */
  arm(delayMs: number, timeoutMs: number): void {
    if (this.id === -1 || !prober) return;
    prober.arm(this.id, clampMs(delayMs, 0), clampMs(timeoutMs, 1));
  }

  /** Cancels a start still pending (a check under way still reports); whether one was. */
  disarm(): boolean {
    return this.id !== -1 && !!prober && prober.disarm(this.id, false);
  }

  /** `errno` -1: timed out. */
  settle(errno: number, durationMs: number): void {
    if (errno === 0) this.report({ status: 'L4OK', info: '', code: null, durationMs });
    else if (errno === -1) this.report({ status: 'L4TOUT', info: '', code: null, durationMs });
    else this.report({ status: 'L4CON', info: strerror(getSystemErrorName(-errno)), code: null, durationMs });
  }

  /** Nothing more is reported: a pending start and a check under way are cancelled. */
  abort(): void {
    if (this.id !== -1) prober?.disarm(this.id, true);
  }

  /** The job is gone (`del server`, or its target is no longer an address). */
  drop(): void {
    if (this.id === -1) return;
    prober?.dropJob(this.id);
    jobs[this.id] = undefined;
    freeJobIds.push(this.id);
    this.id = -1;
  }
}

/**
 * A check's connection on the prober instead of a net.Socket: the same events (connect, data,
 * end, error; half-closed reads keep writing possible), a fraction of the cost per check.
 */
export interface CheckStream {
  write(b: Buffer): void;
  /** Its local (src) and remote (dst) addresses once connected; null when they cannot be read. */
  ends(): ClientSide | null;
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
  if (fd < 0) return { write: () => undefined, ends: () => null, close: nextTurn(() => ev.error(getSystemErrorName(fd))) };
  let open = true;
  streams.set(fd, ev);
  return {
    write(b: Buffer): void {
      if (!open) return;
      const r = p.write(fd, b);
      // As a socket's write error: reported asynchronously, the check then reads what it got.
      if (r < 0) setImmediate(() => open && ev.error(getSystemErrorName(r)));
    },
    ends: () => socketEnds(fd),
    close(reset: boolean): void {
      if (!open) return;
      open = false;
      streams.delete(fd);
      p.closeStream(fd, reset);
    },
  };
}

/** A prober stream's addresses for a PROXY header: a check's source is its own (local) end. */
function socketEnds(fd: number): ClientSide | null {
  const addon = loadAddon();
  const e = addon ? fdEnds(addon, fd) : null;
  // Reset meanwhile: the header says UNKNOWN.
  return e && { family: e.family, src: e.dst, srcPort: e.dstPort, dst: e.src, dstPort: e.srcPort };
}

/** Closes this thread's prober and its sockets (the control plane stops). */
export function closeProber(): void {
  prober?.close();
  prober = undefined;
  waiting.clear();
  streams.clear();
  jobs.length = 0;
  freeJobIds.length = 0;
}
