// The only things that cross the main/worker wall: these typed messages over a MessagePort,
// the structured-cloned model, and the named SharedArrayBuffer slots (./server-table.ts).

import type { ConfigModel } from '../config/model.js';
import type { MessagePort } from 'node:worker_threads';
import type { ServerChange } from '../dataplane/dynamic-servers.js';

/** How connections reach workers (DESIGN.md: accept modes). */
export type AcceptMode = 'main' | 'shared' | 'reuseport' | 'worker';

/**
 * The standby worker kept under a chroot (src/process/chroot.ts): its thread has loaded the
 * worker's code and waits on `port`. It says 'standing-by', then takes over a dead worker's
 * ServeTask when the main thread sends it one.
 */
export interface StandbyTask {
  readonly standby: true;
  readonly port: MessagePort;
  /** Compiled once before the chroot, so that the files its rules read are in memory. */
  readonly model: ConfigModel;
  readonly baseDir: string;
}

export type StandbyMessage = { readonly type: 'standing-by' } | { readonly type: 'take-over'; readonly task: ServeTask };

export interface ServeTask {
  readonly index: number;
  readonly workers: number;
  readonly model: ConfigModel;
  readonly state: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
  readonly lb: SharedArrayBuffer;
  readonly port: MessagePort;
  readonly mode: AcceptMode;
  /** CPU to pin this worker thread to (cpu-map), if any. */
  readonly cpu: number | null;
  /** shared/reuseport: listening fds for this worker, by listener index. */
  readonly listenFds: Readonly<Record<number, number>>;
  /** One Int32 per worker: its live sessions, read by the main thread to hand out fds. */
  readonly load: SharedArrayBuffer;
  /** Connection gauges (process, then each frontend) for the maxconn limits. */
  readonly conns: SharedArrayBuffer;
  /** The slots of those gauges each worker's sessions hold (ConnGauges.hold). */
  readonly held: SharedArrayBuffer;
  /** Main accept mode: fds each worker took from 'fds' messages (Int32 per worker). */
  readonly taken: SharedArrayBuffer;
  /** Servers added and deleted at run time so far, to apply over the compiled configuration. */
  readonly serverChanges: readonly ServerChange[];
  /** Where relative file names in rules resolve: the start-up directory (not "/" once chrooted). */
  readonly baseDir: string;
}

export type MainToWorker =
  /**
   * main accept mode: accepted fds for this worker (batched: one message per accept batch),
   * already admitted by the main thread's maxconn limiter.
   */
  | { readonly type: 'fds'; readonly fds: readonly number[]; readonly listener: number }
  /** SIGUSR1: stop listening, let open sessions finish. */
  | { readonly type: 'soft-stop' }
  /** SIGTTOU: close the listeners (the ports are released); sessions continue. */
  | { readonly type: 'pause' }
  /** SIGTTIN: listen again; shared/reuseport modes get fresh listening fds. */
  | { readonly type: 'resume'; readonly listenFds: Readonly<Record<number, number>> }
  | { readonly type: 'stop' }
  /** `add server` / `del server`: the backend's server list changed (the slot is in the table). */
  | { readonly type: 'server-change'; readonly change: ServerChange }
  /** on-marked-down/up, `shutdown sessions server`: close the sessions these servers hold now. */
  | { readonly type: 'shutdown-sessions'; readonly slots: readonly number[] }
  /** Close the idle HTTP connections to these servers (entering maintenance). */
  | { readonly type: 'cleanup-idle'; readonly slots: readonly number[] }
  /** `show sess`: list this worker's client sessions (answered with 'sessions'). */
  | { readonly type: 'list-sessions'; readonly req: number }
  /** `shutdown session <id>`: end this session if it is this worker's (answered with 'killed'). */
  | { readonly type: 'kill-session'; readonly req: number; readonly id: number }
  /** Fault injection for tests: the worker dies (honoured only with SWITCHYARD_FAULT_INJECTION=1). */
  | { readonly type: 'fault' };

/** Session ids: (worker index + 1) × SESSION_ID_WORKER + a counter of the worker's own. */
export const SESSION_ID_WORKER = 2 ** 32;

/** One client session as `show sess` lists it. */
export interface SessionRow {
  /** Unique in the process: the worker's index + 1 in the high 32 bits, a counter below. */
  readonly id: number;
  /** `tcpv4`, `tcpv6`, `unix_stream`. */
  readonly proto: string;
  /** The client's address as HAProxy prints it (`127.0.0.1:45742`). */
  readonly src: string;
  readonly fe: string;
  /** The backend and server chosen so far (null: none yet). */
  readonly be: string | null;
  readonly srv: string | null;
  /** When the session started (ms since the epoch). */
  readonly since: number;
  /** Commands run, for a CLI session (data-plane sessions do not count theirs). */
  readonly calls?: number;
}

export type WorkerToMain =
  | { readonly type: 'ready'; readonly index: number; readonly listening: readonly number[] }
  | { readonly type: 'listen-error'; readonly index: number; readonly listener: number; readonly message: string }
  | { readonly type: 'load'; readonly index: number; readonly active: number }
  /** Answer to pause/resume: this worker's listeners are closed / open again. */
  | { readonly type: 'paused' | 'resumed'; readonly index: number }
  | { readonly type: 'sessions'; readonly index: number; readonly req: number; readonly list: readonly SessionRow[] }
  | { readonly type: 'killed'; readonly index: number; readonly req: number; readonly found: boolean };
