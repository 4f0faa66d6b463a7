// The control-plane side of the data plane: the shared server table, the piscina pool of
// exactly `nbthread` workers each running one long-lived `serve` task, the accept modes
// (DESIGN.md): `main` (a native accept thread here hands fds to the least-loaded worker),
// `shared` (one listening socket dup()ed to every worker), `reuseport` (one SO_REUSEPORT
// socket per worker), and `worker` (no native addon: each listener owned by one worker).
// A crashed worker's task is run again alone; soft and hard stop.

import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ConfigModel } from '../config/model.js';
import { ServerTable, SRV, SRV_SLOTS, ADMIN_MAINT } from '../ipc/server-table.js';
import { SESSION_ID_WORKER, type AcceptMode, type MainToWorker, type ServeTask, type SessionRow, type StandbyMessage, type StandbyTask, type WorkerToMain } from '../ipc/messages.js';
import { chrootDir } from '../process/chroot.js';
import { computeLayout } from './layout.js';
import { compileRuntime, listenBacklog, type Runtime, type RuntimeBackend, type RuntimeListener, type RuntimeServer } from './compile.js';
import { applyServerChange, ServerSlots, spareSlots, type ServerChange } from './dynamic-servers.js';
import { cpuPlan } from './cpu-map.js';
import { resolveServerNames } from './resolve.js';
import { ConnGauges } from '../ipc/conn-gauges.js';
import { Limiter, gateAcceptor } from './limiter.js';
import { loadAddon, loadError, type Acceptor, type NativeAddon } from '../native/addon.js';
import { LB_SHARED, LB_SHARED_SLOTS } from '../lb/types.js';
import { bindErrorText } from '../listeners/bind-error.js';
import { BackendCounters } from '../ipc/backend-counters.js';

/** Listeners that could not be opened: HAProxy's line for each (the message: the first). */
class BindFailures extends Error {
  constructor(readonly messages: readonly string[]) {
    super(messages[0]);
  }
}

/** How long a question to the workers (`show sess`) waits for a worker that may have died. */
const QUESTION_TIMEOUT_MS = 1000;

export interface DataPlaneOptions {
  readonly threads?: number;
  readonly mode?: AcceptMode;
  /** Called for each problem a worker reports (listen errors). */
  readonly onProblem?: (message: string) => void;
  /** Called once with a start-up notice (e.g. the native addon is missing). */
  readonly onNotice?: (message: string) => void;
}

/** Runs a serve task on some thread; settles when the task ends (its thread died: rejects). */
type TaskRunner = (task: ServeTask, transferList: MessagePort[]) => Promise<unknown>;

export class DataPlane {
  private pool: Piscina | undefined;
  private ports: (MessagePort | undefined)[] = [];
  /** The serve task of each worker slot (replaced when a worker is restarted). */
  private running: Promise<unknown>[] = [];
  private stopping = false;
  private paused = false;
  /** Waiters for the workers' answers to pause/resume, called with the worker index. */
  private readonly acks = new Map<'paused' | 'resumed', (worker: number) => void>();
  /** Questions to the workers awaiting their answers ('sessions', 'killed'), by request number. */
  private readonly questions = new Map<number, (m: WorkerToMain) => void>();
  private nextQuestion = 1;
  private acceptors: Acceptor[] = [];
  private ownedFds: number[] = [];
  /** unix@ listeners by listener index: open from start to stop, a pause included. */
  private readonly unixFds = new Map<number, number>();
  /** reuseport: per worker, the SO_REUSEPORT sockets opened for it (also in ownedFds). */
  private reuseportOf: number[][] = [];
  /** Workers that died and could not be replaced (under a chroot): nothing goes to them. */
  private readonly lost = new Set<number>();
  private listenFds: Record<number, number>[] = [];
  private readonly addon: NativeAddon | undefined;
  /** The compiled configuration (backends, servers with their table slots, frontends). */
  readonly runtime: Runtime;
  private readonly cpus: (number | null)[];
  readonly table: ServerTable;
  private readonly lb: SharedArrayBuffer;
  /** Each backend's own session and connection-error counts (../ipc/backend-counters.ts). */
  readonly backendCounters: BackendCounters;
  private readonly load: Int32Array;
  /**
   * Main accept mode: per worker, how many dispatched fds it has taken over (it counts them
   * first thing), and the fds sent to it that it may not have taken yet. A worker that dies
   * leaves the ones still in its message queue open and owned by nobody: they are closed.
   */
  private readonly taken: Int32Array;
  private readonly sent: { fds: number[]; base: number }[];
  /** Connection gauges and counters per frontend (read and tuned by the runtime API). */
  readonly gauges: ConnGauges;
  /** Each listener's frontend index (main accept mode counts dispatched connections by both). */
  private readonly feOfListener: number[] = [];
  /** main mode: admission (frontend/global maxconn) happens here, before fds are handed out. */
  private readonly limiter: Limiter;
  readonly threads: number;
  readonly mode: AcceptMode;
  /** Tasks that ended because their worker died and were started again. */
  restarts = 0;
  /** The `chroot` directory, if any (see standBy()). */
  private readonly jail: string | undefined;
  /** The start-up directory, where relative file names in rules resolve (a chroot moves the cwd to "/"). */
  private readonly baseDir = process.cwd();
  /** Under a chroot: the loaded spare thread, waiting for a dead worker's task (standBy()). */
  private standby: { readonly port: MessagePort; readonly running: Promise<unknown> } | null = null;
  /** Problems workers reported while starting (listeners that could not bind). */
  readonly problems: string[] = [];
  /** While the workers start: their listen errors, reported in listener order once all are in. */
  private startErrors: { listener: number; message: string }[] | null = null;
  /** Server table slots: the configured servers', then spares for `add server`. */
  readonly slots: ServerSlots;
  /** False with global `noreuseport`. */
  private readonly reusePort: boolean;

