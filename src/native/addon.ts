// The typed loader for the native addon (native/*.cc, built by node-gyp from binding.gyp into
// build/Release/switchyard.node). The addon is optional: when it is missing or fails to load,
// loadAddon() returns undefined, loadError() says why, and callers take the pure-JS paths.
//
// Each thread (main or worker_thread) loads its own instance: the addon is context-aware and
// keeps no process-global JS state, so everything below works the same inside a worker.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeForwarder, type RawForwarder } from './forwarder.js';

/** A failed syscall, shaped like Node's own system errors. */
export interface NativeSystemError extends Error {
  /** The errno name: 'EADDRINUSE', 'ECONNREFUSED', ... */
  readonly code: string;
  /** Negative errno, as Node reports it (`util.getSystemErrorName(err.errno)` works). */
  readonly errno: number;
  /** The failing call: 'socket', 'setsockopt', 'bind', 'listen', 'accept', 'dup', ... */
  readonly syscall: string;
}

export interface ListenerOptions {
  /** A numeric address of `family`; '' binds the wildcard address. No DNS. */
  readonly host: string;
  /** 0 lets the kernel choose; read it back with localPort(). */
  readonly port: number;
  readonly family: 4 | 6;
  /** SO_REUSEPORT (SO_REUSEADDR is always set). */
  readonly reusePort?: boolean;
  /** IPV6_V6ONLY for family 6; left at the system default when absent. */
  readonly v6only?: boolean;
  /** listen(2) backlog; default 511. */
  readonly backlog?: number;
  /** TCP_DEFER_ACCEPT (1 s): wake the acceptor only once the client has sent data. */
  readonly deferAccept?: boolean;
  /** IP_FREEBIND: bind an address not (yet) configured on this host. */
  readonly freebind?: boolean;
}

/** Passed to startAcceptor's onError. */
export interface AcceptorError extends NativeSystemError {
  /**
   * true: the acceptor thread has stopped (e.g. EBADF/EINVAL: the listener was closed or shut
   * down). false: a resource shortage (EMFILE, ENFILE, ENOBUFS, ENOMEM); the thread pauses
   * 100 ms and retries, reporting once per episode.
   */
  readonly fatal: boolean;
}

export interface Acceptor {
  /**
   * The limits to honour before each accept (HAProxy's maxconn): Int32 slots of the shared
   * connection gauges for the frontend's, the process's and the listener's current count and operator limit
   * (src/ipc/conn-gauges.ts), with the configured limits (0: none). While one is reached the
   * thread accepts nothing and looks again every few ms.
   */
  setLimits(
    gauges: Int32Array,
    feCur: number,
    feLimit: number,
    feConfigured: number,
    globalCur: number,
    globalLimit: number,
    globalConfigured: number,
    listenerCur: number,
    listenerLimit: number,
    listenerConfigured: number,
  ): void;
  /**
   * Stops the accept thread (promptly, it is woken). No callback runs after stop() returns;
   * fds accepted but not yet delivered are closed. The listening fd is not closed. Idempotent.
   */
  stop(): void;
  /** Keep the event loop alive while accepting (the default, like a listening net.Server). */
  ref(): Acceptor;
  /** Let the event loop exit even though the acceptor runs. */
  unref(): Acceptor;
}

