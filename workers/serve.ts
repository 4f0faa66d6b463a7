// The data-plane worker: one long-lived piscina task per thread. It compiles the model it is
// given, pins itself (cpu-map), takes connections — as raw fds from the main thread's accept
// thread, accepted natively on a shared or SO_REUSEPORT socket (by its splice forwarder's
// thread, or with `nosplice` an accept thread of its own), or (without the addon) from a Node
// listener it owns — and serves them until told to stop. An exception
// in one session ends that session only.

import net from 'node:net';
import { chmodSync, chownSync, renameSync, rmSync } from 'node:fs';
import type { ServeTask, StandbyMessage, StandbyTask, MainToWorker, WorkerToMain } from '../src/ipc/messages.js';
import { ServerTable, SRV_SLOTS } from '../src/ipc/server-table.js';
import { applyServerChange, type ServerChange } from '../src/dataplane/dynamic-servers.js';
import { computeLayout } from '../src/dataplane/layout.js';
import { compileRuntime, listenBacklog, type RuntimeBackend, type RuntimeFrontend, type RuntimeListener } from '../src/dataplane/compile.js';
import { admitClient, tcpSession, type SessionContext, type TcpContext } from '../src/dataplane/tcp-session.js';
import { TcpRuleSets } from '../src/dataplane/tcp-rules.js';
import { TcpTxn } from '../src/dataplane/tcp-txn.js';
import type { CompiledProxyRules } from '../src/rules/runtime/compile.js';
import type { ProxyModel } from '../src/config/model.js';
import { spliceSession, type NativeContext } from '../src/dataplane/splice-session.js';
import { BALANCERS } from '../src/lb/index.js';
import { LB_SHARED_SLOTS, type Balancer } from '../src/lb/types.js';
import { loadAddon, type Acceptor, type AcceptorError } from '../src/native/addon.js';
import { ConnGauges, FC } from '../src/ipc/conn-gauges.js';
import { httpSession } from '../src/http/session.js';
import { ReadSink } from '../src/http/wire.js';
import { httpProxy, type HttpContext, type HttpProxy } from '../src/http/context.js';
import { ServerPool } from '../src/http/pool.js';
import { limitsFromTune } from '../src/http/codec/limits.js';
import { compileProxyRules } from '../src/rules/runtime/compile.js';
import { keepFilesRead } from '../src/rules/runtime/files.js';
import { backendState } from '../src/dataplane/backend-state.js';
import { Limiter, gateAcceptor } from '../src/dataplane/limiter.js';
import { bindErrorText, bindReason } from '../src/listeners/bind-error.js';
import { ServerSessions } from '../src/dataplane/server-sessions.js';
import { LiveSessions } from '../src/dataplane/live-sessions.js';
import { adoptHeader, readHeaderFromFd } from '../src/dataplane/accept-proxy.js';
import { closeLogTransports, countDroppedLogs } from '../src/log/sender.js';
import { BackendCounters } from '../src/ipc/backend-counters.js';