  constructor(private readonly model: ConfigModel, private readonly opts: DataPlaneOptions = {}) {
    this.jail = chrootDir(model);
    const nb = model.global.settings['nbthread']?.value;
    this.threads = opts.threads ?? (typeof nb === 'number' ? nb : availableParallelism());
    const configured = model.global.settings['switchyard.accept-mode']?.value;
    // Default 'shared': measured best in bench/results/l4.md (CPU per connection and per GB).
    let wanted = opts.mode ?? (configured === 'main' || configured === 'shared' || configured === 'reuseport' ? configured : 'shared');
    // Global `noreuseport`: no socket gets SO_REUSEPORT, so one socket per worker cannot be.
    this.reusePort = model.global.settings['noreuseport'] === undefined;
    if (!this.reusePort && wanted === 'reuseport') {
      wanted = 'shared';
      opts.onNotice?.("'noreuseport' is set: 'switchyard.accept-mode reuseport' needs SO_REUSEPORT, using 'shared' (one listening socket for all workers).");
    }
    this.addon = wanted === 'worker' ? undefined : loadAddon();
    this.mode = this.addon ? wanted : 'worker';
    if (!this.addon && wanted !== 'worker') {
      opts.onNotice?.(`native addon not loaded (${loadError() ?? 'unknown reason'}): pure-JS listeners, each owned by one worker thread, no splice, no CPU pinning.`);
    }
    const layout = computeLayout(model);
    this.runtime = compileRuntime(model, layout);
    this.cpus = cpuPlan(model, this.threads);
    this.slots = new ServerSlots(layout.servers, layout.servers + spareSlots(model));
    this.table = ServerTable.create(this.slots.capacity, this.threads);
    this.lb = new SharedArrayBuffer(layout.lbSlots * 4);
    this.backendCounters = new BackendCounters(this.lb);
    this.load = new Int32Array(new SharedArrayBuffer(Math.max(1, this.threads) * 4));
    this.taken = new Int32Array(new SharedArrayBuffer(Math.max(1, this.threads) * 4));
    this.sent = Array.from({ length: this.threads }, () => ({ fds: [], base: 0 }));
    this.gauges = ConnGauges.create(this.runtime.frontends.length, this.runtime.frontends.reduce((n, f) => n + f.listeners.length, 0), this.threads);
    this.limiter = new Limiter(this.gauges, this.runtime.globalMaxconn);
    for (const f of this.runtime.frontends) for (const l of f.listeners) this.feOfListener[l.index] = f.index;
    for (const be of this.runtime.backends.values()) {
      for (const s of be.servers) this.initSlot(s, s.disabled);
    }
  }