export interface ForwardTarget {
  /** A numeric address of `family` (IPv6 may carry a %scope). No DNS. */
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** Timeouts in milliseconds; 0 = none. Integers up to 2^31-1. */
export interface ForwardOptions {
  /** From connect() until the TCP handshake completes → 'connect-error' ETIMEDOUT. */
  readonly connectTimeoutMs: number;
  /** Inactivity on the client side (no read from it, no write to it) → 'client-timeout'. */
  readonly clientTimeoutMs: number;
  /** Inactivity on the server side → 'server-timeout'. */
  readonly serverTimeoutMs: number;
  /** When set, replaces the client and server timeouts once connected (HAProxy `timeout tunnel`). */
  readonly tunnelTimeoutMs?: number;
  /** Client-side inactivity once either direction has ended (HAProxy `timeout client-fin`). */
  readonly clientFinMs?: number;
  /** Server-side inactivity once either direction has ended (HAProxy `timeout server-fin`). */
  readonly serverFinMs?: number;
  /** TCP_NODELAY on the server socket; default true. */
  readonly noDelay?: boolean;
  /** Emit 'connected' (default true). Every event is a thread hop; skip it when unused. */
  readonly notifyConnected?: boolean;
  /** SO_KEEPALIVE on the server socket (`option srvtcpka` / `tcpka`); default false. */
  readonly keepAlive?: boolean;
}

export type ForwardCloseReason =
  | 'client-close'
  | 'server-close'
  | 'client-timeout'
  | 'server-timeout'
  | 'error'
  | 'aborted';

export interface ForwardConnectedEvent {
  readonly type: 'connected';
  readonly id: number;
}

/**
 * The server could not be reached. The forwarder did not close the client fd: it is handed back
 * in `clientFd` (now the caller's again) so JS can retry another server or close it.
 */
export interface ForwardConnectErrorEvent {
  readonly type: 'connect-error';
  readonly id: number;
  /** 'ECONNREFUSED', 'ETIMEDOUT' (connect timeout), 'ENETUNREACH', 'EMFILE', ... */
  readonly code: string;
  readonly errno: number;
  readonly clientFd: number;
}

/**
 * The connection is over; native code has closed both fds. `reason`: the side that ended it
 * (its FIN came first, or it failed: then `code` says how, e.g. ECONNRESET), a timeout,
 * 'error' for a local failure (e.g. no pipe: EMFILE), or 'aborted' (abort() or close()).
 */
export interface ForwardClosedEvent {
  readonly type: 'closed';
  readonly id: number;
  /** Bytes received from the client (client → server). */
  readonly bytesIn: number;
  /** Bytes received from the server (server → client). */
  readonly bytesOut: number;
  readonly reason: ForwardCloseReason;
  readonly code?: string;
  readonly errno?: number;
}

export type ForwardEvent = ForwardConnectedEvent | ForwardConnectErrorEvent | ForwardClosedEvent;

export interface ForwarderStats {
  /** Connections handed to connect() and not yet closed or handed back. */
  readonly active: number;
  /** Pipes holding data right now (an idle connection holds none). */
  readonly pipesInUse: number;
  /** Empty pipes kept for reuse (at most maxPooledPipes). */
  readonly pipesPooled: number;
  /** Capacity of the open pipes (in use or pooled), bytes: the pipe size times the pipes. */
  readonly pipeBytes: number;
}

export interface ForwarderOptions {
  /** Cap on the pool of empty pipes; default 256. */
  readonly maxPooledPipes?: number;
  /** false forces the read/write copy path (benchmarks, tests); default true. */
  readonly splice?: boolean;
  /**
   * Every pipe's size in bytes (global tune.pipesize; the kernel rounds it up to whole pages,
   * and a refusal leaves the system default). 0 (default): the system's size, grown to 1 MiB
   * for a flow that streams.
   */
  readonly pipeSize?: number;
}

export interface Forwarder {
  /**
   * Takes ownership of `clientFd` (never wrap it in JS: one fd, one owner) and forwards it to
   * `target`. Events for this connection go to `cb`: optionally 'connected', then exactly one
   * of 'connect-error' or 'closed'. Throws (and keeps nothing) on invalid arguments or when the
   * forwarder is closed (code ERR_FORWARDER_CLOSED). Returns the connection id.
   */
  connect(
    clientFd: number,
    target: ForwardTarget,
    opts: ForwardOptions,
    cb: (ev: ForwardEvent) => void,
  ): number;
  /** Closes the connection ('closed' with reason 'aborted'); false if `id` is not outstanding. */
  abort(id: number): boolean;
  /**
   * startAcceptor's twin on this forwarder's own thread: it accepts on `fd` (which stays the
   * caller's) and hands the new fds to `cb` together with its connection events, so a new
   * connection wakes one native thread, not two. stop() is synchronous: the fd may be closed
   * once it returns. Throws ERR_FORWARDER_CLOSED after close().
   */
  listen(fd: number, cb: (fds: number[]) => void, onError?: (err: AcceptorError) => void): Acceptor;
  stats(): ForwarderStats;
  /**
   * Stops the epoll thread and closes every connection and pipe; each outstanding connection
   * still gets its 'closed' event (reason 'aborted'), delivered after close() returns. Idempotent.
   */
  close(): void;
}

export interface ProberStats {
  /** Probes under way. */
  readonly inFlight: number;
  /** Sockets kept for the next probes. */
  readonly idle: number;
  /** Sockets created, and probes that reused one. */
  readonly created: number;
  readonly reused: number;
  /** Streams open (open() not yet closed). */
  readonly streams: number;
}

/** Result kinds in onResults' quads [fd or job, kind, value, extra]. */
export const PROBE = {
  /** A probe ended: value is its errno (0: connected). */
  DONE: 0,
  /** A stream connected. */
  CONNECTED: 1,
  /** A stream failed: value is the errno (connect, read or write). */
  ERROR: 2,
  /** A stream read bytes: value is a Buffer. */
  DATA: 3,
  /** The stream's peer closed its side. */
  END: 4,
  /** A scheduled job's probe ended: value is its errno (0: connected), extra its duration (ms). */
  JOB_DONE: 5,
  /** A scheduled job's probe timed out: extra is its duration (ms). */
  JOB_TIMEOUT: 6,
} as const;

/**
 * TCP connect probes (plain health checks) on this thread's event loop: no thread, no
 * net.Socket. The server never accepts a probe (its handshake's last ACK is held back) and
 * the connection is reset once it is up; the socket is kept for the next probe.
 */
export interface Prober {
  /**
   * Starts a connect to a numeric address; returns the probe's fd, or -errno when the connect
   * failed at once (nothing is reported for it). Throws on a non-numeric address.
   */
  probe(host: string, port: number, family: 4 | 6): number;
  /** Forgets a probe under way (its check timed out); false if none was on `fd`. */
  abort(fd: number): boolean;
  /**
   * A stream for a check that sends and reads: its fd, or -errno when the connect failed at
   * once. `sendFirst`: the check writes first (the handshake's last ACK rides with it).
   */
  open(host: string, port: number, family: 4 | 6, sendFirst: boolean): number;
  /** Writes (what the kernel does not take at once follows later): 0, or -errno. */
  write(fd: number, data: Buffer): number;
  /** Ends a stream with a reset (`reset`) or a FIN; nothing is reported for it after. */
  closeStream(fd: number, reset: boolean): boolean;
  /**
   * Registers a scheduled probe job (a plain connect check) under the id `job` (JS picks
   * small integers), or points it at a new address from its next probe on.
   */
  setJob(job: number, host: string, port: number, family: 4 | 6): void;
  /**
   * The job's probe starts `delayMs` from now and times out `timeoutMs` after starting; it
   * replaces a pending start (a probe under way is aborted). One result per arm: JOB_DONE or
   * JOB_TIMEOUT.
   */
  arm(job: number, delayMs: number, timeoutMs: number): void;
  /** Cancels a pending start (`all`: also a probe under way); whether anything was cancelled. */
  disarm(job: number, all: boolean): boolean;
  /** Disarms the job and forgets it. */
  dropJob(job: number): void;
  stats(): ProberStats;
  /** Closes every socket; no onResults call after it. Idempotent. */
  close(): void;
}

/** The resource limits getrlimit()/setrlimit() know, by name (never by a platform's number). */
export type RlimitResource = 'nofile' | 'as' | 'data' | 'core' | 'stack' | 'nproc';

/** One resource's limits. RLIM_INFINITY ("unlimited") is `Infinity`, both ways. */
export interface Rlimit {
  readonly soft: number;
  readonly hard: number;
}

export interface NativeAddon {
  /** The capabilities that work on this OS: 'REUSEPORT', 'SPLICE', 'CPU_AFFINITY'. */
  features(): string[];
  /** A listening, non-blocking, close-on-exec TCP socket fd. Throws NativeSystemError. */
  createListener(opts: ListenerOptions): number;
  /**
   * A listening AF_UNIX stream socket at `path`, bound under a temporary name, given its
   * ownership and mode, then renamed over the path (a stale socket is replaced atomically).
   */
  createUnixListener(opts: { path: string; backlog?: number; mode?: number; uid?: number; gid?: number }): number;
  /** O_NONBLOCK on an inherited descriptor (bind fd@N). */
  setNonBlocking(fd: number): void;
  /** getsockname(2)'s port. */
  localPort(fd: number): number;
  /** getpeername(2)'s address as raw bytes: 4 (IPv4, also when IPv4-mapped) or 16 (IPv6). */
  peerAddress(fd: number): Uint8Array;
  /** getpeername(2)'s port. */
  peerPort(fd: number): number;
  /** getsockname(2)'s address as raw bytes, as peerAddress(). */
  localAddress(fd: number): Uint8Array;
  /**
   * An AF_UNIX datagram socket connected to `path` (a syslog socket such as /dev/log),
   * non-blocking; write datagrams with fs.writeSync. Throws NativeSystemError.
   */
  connectUnixDgram(path: string): number;
  /** fcntl(F_DUPFD_CLOEXEC). */
  dup(fd: number): number;
  close(fd: number): void;
  /**
   * A native thread accepting on `fd` (accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC), delivering
   * batches of new fds to `cb` on this thread. The fds are the callback's to own.
   */
  startAcceptor(fd: number, cb: (fds: number[]) => void, onError?: (err: AcceptorError) => void): Acceptor;
  /** Pins the calling thread (inside a worker_thread: that worker) to one CPU. */
  pinThread(cpu: number): void;
  /** chroot(2) to `path`, then chdir("/"): the whole process. Throws NativeSystemError. */
  chroot(path: string): void;
  /** The calling thread's allowed CPUs. */
  getAffinity(): number[];
  /** The calling thread's kernel thread id. */
  gettid(): number;
  setNoDelay(fd: number, on: boolean): void;
  setKeepAlive(fd: number, on: boolean): void;
  /** shutdown(fd, SHUT_WR). */
  shutdownWrite(fd: number): void;
  /** One forwarder = one native epoll thread; create one per worker thread. */
  createForwarder(opts?: ForwarderOptions): Forwarder;
  /**
   * One prober per thread that runs checks. `onResults` gets each loop turn's results as
   * quads [fd or job, kind, value, extra, ...] (kinds: PROBE).
   */
  createProber(onResults: (results: (number | Buffer)[]) => void): Prober;
  /** getrlimit(2). Process-wide: worker threads share the main thread's limits. */
  getrlimit(resource: RlimitResource): Rlimit;
  /**
   * setrlimit(2) with integers >= 0 or Infinity. Throws NativeSystemError (EPERM: above the hard
   * limit without CAP_SYS_RESOURCE, or 'nofile' above /proc/sys/fs/nr_open; EINVAL: soft > hard).
   */
  setrlimit(resource: RlimitResource, soft: number, hard: number): void;
}

const ADDON_FUNCTIONS: readonly (keyof NativeAddon)[] = [
  'features',
  'createListener',
  'createUnixListener',
  'setNonBlocking',
  'localPort',
  'peerAddress',
  'localAddress',
  'connectUnixDgram',
  'peerPort',
  'dup',
  'close',
  'startAcceptor',
  'pinThread',
  'chroot',
  'getAffinity',
  'gettid',
  'setNoDelay',
  'setKeepAlive',
  'shutdownWrite',
  'createForwarder',
  'createProber',
  'getrlimit',
  'setrlimit',
];

/** native/addon.h kApiVersion: the exports' shape this code was written against. */
const NATIVE_API_VERSION = 3;

/** Set to 1 to run without the addon (exercises the pure-JS paths). */
export const DISABLE_ENV = 'SWITCHYARD_NO_NATIVE';

interface LoadState {
  readonly addon: NativeAddon | undefined;
  readonly error: string | undefined;
}

let state: LoadState | undefined;

/** The package root: the nearest directory above this module whose package.json is ours. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
        if (typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === 'switchyard') {
          return dir;
        }
      } catch {
        // not ours (or unreadable): keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isAddon(value: unknown): value is NativeAddon {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ADDON_FUNCTIONS.every((name) => typeof record[name] === 'function');
}

function load(): LoadState {
  if (process.env[DISABLE_ENV] === '1') {
    return { addon: undefined, error: `disabled by ${DISABLE_ENV}=1` };
  }
  const root = packageRoot();
  if (root === undefined) return { addon: undefined, error: 'package root (package.json) not found' };
  const candidates = [join(root, 'build', 'Release', 'switchyard.node'), join(root, 'build', 'Debug', 'switchyard.node')];
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) return { addon: undefined, error: `not built (${candidates[0]} missing)` };
  try {
    const loaded: unknown = createRequire(import.meta.url)(path);
    if (!isAddon(loaded)) {
      const missing = ADDON_FUNCTIONS.filter((n) => typeof (loaded as Record<string, unknown>)[n] !== 'function');
      return { addon: undefined, error: `${path} is stale (missing ${missing.join(', ')}); rebuild it` };
    }
    const version = (loaded as { apiVersion?: unknown }).apiVersion;
    if (version !== NATIVE_API_VERSION) {
      return { addon: undefined, error: `${path} is stale (API version ${String(version ?? 1)}, this code needs ${NATIVE_API_VERSION}); rebuild it` };
    }
    // The forwarder's native side speaks positional numbers; its JS face is ./forwarder.ts.
    const raw = loaded as unknown as Omit<NativeAddon, 'createForwarder'> & { createForwarder(opts?: ForwarderOptions): RawForwarder };
    const addon: NativeAddon = { ...raw, createForwarder: (opts) => new NativeForwarder(raw.createForwarder(opts)) };
    return { addon, error: undefined };
  } catch (err: unknown) {
    return { addon: undefined, error: `${path}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The addon, or undefined when it is not built or fails to load (see loadError()). Cached. */
export function loadAddon(): NativeAddon | undefined {
  state ??= load();
  return state.addon;
}

/** Why loadAddon() returned undefined; undefined when it loaded. */
export function loadError(): string | undefined {
  state ??= load();
  return state.error;
}

/** The addon's features(), or an empty set without it. */
export function nativeFeatures(): ReadonlySet<string> {
  const addon = loadAddon();
  return new Set(addon === undefined ? [] : addon.features());
}
