// The control-plane side of the data plane: the shared server table, the piscina pool of
// exactly `nbthread` workers each running one long-lived `serve` task, restart of a crashed
// worker (the others keep their connections), and soft/hard stop.

import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ConfigModel } from '../config/model.js';
import { ServerTable, SRV, ADMIN_MAINT } from '../ipc/server-table.js';
import type { AcceptMode, MainToWorker, ServeTask, WorkerToMain } from '../ipc/messages.js';
import { computeLayout } from './layout.js';
import { compileRuntime } from './compile.js';

export interface DataPlaneOptions {
  readonly threads?: number;
  readonly mode?: AcceptMode;
  /** Called for each problem a worker reports (listen errors). */
  readonly onProblem?: (message: string) => void;
}

export class DataPlane {
  private pool: Piscina | undefined;
  private ports: (MessagePort | undefined)[] = [];
  /** The serve task of each worker slot (replaced when a worker is restarted). */
  private running: Promise<unknown>[] = [];
  private stopping = false;
  readonly table: ServerTable;
  private readonly lb: SharedArrayBuffer;
  readonly threads: number;
  readonly mode: AcceptMode;
  /** Tasks that ended because their worker died and were started again. */
  restarts = 0;
  /** Problems workers reported while starting (listeners that could not bind). */
  readonly problems: string[] = [];

  constructor(private readonly model: ConfigModel, private readonly opts: DataPlaneOptions = {}) {
    const nb = model.global.settings['nbthread']?.value;
    this.threads = opts.threads ?? (typeof nb === 'number' ? nb : availableParallelism());
    // Without the native addon, workers can only own listeners themselves.
    this.mode = opts.mode ?? 'worker';
    const layout = computeLayout(model);
    this.table = ServerTable.create(layout.servers, this.threads);
    this.lb = new SharedArrayBuffer(layout.lbSlots * 4);
    const runtime = compileRuntime(model, layout);
    for (const be of runtime.backends.values()) {
      for (const s of be.servers) {
        this.table.set(s.slot, SRV.UP, 1);
        this.table.set(s.slot, SRV.ADMIN, s.disabled ? ADMIN_MAINT : 0);
        this.table.set(s.slot, SRV.WEIGHT, s.weight);
        this.table.set(s.slot, SRV.WEIGHT_INIT, s.weight);
        this.table.set(s.slot, SRV.MAXCONN, s.maxconn);
      }
    }
  }

  /** Start every worker; resolves once all of them are serving. */
  async start(): Promise<void> {
    this.pool = new Piscina({
      filename: new URL('../../workers/serve.js', import.meta.url).href,
      minThreads: this.threads,
      maxThreads: this.threads,
      // 'sync' would block an idle worker's event loop, which owns sockets.
      atomics: 'disabled',
      idleTimeout: Infinity,
      concurrentTasksPerWorker: 1,
      maxQueue: 0,
    });
    await Promise.all(Array.from({ length: this.threads }, (_, i) => this.serve(i)));
    if (this.problems.length > 0) {
      await this.stop();
      throw new Error('[switchyard.main()] Some protocols failed to start their listeners! Exiting.');
    }
  }

  /** Run the serve task for worker slot `i`; if its thread dies, run it again. */
  private serve(i: number): Promise<void> {
    return new Promise<void>((ready) => {
      const { port1, port2 } = new MessageChannel();
      this.ports[i] = port1;
      port1.on('message', (m: WorkerToMain) => {
        if (m.type === 'ready') ready();
        else if (m.type === 'listen-error') {
          this.problems.push(m.message);
          this.opts.onProblem?.(m.message);
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
        cpu: null,
        listenFds: {},
      };
      this.running[i] = this.pool!.run(task, { transferList: [port2] }).then(
        () => port1.close(),
        () => {
          port1.close();
          if (this.stopping) return;
          // The thread died (an uncaught error escaped a session): replace it alone.
          this.restarts++;
          void this.serve(i).then(ready);
        },
      );
    });
  }

  private broadcast(m: MainToWorker): void {
    for (const p of this.ports) p?.postMessage(m);
  }

  /** Stop accepting, let open connections finish, then stop the workers. */
  async softStop(): Promise<void> {
    this.stopping = true;
    this.broadcast({ type: 'soft-stop' });
    await this.drainPool();
  }

  /** Close everything now. */
  async stop(): Promise<void> {
    this.stopping = true;
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