  /** A server's record in the table as it starts: up, weights and maxconn from its line. */
  private initSlot(s: RuntimeServer, maint: boolean): void {
    for (let f = 0; f < SRV_SLOTS; f++) this.table.set(s.slot, f, 0);
    this.table.set(s.slot, SRV.UP, 1);
    this.table.set(s.slot, SRV.ADMIN, maint ? ADMIN_MAINT : 0);
    this.table.set(s.slot, SRV.WEIGHT, s.weight);
    this.table.set(s.slot, SRV.WEIGHT_INIT, s.weight);
    this.table.set(s.slot, SRV.WEIGHT_USER, s.weight);
    this.table.set(s.slot, SRV.MAXCONN, s.maxconn);
  }

  /**
   * `add server`: the server (in a slot from `slots.take()`) joins its backend here and in
   * every worker. Its counters start at zero, even in a slot a deleted server used.
   */
  addServer(be: RuntimeBackend, s: RuntimeServer, maint: boolean): void {
    this.initSlot(s, maint);
    this.table.clearServerCounters(s.slot);
    this.changeServers(this.slots.add(be.name, s));
  }

  /** `del server`: the server leaves its backend everywhere; its slot can be reused. */
  removeServer(be: RuntimeBackend, slot: number): void {
    this.changeServers(this.slots.remove(be.name, slot));
  }

  /**
   * Close the sessions connected to these servers on every thread (HAProxy's
   * srv_shutdown_streams): nothing is kept for workers started later, which hold none.
   */
  shutdownSessions(slots: readonly number[]): void {
    if (slots.length > 0) this.broadcast({ type: 'shutdown-sessions', slots });
  }

  /** Close the idle connections to these servers on every thread (srv_cleanup_connections). */
  cleanupIdle(slots: readonly number[]): void {
    if (slots.length > 0) this.broadcast({ type: 'cleanup-idle', slots });
  }

  private changeServers(c: ServerChange): void {
    applyServerChange(this.runtime.backends, c);
    this.broadcast({ type: 'server-change', change: c });
    this.touchBackend(c.backend);
  }

  /**
   * Tell every worker's balancers that a server of `backend` changed state or weight (health
   * checks, the runtime API): they rebuild their candidate lists on their next pick.
   */
  touchBackend(backend: string): void {
    const be = this.runtime.backends.get(backend);
    if (!be) return;
    Atomics.add(new Int32Array(this.lb, be.lbOffset * 4, LB_SHARED_SLOTS), LB_SHARED.VERSION, 1);
  }

  private listeners(): RuntimeListener[] {
    return this.runtime.frontends.flatMap((f) => f.listeners);
  }