export default async function serve(task: ServeTask | StandbyTask): Promise<string> {
  if ('standby' in task) return standBy(task);
  const port = task.port;
  const send = (m: WorkerToMain): void => port.postMessage(m);
  const addon = task.mode === 'worker' ? undefined : loadAddon();
  if (addon && task.cpu !== null) addon.pinThread(task.cpu);

  const layout = computeLayout(task.model);
  const runtime = compileRuntime(task.model, layout);
  const table = new ServerTable({ state: task.state, counters: task.counters, servers: task.state.byteLength / (SRV_SLOTS * 4), workers: task.workers });
  const lbShared = new Int32Array(task.lb);
  const load = new Int32Array(task.load);
  const taken = new Int32Array(task.taken);
  const balancers = new Map<string, Balancer>();
  let seed = (task.index + 1) * 2654435761;
  const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 0x100000000);

  const live = new LiveSessions(load, task.index);
  const serverSessions = new ServerSessions();
  const gauges = new ConnGauges(task.conns, runtime.frontends.length, task.held);
  countDroppedLogs(() => gauges.count(-1, FC.DROPPED_LOGS));
  // In main mode the main thread admits connections; here only the frees are reported.
  const limiter = new Limiter(gauges, runtime.globalMaxconn, task.index);
  const base: SessionContext = {
    table,
    gauges,
    worker: task.index,
    live,
    serverSessions,
    backendCounters: new BackendCounters(task.lb),
    leave: (fe, l) => limiter.leave(fe, l),
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
  // Each proxy's rules compiled once for this thread (parse once, run closures): the HTTP
  // session runs the http-* lists, the TCP session (and, in HTTP mode, the connection gate)
  // the tcp-* ones and TCP switching.
  const compiled = new Map<ProxyModel, CompiledProxyRules>();
  const rulesOf = (p: ProxyModel): CompiledProxyRules => {
    let r = compiled.get(p);
    if (!r) compiled.set(p, (r = compileProxyRules(p, { baseDir: task.baseDir, config: task.model })));
    return r;
  };
  const httpProxies = new Map<string, HttpProxy>();
  for (const p of task.model.proxies) {
    if (p.mode === 'http') httpProxies.set(p.name, httpProxy(p, rulesOf(p)));
  }
  const tcpRules = new TcpRuleSets(task.model.proxies, rulesOf);
  const tune = (k: string, d: number): number => {
    const v = task.model.global.settings[k]?.value;
    return typeof v === 'number' ? v : d;
  };
  const pool = new ServerPool(table, task.index);
  /** `add server` / `del server`: the backend's list changes, its balancer is built again. */
  const changeServers = (c: ServerChange): void => {
    if (!applyServerChange(runtime.backends, c)) return;
    balancers.delete(c.backend);
    // Idle keep-alive connections to a deleted server must not serve the slot's next owner.
    if (c.op === 'del') pool.forget(c.slot);
  };
  for (const c of task.serverChanges) changeServers(c);
  const state = backendState(table, runtime.backends, () => gauges.stopping());
  const http: HttpContext = {
    ...base,
    http: (name) => httpProxies.get(name),
    pool,
    limits: limitsFromTune(tune('tune.bufsize', 16384), tune('tune.maxrewrite', 1024), tune('tune.http.maxhdr', 101)),
    state,
  };
  const tcp: TcpContext = {
    ...base,
    tcp: tcpRules,
    state,
    limits: { bufsize: tune('tune.bufsize', 16384), maxrewrite: tune('tune.maxrewrite', 1024), http: http.limits },
  };
  /**
   * HTTP mode: the frontend's tcp-request connection/session rules and, on an accept-proxy
   * listener, the PROXY header between them, before its session. A promise only while the
   * header is awaited; the client is a live session meanwhile.
   */
  const gate = (sock: net.Socket, fe: RuntimeFrontend, l: RuntimeListener, sink?: ReadSink): boolean | Promise<boolean> => {
    const r = tcpRules.frontend(fe.name);
    const rules = r && (r.rules.has.tcpRequestConnection || r.rules.has.tcpRequestSession) ? r : undefined;
    if (!rules && !l.acceptProxy) return true;
    const ok = admitClient(sock, fe, l, rules, rules ? new TcpTxn(sock, fe, state, tcp.limits) : undefined, gauges, tcp.limits.bufsize, sink);
    if (ok === false) limiter.leave(fe, l);
    if (typeof ok === 'boolean') return ok;
    live.add(sock, fe.name);
    const gone = (): void => {
      live.delete(sock);
      limiter.leave(fe, l);
    };
    sock.once('close', gone);
    return ok.then((yes) => {
      // Admitted: the session takes over the bookkeeping; refused: the close does it.
      if (yes) sock.off('close', gone);
      return yes;
    });
  };
  /** A client socket, admitted: HTTP or TCP by the frontend's mode. */
  const serveSocket = (sock: net.Socket, fe: RuntimeFrontend, l: RuntimeListener, sink?: ReadSink): void => {
    if (fe.mode === 'tcp') return void tcpSession(sock, fe, l, tcp);
    const ok = gate(sock, fe, l, sink);
    if (ok === true) void httpSession(sock, fe, l, http, sink);
    else if (ok !== false) {
      void ok.then((yes) => {
        if (yes) void httpSession(sock, fe, l, http, sink);
      });
    }
  };

  const forwarder = runtime.noSplice ? undefined : addon?.createForwarder({ pipeSize: runtime.pipeSize });
  const native: NativeContext | undefined = addon && forwarder ? { ...base, addon, forwarder } : undefined;

  // TCP frontends the forwarder can take: no rules that read the payload (in JS), and no
  // `option nolinger` on either side (the forwarder closes its own fds). Decided once.
  const noLinger = (fe: RuntimeFrontend): boolean => fe.noLinger || (fe.defaultBackend !== null && runtime.backends.get(fe.defaultBackend)?.noLinger === true);
  const spliced = new Set(runtime.frontends.filter((fe) => fe.mode === 'tcp' && !tcpRules.needsInspection(fe.name) && !noLinger(fe)));

  /**
   * An accept-proxy connection bound for the forwarder: its header is read first (one read
   * of a dup); bytes that came with it cannot go back to the kernel, so such a connection is
   * served by the JS session instead.
   */
  const spliceProxied = async (fd: number, fe: RuntimeFrontend, l: RuntimeListener, ctx: NativeContext): Promise<void> => {
    const o = await readHeaderFromFd(ctx.addon, fd, fe.timeouts.client, tcp.limits.bufsize, live, fe.name);
    if (!o.ok) return limiter.leave(fe, l);
    if (o.rest.length === 0) return spliceSession(fd, fe, l, ctx, o.header);
    const sock = new net.Socket({ fd, allowHalfOpen: true, readable: true, writable: true });
    sock.unshift(o.rest);
    adoptHeader(sock, o.header);
    return tcpSession(sock, fe, l, tcp, true);
  };

  const byListener = new Map<number, { fe: RuntimeFrontend; l: RuntimeListener }>();
  for (const fe of runtime.frontends) for (const l of fe.listeners) byListener.set(l.index, { fe, l });

  /** A raw fd accepted by this worker: admit it (maxconn), then splice it. */
  const acceptFd = (fd: number, fe: RuntimeFrontend, l: RuntimeListener): void =>
    limiter.admit(fe, l, () => serveFd(fd, fe, l), () => addon?.close(fd));

  /** A raw fd from any native path, admitted: splice it (or, with `nosplice`, copy it). */
  const serveFd = (fd: number, fe: RuntimeFrontend, l: RuntimeListener): void => {
    if (fe.clientKeepAlive) addon?.setKeepAlive(fd, true);
    // Rules that read the payload need the bytes in JS: such frontends are not spliced.
    if (native && spliced.has(fe)) void (l.acceptProxy ? spliceProxied(fd, fe, l, native) : spliceSession(fd, fe, l, native));
    else if (fe.mode === 'http') {
      // HTTP sockets read into the thread's shared buffer (see ReadSink).
      // (node reads `onread` in the Socket constructor; its types list it for connect only.)
      const sink = new ReadSink();
      const opts: net.SocketConstructorOpts & { onread: net.OnReadOpts } = { fd, allowHalfOpen: true, readable: true, writable: true, onread: sink.onread };
      serveSocket(new net.Socket(opts), fe, l, sink);
    } else serveSocket(new net.Socket({ fd, allowHalfOpen: true, readable: true, writable: true }), fe, l);
  };

  const servers: net.Server[] = [];
  const acceptors: Acceptor[] = [];
  let listenFds: Readonly<Record<number, number>> = task.listenFds;
  const listenJs = (l: RuntimeListener, fe: RuntimeFrontend, done: number[]): Promise<void> =>
    new Promise((resolve) => {
      const srv = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (sock) =>
        limiter.admit(
          fe,
          l,
          () => {
            if (fe.clientKeepAlive) sock.setKeepAlive(true);
            serveSocket(sock, fe, l);
          },
          () => sock.destroy(),
        ),
      );
      const tmp = `${l.path}.${process.pid}.tmp`;
      srv.once('error', (e) => {
        const message = bindErrorText(fe.owner, l.where, l, bindReason(e, l.kind === 'unix' ? l.path : undefined));
        send({ type: 'listen-error', index: task.index, listener: l.index, message });
        resolve();
      });
      const listening = (): void => {
        servers.push(srv);
        done.push(l.index);
        resolve();
      };
      if (l.kind === 'fd') srv.listen({ fd: l.fd }, listening);
      else if (l.kind === 'unix') {
        // As the native path: bind a temporary name, set ownership and mode, rename over.
        rmSync(tmp, { force: true });
        srv.listen({ path: tmp, backlog: listenBacklog(l) }, () => {
          try {
            const p = l.unixPerm;
            if (p.uid >= 0 || p.gid >= 0) chownSync(tmp, p.uid, p.gid);
            if (p.mode >= 0) chmodSync(tmp, p.mode);
            renameSync(tmp, l.path);
          } catch (e) {
            srv.close();
            srv.emit('error', e);
            return;
          }
          listening();
        });
      } else srv.listen({ host: l.host, port: l.port, ipv6Only: false, backlog: listenBacklog(l) }, listening);
    });

  /** Start taking connections on this worker's listeners; resolves with their indexes. */
  const openListeners = async (): Promise<number[]> => {
    const listening: number[] = [];
    const work: Promise<void>[] = [];
    for (const fe of runtime.frontends) {
      for (const l of fe.listeners) {
        if (task.mode === 'worker' && l.index % task.workers === task.index) work.push(listenJs(l, fe, listening));
        const fd = listenFds[l.index];
        if (addon && fd !== undefined) {
          // With a forwarder, its thread accepts too (one native thread per worker to wake).
          const take = (fds: number[]): void => fds.forEach((f) => acceptFd(f, fe, l));
          // Resource shortages are passing (the loop pauses and retries). A listener that
          // fails for good (closed under us, epoll out of watches) stops, said once; the
          // worker and its other listeners go on.
          const failed = (e: AcceptorError): void => {
            if (!e.fatal) return;
            a.stop();
            send({ type: 'listen-error', index: task.index, listener: l.index, message: `Accepting [${l.where}] for ${fe.owner}: ${e.code}; this listener takes no more connections.` });
          };
          const a: Acceptor = forwarder ? forwarder.listen(fd, take, failed) : addon.startAcceptor(fd, take, failed);
          // A listener or frontend at its maxconn stops accepting (the kernel keeps new connections).
          gateAcceptor(a, gauges, fe, l, runtime.globalMaxconn);
          acceptors.push(a);
          listening.push(l.index);
        }
      }
    }
    await Promise.all(work);
    return listening;
  };

  /** Stop taking connections; open sessions and clients waiting for a maxconn slot stay. */
  const closeListeners = (): void => {
    for (const s of servers) s.close();
    servers.length = 0;
    for (const a of acceptors) a.stop();
    acceptors.length = 0;
    for (const fd of Object.values(listenFds)) addon?.close(fd);
    listenFds = {};
  };

  send({ type: 'ready', index: task.index, listening: await openListeners() });

  return new Promise<string>((resolve) => {
    const end = (how: string): void => {
      forwarder?.close();
      // Unix log sockets are process fds: a worker that ends closes its own.
      closeLogTransports();
      pool.close();
      port.close();
      resolve(how);
    };
    port.on('message', (m: MainToWorker) => {
      switch (m.type) {
        case 'fds': {
          // Taken over, first thing: should this thread die from here on, these are ours to
          // close (with the thread) and the main thread must not close them too.
          Atomics.add(taken, task.index, m.fds.length);
          // The main thread counted these fds in our load slot; the sessions count them now.
          Atomics.sub(load, task.index, m.fds.length);
          const at = byListener.get(m.listener);
          for (const fd of m.fds) {
            if (at) serveFd(fd, at.fe, at.l);
            else addon?.close(fd);
          }
          return;
        }
        case 'server-change':
          changeServers(m.change);
          return;
        case 'shutdown-sessions':
          for (const slot of m.slots) serverSessions.shutdown(slot);
          return;
        case 'cleanup-idle':
          for (const slot of m.slots) pool.cleanup(slot);
          return;
        case 'fault':
          if (process.env['SWITCHYARD_FAULT_INJECTION'] === '1') {
            setImmediate(() => {
              throw new Error(`injected fault in worker ${task.index}`);
            });
          }
          return;
        case 'pause':
          closeListeners();
          send({ type: 'paused', index: task.index });
          return;
        case 'resume':
          listenFds = m.listenFds;
          void openListeners().then(() => send({ type: 'resumed', index: task.index }));
          return;
        case 'list-sessions':
          send({ type: 'sessions', index: task.index, req: m.req, list: live.rows() });
          return;
        case 'kill-session':
          send({ type: 'killed', index: task.index, req: m.req, found: live.kill(m.id) });
          return;
        case 'soft-stop':
          limiter.close();
          closeListeners();
          if (live.size === 0) end('soft-stopped');
          else live.onEmpty = () => end('soft-stopped');
          return;
        case 'stop':
          limiter.close();
          closeListeners();
          for (const s of base.live) s.destroy();
          end('stopped');
          return;
      }
    });
  });
}

/**
 * The standby under a chroot: this thread's code is loaded (a new thread could not load it
 * inside the jail); it waits for a dead worker's task and then serves it.
 */
async function standBy({ port, model, baseDir }: StandbyTask): Promise<string> {
  // Found on disk now, kept for the task it takes over inside the jail: the addon, and the
  // files the rules read (src/rules/runtime/files.ts keeps what a thread has read).
  loadAddon();
  keepFilesRead();
  for (const p of model.proxies) {
    try {
      compileProxyRules(p, { baseDir, config: model });
    } catch {
      // The serving workers have reported it.
    }
  }
  const taken = new Promise<ServeTask>((resolve) =>
    port.on('message', (m: StandbyMessage) => {
      if (m.type === 'take-over') resolve(m.task);
    }),
  );
  port.postMessage({ type: 'standing-by' } satisfies StandbyMessage);
  const task = await taken;
  port.close();
  return serve(task);
}
