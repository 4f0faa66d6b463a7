// The splice forwarder's JS face. The native side speaks in positional numbers: connect()
// takes a registered target id and its timeouts as arguments, and events arrive as
// (kind, id, a, b, c, d). Reading an options object and building an event object in native
// code cost a property-name lookup per field, several microseconds per connection on the L4
// path (perf); here the same objects are plain JS, which V8 builds and reads cheaply.

import { getSystemErrorName } from 'node:util';
import type { Acceptor, AcceptorError, ForwardCloseReason, ForwardEvent, ForwardOptions, ForwardTarget, Forwarder, ForwarderStats } from './addon.js';

/** What native/forwarder.cc exports, argument for argument. */
export interface RawForwarder {
  target(t: ForwardTarget): number;
  connect(
    clientFd: number,
    targetId: number,
    connectTimeoutMs: number,
    clientTimeoutMs: number,
    serverTimeoutMs: number,
    tunnelTimeoutMs: number,
    clientFinMs: number,
    serverFinMs: number,
    flags: number,
    cb: RawEventCallback,
  ): number;
  abort(id: number): boolean;
  stats(): ForwarderStats;
  close(): void;
  listen(fd: number, cb: (fds: number[]) => void, onError?: (err: AcceptorError) => void): number;
  startListening(lid: number): void;
  clearTargets(): void;
  setLimits(lid: number, gauges: Int32Array, ...slots: number[]): void;
  unlisten(lid: number): void;
  refListener(lid: number, ref: boolean): void;
}

/** kind 0 connected; 1 connect-error (errno, clientFd); 2 closed (bytesIn, bytesOut, reason, errno). */
type RawEventCallback = (kind: number, id: number, a: number, b: number, c: number, d: number) => void;

// connect()'s flags and the reasons' order, as native/forwarder.cc numbers them.
const NO_DELAY = 1;
const NOTIFY_CONNECTED = 2;
const KEEP_ALIVE = 4;
/** Distinct server addresses remembered per forwarder before the cache starts over. */
const MAX_TARGETS = 4096;
const REASONS: readonly ForwardCloseReason[] = ['client-close', 'server-close', 'client-timeout', 'server-timeout', 'error', 'aborted'];

export class NativeForwarder implements Forwarder {
  /** Target ids by address: the native side parses each address once. */
  private readonly targets = new Map<string, number>();

  constructor(private readonly raw: RawForwarder) {}

  connect(clientFd: number, target: ForwardTarget, opts: ForwardOptions, cb: (ev: ForwardEvent) => void): number {
    const flags = (opts.noDelay !== false ? NO_DELAY : 0) | (opts.notifyConnected !== false ? NOTIFY_CONNECTED : 0) | (opts.keepAlive ? KEEP_ALIVE : 0);
    return this.raw.connect(
      clientFd,
      this.targetId(target),
      opts.connectTimeoutMs,
      opts.clientTimeoutMs,
      opts.serverTimeoutMs,
      opts.tunnelTimeoutMs ?? 0,
      opts.clientFinMs ?? 0,
      opts.serverFinMs ?? 0,
      flags,
      (kind, id, a, b, c, d) => cb(toEvent(kind, id, a, b, c, d)),
    );
  }

  abort(id: number): boolean {
    return this.raw.abort(id);
  }

  listen(fd: number, cb: (fds: number[]) => void, onError?: (err: AcceptorError) => void): Acceptor {
    const raw = this.raw;
    const lid = onError ? raw.listen(fd, cb, onError) : raw.listen(fd, cb);
    // Accepting begins with the limits (setLimits right after listen(), as callers do), or at
    // the end of this turn without them: never a connection taken before its limits are known.
    let started = false;
    let stopped = false;
    const start = (): void => {
      if (started || stopped) return;
      started = true;
      raw.startListening(lid);
    };
    queueMicrotask(start);
    const acceptor: Acceptor = {
      setLimits: (gauges, ...slots) => {
        raw.setLimits(lid, gauges, ...slots);
        start();
      },
      stop: () => {
        if (stopped) return;
        stopped = true;
        raw.unlisten(lid);
      },
      ref: () => (raw.refListener(lid, true), acceptor),
      unref: () => (raw.refListener(lid, false), acceptor),
    };
    return acceptor;
  }

  stats(): ForwarderStats {
    return this.raw.stats();
  }

  close(): void {
    this.raw.close();
  }

  private targetId(t: ForwardTarget): number {
    const key = `${t.family} ${t.host} ${t.port}`;
    let id = this.targets.get(key);
    if (id === undefined) {
      // Bounded: servers whose addresses change at run time must not grow it for ever.
      if (this.targets.size >= MAX_TARGETS) {
        this.raw.clearTargets();
        this.targets.clear();
      }
      id = this.raw.target({ host: t.host, port: t.port, family: t.family }); // throws on a bad address
      this.targets.set(key, id);
    }
    return id;
  }
}

function toEvent(kind: number, id: number, a: number, b: number, c: number, d: number): ForwardEvent {
  if (kind === 0) return { type: 'connected', id };
  if (kind === 1) return { type: 'connect-error', id, code: getSystemErrorName(-a), errno: -a, clientFd: b };
  const reason = REASONS[c] ?? 'error';
  return d === 0 ? { type: 'closed', id, bytesIn: a, bytesOut: b, reason } : { type: 'closed', id, bytesIn: a, bytesOut: b, reason, code: getSystemErrorName(-d), errno: -d };
}