  /** Create the native listening sockets the accept mode needs (throws on bind errors). */
  private bindNative(addon: NativeAddon): void {
    this.listenFds = Array.from({ length: this.threads }, () => ({}));
    // Every listener is tried and every failure reported, as HAProxy does before it exits.
    const failures: string[] = [];
    for (const l of this.listeners()) {
      try {
        this.bindOne(addon, l);
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
    }
    if (failures.length > 0) throw new BindFailures(failures);
  }

  private bindOne(addon: NativeAddon, l: RuntimeListener): void {
    const fe = this.runtime.frontends.find((f) => f.listeners.includes(l))!;
    const open = (reusePort: boolean): number => {
      try {
        let fd: number;
        if (l.kind === 'unix') {
          // Kept through a pause, as HAProxy keeps its unix sockets (it only stops accepting):
          // the same socket serves again on resume, even where its path is now out of reach.
          const kept = this.unixFds.get(l.index);
          if (kept !== undefined) return kept;
          const p = l.unixPerm;
          fd = addon.createUnixListener({ path: l.path, backlog: listenBacklog(l), ...(p.mode >= 0 ? { mode: p.mode } : {}), ...(p.uid >= 0 ? { uid: p.uid } : {}), ...(p.gid >= 0 ? { gid: p.gid } : {}) });
          this.unixFds.set(l.index, fd);
          return fd;
        } else if (l.kind === 'fd') {
          // The inherited descriptor stays open for the process's life (a pause cannot
          // re-create it); workers and the accept thread get dups.
          addon.setNonBlocking(l.fd);
          fd = addon.dup(l.fd);
        } else {
          fd = addon.createListener({ host: l.host, port: l.port, family: l.family, reusePort, backlog: listenBacklog(l) });
        }
        this.ownedFds.push(fd);
        return fd;
      } catch (e) {
        // HAProxy prints strerror() alone: "(Address already in use)".
        const text = (e instanceof Error ? e.message : String(e)).replace(/^[a-z]+ E[A-Z]+: /, '').replace(/ \S+(:\d+)?$/, '');
        throw new Error(bindErrorText(fe.owner, l.where, l, text));
      }
    };
    // SO_REUSEPORT groups only exist for TCP: other listeners are shared between workers.
    const mode = l.kind !== 'tcp' ? (this.mode === 'main' ? 'main' : 'shared') : l.shardsByThread ? 'reuseport' : this.mode;
    if (mode === 'main') {
      const fd = open(false);
      const a = addon.startAcceptor(fd, (fds) => {
        // Admitted now: one batch; admitted later (after waiting for a slot): one by one.
        let batch: number[] | undefined = [];
        for (const f of fds) this.limiter.admit(fe, l, () => (batch ? batch.push(f) : this.dispatch([f], l.index)), () => addon.close(f));
        const now = batch;
        batch = undefined;
        if (now.length) this.dispatch(now, l.index);
      });
      // A listener or frontend at its maxconn stops accepting (the kernel keeps new connections).
      gateAcceptor(a, this.gauges, fe, l, this.runtime.globalMaxconn);
      this.acceptors.push(a);
    } else if (mode === 'shared') {
      const fd = open(false);
      for (let w = 0; w < this.threads; w++) if (!this.lost.has(w)) this.listenFds[w]![l.index] = addon.dup(fd);
    } else {
      // Each worker gets a dup of its own SO_REUSEPORT socket: the original stays here, so
      // every fd has exactly one closer (never a double close of a reused fd number). With
      // `noreuseport` (only `shards by-thread` gets here then) the second bind fails with
      // EADDRINUSE and start-up stops, as HAProxy's does.
      for (let w = 0; w < this.threads; w++) {
        if (this.lost.has(w)) continue; // a socket of the group nobody accepts on would take its share
        const own = open(this.reusePort);
        (this.reuseportOf[w] ??= []).push(own);
        this.listenFds[w]![l.index] = addon.dup(own);
      }
    }
  }

  /**
   * main mode: each accepted fd goes to the least-loaded worker; a batch from the accept
   * thread becomes one message per worker (each message is a thread hop).
   */
  private dispatch(fds: number[], listener: number): void {
    const perWorker = new Map<number, number[]>();
    const fe = this.feOfListener[listener] ?? 0;
    for (const fd of fds) {
      // The least-loaded worker that is there (one being replaced queues them; a lost one never).
      let best = -1;
      for (let w = 0; w < this.threads; w++) {
        if (!this.lost.has(w) && (best < 0 || Atomics.load(this.load, w) < Atomics.load(this.load, best))) best = w;
      }
      if (best < 0 || !this.ports[best] || this.stopping) {
        this.addon?.close(fd);
        this.gauges.leave(fe, listener); // admitted, but no worker will ever end it
        continue;
      }
      Atomics.add(this.load, best, 1); // counted until the worker takes it over
      this.gauges.hold(best, fe, listener);
      let list = perWorker.get(best);
      if (!list) perWorker.set(best, (list = []));
      list.push(fd);
    }
    for (const [w, list] of perWorker) {
      const q = this.sent[w]!;
      // Forget what the worker has taken since the last batch.
      const drop = Math.min(Atomics.load(this.taken, w) - q.base, q.fds.length);
      if (drop > 0) {
        q.fds.splice(0, drop);
        q.base += drop;
      }
      q.fds.push(...list);
      this.ports[w]!.postMessage({ type: 'fds', fds: list, listener } satisfies MainToWorker);
    }
  }

  /** Worker `w` died: close the fds sent to it that it never took (their slots are reclaimed). */
  private closeUndelivered(w: number): void {
    const q = this.sent[w]!;
    for (const fd of q.fds.slice(Math.max(0, Atomics.load(this.taken, w) - q.base))) this.addon?.close(fd);
    this.sent[w] = { fds: [], base: 0 };
    Atomics.store(this.taken, w, 0);
  }

  /** Start every worker; resolves once all of them are serving. */
  async start(): Promise<void> {
    // Under a chroot a thread that dies cannot load its code again: one more thread, loaded
    // now, stands by to take over (src/process/chroot.ts).
    const standby = this.jail !== undefined ? 1 : 0;
    this.pool = new Piscina({
      filename: new URL('../../workers/serve.js', import.meta.url).href,
      minThreads: this.threads + standby,
      maxThreads: this.threads + standby,
      // 'sync' would block an idle worker's event loop, which owns sockets.
      atomics: 'disabled',
      idleTimeout: Infinity,
      concurrentTasksPerWorker: 1,
      maxQueue: 0,
    });
    // A thread piscina starts to replace a dead one and that fails while loading its code
    // (inside a chroot it always does: the standby then was the last spare, said once).
    let toldNoSpare = false;
    this.pool.on('error', (e: unknown) => {
      const why = e instanceof Error ? e.message : String(e);
      const jail = this.jail;
      if (jail === undefined) this.problem(`A worker thread could not start: ${why}`);
      else if (!toldNoSpare) {
        toldNoSpare = true;
        this.problem(`No standby worker any more: a new thread cannot load its code inside chroot(${jail}) (${why}). A worker that dies from now on is not replaced.`);
      }
    });
    for (const e of await resolveServerNames(this.model)) {
      this.problems.push(e);
      this.opts.onProblem?.(`config : ${e}`);
    }
    if (this.problems.length > 0) {
      await this.stop();
      throw new Error('config : Failed to initialize server(s) addr.');
    }
    if (this.addon) {
      try {
        this.bindNative(this.addon);
      } catch (e) {
        for (const m of e instanceof BindFailures ? e.messages : [e instanceof Error ? e.message : String(e)]) this.problem(m);
      }
    }
    if (this.problems.length === 0) {
      this.startErrors = [];
      await Promise.all(Array.from({ length: this.threads }, (_, i) => this.serve(i)));
      if (standby) await this.standBy();
      // Workers report their listeners' failures in whatever order they ran: HAProxy's is
      // the configuration's.
      for (const f of this.startErrors.sort((a, b) => a.listener - b.listener)) this.problem(f.message);
      this.startErrors = null;
    }
    if (this.problems.length > 0) {
      await this.stop();
      throw new Error('[switchyard.main()] Some protocols failed to start their listeners! Exiting.');
    }
  }

  private problem(message: string): void {
    this.problems.push(message);
    this.opts.onProblem?.(message);
  }

  /**
   * Starts the standby (under a chroot): one more task, on the thread the pool keeps beyond
   * `nbthread`, that waits for a dead worker's task. Resolves once its code is loaded.
   */
  private async standBy(): Promise<void> {
    const { port1, port2 } = new MessageChannel();
    const standing = new Promise<void>((resolve) => port1.once('message', () => resolve()));
    const running = this.pool!.run({ standby: true, port: port2, model: this.model, baseDir: this.baseDir } satisfies StandbyTask, { transferList: [port2] });
    // It ends with the pool (destroyed at stop) unless it took over a worker's task.
    running.catch(() => undefined);
    await standing;
    this.standby = { port: port1, running };
  }

  /** The standby as a task runner, once: it takes the task over its port. */
  private takeStandby(): TaskRunner | undefined {
    const s = this.standby;
    if (!s) return undefined;
    this.standby = null;
    return (task, transferList) => {
      s.port.postMessage({ type: 'take-over', task } satisfies StandbyMessage, transferList);
      return s.running;
    };
  }

  /** Run the serve task for worker slot `i` (by default on a pool thread); if its thread dies, run it again. */
  private serve(i: number, run: TaskRunner = (task, transferList) => this.pool!.run(task, { transferList })): Promise<void> {
    return new Promise<void>((ready) => {
      const { port1, port2 } = new MessageChannel();
      this.ports[i] = port1;
      let served = false;
      port1.on('message', (m: WorkerToMain) => {
        if (m.type === 'ready') {
          served = true;
          ready();
        }
        else if (m.type === 'paused' || m.type === 'resumed') this.acks.get(m.type)?.(i);
        else if (m.type === 'sessions' || m.type === 'killed') this.questions.get(m.req)?.(m);
        else if (m.type === 'listen-error') {
          if (this.startErrors) this.startErrors.push(m);
          else this.problem(m.message);
        }
      });
      const task: ServeTask = {
        index: i,
        workers: this.threads,
        model: this.model,
        state: this.table.buf.state,
        counters: this.table.buf.counters,
        lb: this.lb,
        port: port2,
        mode: this.mode,
        cpu: this.addon ? (this.cpus[i] ?? null) : null,
        listenFds: this.listenFds[i] ?? {},
        load: this.load.buffer as SharedArrayBuffer,
        conns: this.gauges.buf,
        held: this.gauges.heldBuf,
        taken: this.taken.buffer as SharedArrayBuffer,
        serverChanges: this.slots.current(),
        baseDir: this.baseDir,
      };
      this.running[i] = run(task, [port2]).then(
        () => port1.close(),
        () => {
          port1.close();
          this.ports[i] = undefined;
          if (this.stopping) return;
          if (!served) {
            // It never came up (no thread to run it: under a chroot, once the standby is used).
            // Trying again would fail the same way, at once and for ever.
            this.loseWorker(i);
            this.problem(`Worker ${i + 1} of ${this.threads} could not be started again; the others go on serving.`);
            ready();
            return;
          }
          // The thread died (an uncaught error escaped a session): replace it alone.
          Atomics.store(this.load, i, 0);
          // Its idle server connections (and their estimates) died with it, and so did its
          // sessions: their maxconn slots come back.
          this.table.clearWorkerGauges(i);
          this.closeUndelivered(i);
          this.gauges.reclaim(i);
          const jail = this.jail;
          let run: TaskRunner | undefined;
          if (jail !== undefined) {
            // Inside the jail only the standby can take over: a new thread cannot load its code.
            run = this.takeStandby();
            if (!run) {
              this.loseWorker(i);
              this.problem(`Worker ${i + 1} of ${this.threads} died and cannot be replaced inside chroot(${jail}); the others go on serving.`);
              return;
            }
          }
          this.restarts++;
          void this.serve(i, run).then(ready);
        },
      );
    });
  }

  /**
   * Ask live workers a question and gather their answers; a worker that does not answer
   * within QUESTION_TIMEOUT_MS (it died meanwhile) is left out.
   */
  private ask<T>(workers: readonly number[], send: (req: number, port: MessagePort) => void, take: (m: WorkerToMain) => T | undefined): Promise<T[]> {
    const live = workers.filter((i) => this.ports[i]);
    if (live.length === 0) return Promise.resolve([]);
    const req = this.nextQuestion++;
    return new Promise((resolve) => {
      const got: T[] = [];
      let left = live.length;
      const done = (): void => {
        clearTimeout(timer);
        this.questions.delete(req);
        resolve(got);
      };
      const timer = setTimeout(done, QUESTION_TIMEOUT_MS);
      this.questions.set(req, (m) => {
        const v = take(m);
        if (v !== undefined) got.push(v);
        if (--left === 0) done();
      });
      for (const i of live) send(req, this.ports[i]!);
    });
  }

  /** `show sess`: every worker's client sessions, worker by worker, oldest first. */
  async sessions(): Promise<SessionRow[]> {
    const all = Array.from({ length: this.threads }, (_, i) => i);
    const lists = await this.ask(all, (req, p) => p.postMessage({ type: 'list-sessions', req } satisfies MainToWorker), (m) => (m.type === 'sessions' ? m : undefined));
    return lists.sort((a, b) => a.index - b.index).flatMap((m) => m.list);
  }

  /** `shutdown session <id>`: false when no worker has it. */
  async killSession(id: number): Promise<boolean> {
    const worker = Math.floor(id / SESSION_ID_WORKER) - 1;
    if (worker < 0 || worker >= this.threads) return false;
    const r = await this.ask([worker], (req, p) => p.postMessage({ type: 'kill-session', req, id } satisfies MainToWorker), (m) => (m.type === 'killed' ? m.found : undefined));
    return r[0] === true;
  }

  /** Tests: make worker `i` die (needs SWITCHYARD_FAULT_INJECTION=1). */
  injectFault(i: number): void {
    this.ports[i]?.postMessage({ type: 'fault' } satisfies MainToWorker);
  }

  /** Live sessions per worker, from the shared load table. */
  loads(): number[] {
    return Array.from({ length: this.threads }, (_, i) => Atomics.load(this.load, i));
  }

  private broadcast(m: MainToWorker): void {
    for (const p of this.ports) p?.postMessage(m);
  }

  private closeListeners(): void {
    this.limiter.close();
    this.releaseListeners();
    for (const fd of this.unixFds.values()) this.addon?.close(fd);
    this.unixFds.clear();
  }

  /** Close the listening sockets this thread owns (acceptor threads first). */
  private releaseListeners(): void {
    for (const a of this.acceptors) a.stop();
    this.acceptors = [];
    for (const fd of this.ownedFds) this.addon?.close(fd);
    this.ownedFds = [];
    this.reuseportOf = [];
  }

  /**
   * Worker `i` died for good: no connection is sent to it any more, and its listening sockets
   * close (its SO_REUSEPORT ones would keep their share of new connections). Nobody else
   * closes them: a dead thread's fds stay open in the process.
   */
  private loseWorker(i: number): void {
    this.lost.add(i);
    for (const fd of Object.values(this.listenFds[i] ?? {})) this.addon?.close(fd);
    this.listenFds[i] = {};
    const own = new Set(this.reuseportOf[i] ?? []);
    for (const fd of own) this.addon?.close(fd);
    this.ownedFds = this.ownedFds.filter((fd) => !own.has(fd));
    this.reuseportOf[i] = [];
  }

  /**
   * SIGTTOU: stop listening and release the ports (another process may bind them), keeping
   * open sessions. Returns the frontends paused, for HAProxy's "Paused frontend fe." lines.
   */
  async pause(): Promise<{ name: string; listen: boolean }[]> {
    if (this.stopping || this.paused) return [];
    this.paused = true;
    this.releaseListeners();
    // The port is free only once every worker has closed its copy of the socket.
    await this.everyWorker('paused', () => this.broadcast({ type: 'pause' }));
    return this.frontendKinds();
  }

  /** Send something to every live worker and wait until each answers `ack`. */
  private everyWorker(ack: 'paused' | 'resumed', send: () => void): Promise<void> {
    const waiting = new Set(this.ports.flatMap((p, i) => (p ? [i] : [])));
    return new Promise<void>((resolve) => {
      if (waiting.size === 0) return resolve();
      this.acks.set(ack, (w) => {
        waiting.delete(w);
        if (waiting.size === 0) {
          this.acks.delete(ack);
          resolve();
        }
      });
      send();
    });
  }

  /** SIGTTIN: listen again. Throws (HAProxy's words) when a port cannot be bound again. */
  async resume(): Promise<{ name: string; listen: boolean }[]> {
    if (this.stopping || !this.paused) return [];
    if (this.addon) {
      try {
        this.bindNative(this.addon);
      } catch (e) {
        // Stay paused with nothing half-open: the operator can free the port and retry. The
        // workers' copies made before the failure are closed too (they never received them).
        this.releaseListeners();
        for (const fds of this.listenFds) for (const fd of Object.values(fds)) this.addon.close(fd);
        this.listenFds = this.listenFds.map(() => ({}));
        throw e;
      }
    }
    this.paused = false;
    await this.everyWorker('resumed', () => {
      for (let i = 0; i < this.threads; i++) this.ports[i]?.postMessage({ type: 'resume', listenFds: this.listenFds[i] ?? {} } satisfies MainToWorker);
    });
    return this.frontendKinds();
  }

  private frontendKinds(): { name: string; listen: boolean }[] {
    return this.runtime.frontends.map((f) => ({ name: f.name, listen: this.model.proxies.some((p) => p.name === f.name && p.type === 'listen') }));
  }

  /** Stop accepting, let open connections finish, then stop the workers. */
  async softStop(): Promise<void> {
    this.stopping = true;
    this.closeListeners();
    this.broadcast({ type: 'soft-stop' });
    await this.drainPool();
  }

  /** Close everything now. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.closeListeners();
    this.broadcast({ type: 'stop' });
    await this.drainPool();
  }

  /** Wait for every serve task to return (they return once their sessions are done). */
  private async drainPool(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (!pool) return;
    await Promise.allSettled(this.running);
    await pool.destroy();
  }
}
