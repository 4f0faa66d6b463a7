// The data-plane worker: one long-lived piscina task per thread. It compiles the model it is
// given, pins itself if asked, takes connections (from its own listeners or as fds from the
// main thread) and serves them until told to stop. An exception in one connection is caught
// by that session; the worker keeps serving the others.

import net from 'node:net';
import type { ServeTask, MainToWorker, WorkerToMain } from '../src/ipc/messages.js';
import { ServerTable } from '../src/ipc/server-table.js';
import { computeLayout } from '../src/dataplane/layout.js';
import { compileRuntime, type RuntimeBackend, type RuntimeFrontend, type RuntimeListener } from '../src/dataplane/compile.js';
import { tcpSession, type SessionContext } from '../src/dataplane/tcp-session.js';
import { BALANCERS } from '../src/lb/index.js';
import { LB_SHARED_SLOTS, type Balancer } from '../src/lb/types.js';

const ERRNO_TEXT: Record<string, string> = {
  EADDRINUSE: 'Address already in use',
  EACCES: 'Permission denied',
  EADDRNOTAVAIL: 'Cannot assign requested address',
};

export default async function serve(task: ServeTask): Promise<string> {
  const port = task.port;
  const send = (m: WorkerToMain): void => port.postMessage(m);

  const layout = computeLayout(task.model);
  const runtime = compileRuntime(task.model, layout);
  const table = new ServerTable({ state: task.state, counters: task.counters, servers: layout.servers, workers: task.workers });
  const lbShared = new Int32Array(task.lb);
  const balancers = new Map<string, Balancer>();
  let seed = (task.index + 1) * 2654435761;
  const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 0x100000000);

  const ctx: SessionContext = {
    table,
    worker: task.index,
    live: new Set(),
    backend: (name) => runtime.backends.get(name),
    balancer(be: RuntimeBackend): Balancer {
      let b = balancers.get(be.name);
      if (!b) {
        const row = BALANCERS.get(be.balance.algorithm) ?? BALANCERS.get('roundrobin')!;
        b = row.factory(
          {
            table,
            servers: be.servers.map((s) => ({ slot: s.slot, name: s.name, id: s.id, backup: s.backup })),
            allBackups: be.allBackups,
            shared: lbShared.subarray(be.lbOffset, be.lbOffset + LB_SHARED_SLOTS),
            random,
          },
          be.balance,
        );
        balancers.set(be.name, b);
      }
      return b;
    },
  };

  const byListener = new Map<number, RuntimeFrontend>();
  for (const fe of runtime.frontends) for (const l of fe.listeners) byListener.set(l.index, fe);

  const servers: net.Server[] = [];
  const listening: number[] = [];
  const accept = (fe: RuntimeFrontend) => (sock: net.Socket): void => {
    void tcpSession(sock, fe, ctx);
  };
  const listenOn = (l: RuntimeListener, fe: RuntimeFrontend, fd?: number): Promise<void> =>
    new Promise((resolve) => {
      const srv = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, accept(fe));
      srv.once('error', (e) => {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        send({ type: 'listen-error', index: task.index, listener: l.index, message: `Starting proxy ${fe.name}: cannot bind socket (${ERRNO_TEXT[code] ?? e.message}) [${l.host}:${l.port}]` });
        resolve();
      });
      const done = (): void => {
        servers.push(srv);
        listening.push(l.index);
        resolve();
      };
      if (fd !== undefined) srv.listen({ fd }, done);
      else srv.listen({ host: l.host, port: l.port, ipv6Only: false }, done);
    });

  const work: Promise<void>[] = [];
  for (const fe of runtime.frontends) {
    for (const l of fe.listeners) {
      if (task.mode === 'worker' && l.index % task.workers === task.index) work.push(listenOn(l, fe));
      if ((task.mode === 'shared' || task.mode === 'reuseport') && task.listenFds[l.index] !== undefined) work.push(listenOn(l, fe, task.listenFds[l.index]));
    }
  }
  await Promise.all(work);
  send({ type: 'ready', index: task.index, listening });

  return new Promise<string>((resolve) => {
    const closeListeners = (): void => {
      for (const s of servers) s.close();
    };
    port.on('message', (m: MainToWorker) => {
      switch (m.type) {
        case 'fd': {
          const fe = byListener.get(m.listener);
          const sock = new net.Socket({ fd: m.fd, readable: true, writable: true, allowHalfOpen: true });
          if (fe) void tcpSession(sock, fe, ctx);
          else sock.destroy();
          return;
        }
        case 'pause':
          for (const s of servers) s.close();
          return;
        case 'resume':
          return;
        case 'soft-stop': {
          closeListeners();
          const check = (): void => {
            if (ctx.live.size === 0) {
              port.close();
              resolve('soft-stopped');
            } else setTimeout(check, 50);
          };
          check();
          return;
        }
        case 'stop':
          closeListeners();
          for (const s of ctx.live) s.destroy();
          port.close();
          resolve('stopped');
          return;
      }
    });
  });
}
