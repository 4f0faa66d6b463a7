// Compile the plain model into what a worker runs: frontends with their listeners and limits,
// backends with their servers, balancer and timeouts. Parse once, run compiled objects: the
// session code never looks at keyword strings.

import type { AddressModel, ConfigModel, Json, ProxyModel, ServerModel } from '../config/model.js';
import type { Layout } from './layout.js';
import { hashTypeOf, type HashType } from '../lb/hash.js';
import { sendProxyOf, type SendProxy } from '../net/proxy-protocol.js';
import { createLogger, type Logger } from '../log/sender.js';
import { logIdentity, proxyTargets } from '../log/resolve.js';

export interface Timeouts {
  readonly client: number;
  readonly server: number;
  readonly connect: number;
  readonly queue: number;
  readonly tunnel: number;
  readonly clientFin: number;
  readonly serverFin: number;
  /** HTTP: the whole request head must arrive within it (0: `timeout client` applies). */
  readonly httpRequest: number;
  /** HTTP: idle time allowed between two requests (0: `timeout http-request` applies). */
  readonly httpKeepAlive: number;
}

/** A server's idle-connection settings for the HTTP pool (src/http/pool.ts). */
export interface IdlePolicy {
  /** `pool-purge-delay` (ms); 0 keeps no idle connection. */
  readonly purgeDelay: number;
  /** `pool-max-conn`: idle connections allowed for the server, all threads; -1 no limit. */
  readonly maxIdle: number;
  /** `pool-low-conn`: idle connections kept beyond the estimated need. */
  readonly lowIdle: number;
}

/** HAProxy's defaults: a 5 s purge period, no limit, no margin. */
export const DEFAULT_IDLE_POLICY: IdlePolicy = { purgeDelay: 5000, maxIdle: -1, lowIdle: 0 };

export interface RuntimeServer {
  readonly slot: number;
  readonly name: string;
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly backup: boolean;
  readonly weight: number;
  readonly maxconn: number;
  readonly disabled: boolean;
  /**
   * `observe`: which outcomes of real traffic count for the server's health (0: none).
   * Only with `check` (HAProxy needs the check task), and layer7 only in HTTP proxies.
   */
  readonly observe: 0 | 4 | 7;
  /** `error-limit`: consecutive errors that trigger `on-error` (default 10). */
  readonly errorLimit: number;
  /** `pool-purge-delay`, `pool-max-conn`, `pool-low-conn` (HTTP idle connections). */
  readonly idle: IdlePolicy;
  /** `send-proxy`, `send-proxy-v2`, `proxy-v2-options`: the PROXY header it gets first; null: none. */
  readonly sendProxy: SendProxy | null;
}

export interface RuntimeBackend {
  readonly name: string;
  readonly id: number;
  readonly mode: 'tcp' | 'http';
  /**
   * The backend's servers, configured ones in declaration order, then those added at run
   * time. Only src/dataplane/dynamic-servers.ts changes this list (`add server`/`del server`).
   */
  readonly servers: RuntimeServer[];
  /** The factory's spec: the `balance` value, with `hashType` added for the hash balancers. */
  readonly balance: { readonly algorithm: string; readonly [k: string]: Json };
  /** `hash-type` (default map-based sdbm). */
  readonly hashType: HashType;
  readonly retries: number;
  readonly redispatch: boolean;
  /** `option srvtcpka` (or `tcpka`): SO_KEEPALIVE on server connections. */
  readonly serverKeepAlive: boolean;
  /** `option nolinger`: server connections are closed with a reset (./nolinger.ts). */
  readonly noLinger: boolean;
  readonly allBackups: boolean;
  readonly timeouts: Timeouts;
  readonly lbOffset: number;
}

export interface RuntimeListener {
  /** tcp: host/port; unix: a socket file at `path`; fd: an inherited listening socket. */
  readonly kind: 'tcp' | 'unix' | 'fd';
  readonly path: string;
  readonly fd: number;
  /** unix@: the socket file's mode, owner and group (-1: leave as created). */
  readonly unixPerm: { readonly mode: number; readonly uid: number; readonly gid: number };
  /** `file:line` of the bind line, for HAProxy's "Binding [f:l] for proxy" messages. */
  readonly where: string;
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** Index of this listener across the whole configuration (stable for every thread). */
  readonly index: number;
  readonly maxconn: number;
  /**
   * listen()'s backlog, chosen as HAProxy chooses it: the bind line's `backlog`, the proxy's
   * `backlog`, the bind line's `maxconn`, the frontend's `maxconn`; 0: none of them (the
   * kernel's own cap, net.core.somaxconn, applies).
   */
  readonly backlog: number;
  readonly shardsByThread: boolean;
  /** `accept-proxy`: connections start with a PROXY protocol header (./accept-proxy.ts). */
  readonly acceptProxy: boolean;
}

export interface RuntimeFrontend {
  /** Position in Runtime.frontends (the slot of its connection gauge). */
  readonly index: number;
  readonly name: string;
  /** "frontend NAME" or, for a listen section, "proxy NAME": how HAProxy's bind alerts name it. */
  readonly owner: string;
  readonly id: number;
  readonly mode: 'tcp' | 'http';
  readonly listeners: readonly RuntimeListener[];
  readonly maxconn: number;
  /** `option clitcpka` (or `tcpka`): SO_KEEPALIVE on client connections. */
  readonly clientKeepAlive: boolean;
  /** `option nolinger`: client connections are closed with a reset (./nolinger.ts). */
  readonly noLinger: boolean;
  readonly defaultBackend: string | null;
  readonly timeouts: Timeouts;
  /** The frontend's loggers (`log` lines; none: a no-op). */
  readonly logger: Logger;
}

export interface Runtime {
  readonly frontends: readonly RuntimeFrontend[];
  readonly backends: ReadonlyMap<string, RuntimeBackend>;
  readonly globalMaxconn: number;
  /** Global `nosplice`: forward TCP sessions through JS sockets, not the splice forwarder. */
  readonly noSplice: boolean;
  /** Global `tune.pipesize` in bytes, 0 when unset (the forwarder's adaptive size). */
  readonly pipeSize: number;
}

const num = (v: Json | undefined, d: number): number => (typeof v === 'number' ? v : d);

function timeoutsOf(p: ProxyModel): Timeouts {
  const t = p.timeouts;
  return {
    client: t['client'] ?? 0,
    server: t['server'] ?? 0,
    connect: t['connect'] ?? 0,
    // HAProxy: without `timeout queue`, the connect timeout applies to the queue.
    queue: t['queue'] ?? t['connect'] ?? 0,
    tunnel: t['tunnel'] ?? 0,
    clientFin: t['client-fin'] ?? t['client'] ?? 0,
    serverFin: t['server-fin'] ?? t['server'] ?? 0,
    httpRequest: t['http-request'] ?? 0,
    httpKeepAlive: t['http-keep-alive'] ?? 0,
  };
}

/**
 * `option clitcpka` / `srvtcpka`, else `option tcpka` (which sets both sides): the side's own
 * option, when written (or negated), decides.
 */
function keepAliveOption(p: ProxyModel, side: 'clitcpka' | 'srvtcpka'): boolean {
  return (p.options[side] ?? p.options['tcpka'])?.enabled === true;
}

function family(a: AddressModel): 4 | 6 {
  return a.family === 'ipv6' ? 6 : 4;
}

export function compileRuntime(model: ConfigModel, layout: Layout): Runtime {
  const backends = new Map<string, RuntimeBackend>();
  for (const p of model.proxies) {
    if (!p.cap.backend || backends.has(p.name)) continue;
    const lay = layout.backends.get(p.name)!;
    const hashType = hashTypeOf(p.settings['hash-type']?.value);
    backends.set(p.name, {
      name: p.name,
      id: p.id,
      mode: p.mode === 'http' ? 'http' : 'tcp',
      servers: p.servers.map((s, i) => runtimeServer(s, lay.firstSlot + i, s.id, p.mode)),
      balance: { ...((p.settings['balance']?.value as RuntimeBackend['balance'] | undefined) ?? { algorithm: 'roundrobin' }), hashType },
      hashType,
      retries: num(p.settings['retries']?.value, 3),
      redispatch: p.options['redispatch']?.enabled === true,
      serverKeepAlive: keepAliveOption(p, 'srvtcpka'),
      noLinger: p.options['nolinger']?.enabled === true,
      allBackups: p.options['allbackups']?.enabled === true,
      timeouts: timeoutsOf(p),
      lbOffset: lay.lbOffset,
    });
  }
  let listenerIndex = 0;
  const frontends: RuntimeFrontend[] = [];
  for (const p of model.proxies) {
    if (!p.cap.frontend) continue;
    const maxconn = num(p.settings['maxconn']?.value, 0);
    const listeners: RuntimeListener[] = [];
    for (const b of p.binds) {
      const backlog = num(b.options['backlog'], 0) || num(p.settings['backlog']?.value, 0) || num(b.options['maxconn'], 0) || maxconn;
      const unixPerm = { mode: num(b.options['mode'], -1), uid: num(b.options['uid'] ?? b.options['user'], -1), gid: num(b.options['gid'] ?? b.options['group'], -1) };
      const where = `${b.loc.file}:${b.loc.line}`;
      for (const a of b.addresses) {
        const kind = a.family === 'unix' ? 'unix' : a.family === 'fd' ? 'fd' : 'tcp';
        if (kind !== 'tcp') {
          listeners.push({
            kind,
            path: kind === 'unix' ? a.host : '',
            fd: kind === 'fd' ? Number(a.host) : -1,
            unixPerm,
            where,
            host: a.host,
            port: 0,
            family: 4,
            index: listenerIndex++,
            maxconn: num(b.options['maxconn'], 0),
            backlog,
            shardsByThread: false,
            acceptProxy: b.options['accept-proxy'] === true,
          });
          continue;
        }
        for (let port = a.ports[0]; port <= a.ports[1]; port++) {
          listeners.push({
            kind,
            path: '',
            fd: -1,
            unixPerm,
            where,
            host: a.host || (a.family === 'ipv6' ? '::' : '0.0.0.0'),
            port,
            family: family(a),
            index: listenerIndex++,
            maxconn: num(b.options['maxconn'], 0),
            backlog,
            shardsByThread: b.options['shards'] === 'by-thread',
            acceptProxy: b.options['accept-proxy'] === true,
          });
        }
      }
    }
    const def = p.settings['default_backend']?.value;
    frontends.push({
      index: frontends.length,
      name: p.name,
      owner: `${p.cap.backend ? 'proxy' : 'frontend'} ${p.name}`,
      id: p.id,
      mode: p.mode === 'http' ? 'http' : 'tcp',
      listeners,
      maxconn,
      clientKeepAlive: keepAliveOption(p, 'clitcpka'),
      noLinger: p.options['nolinger']?.enabled === true,
      // A listen section is its own backend.
      defaultBackend: typeof def === 'string' ? def : p.cap.backend ? p.name : null,
      timeouts: timeoutsOf(p),
      logger: createLogger(proxyTargets(model, p), logIdentity(model, p)),
    });
  }
  return {
    frontends,
    backends,
    globalMaxconn: num(model.global.settings['maxconn']?.value, 0),
    noSplice: model.global.settings['nosplice'] !== undefined,
    // HAProxy passes its int to F_SETPIPE_SZ and ignores a refusal; a negative one is refused.
    pipeSize: Math.min(Math.max(0, num(model.global.settings['tune.pipesize']?.value, 0)), 2 ** 31 - 1),
  };
}

/** What listen() gets: the configured backlog, else a large value the kernel caps at somaxconn (as HAProxy passes its maxconn). */
export function listenBacklog(l: RuntimeListener): number {
  return l.backlog > 0 ? l.backlog : 65535;
}

/** A server as the data path runs it (configured, or added with `add server` on the CLI). */
export function runtimeServer(s: ServerModel, slot: number, id: number, mode: ProxyModel['mode']): RuntimeServer {
  return {
    slot,
    name: s.name,
    id,
    host: s.address?.host || (s.address?.family === 'ipv6' ? '::1' : '127.0.0.1'),
    port: s.address?.ports[0] ?? 0,
    family: s.address ? family(s.address) : 4,
    backup: s.options['backup'] === true,
    weight: num(s.options['weight'], 1),
    maxconn: num(s.options['maxconn'], 0),
    disabled: s.options['disabled'] === true,
    observe: s.options['check'] === true ? observeOf(s.options['observe'], mode) : 0,
    errorLimit: num(s.options['error-limit'], 10),
    idle: {
      purgeDelay: num(s.options['pool-purge-delay'], DEFAULT_IDLE_POLICY.purgeDelay),
      maxIdle: num(s.options['pool-max-conn'], DEFAULT_IDLE_POLICY.maxIdle),
      lowIdle: num(s.options['pool-low-conn'], DEFAULT_IDLE_POLICY.lowIdle),
    },
    sendProxy: sendProxyOf(s.options),
  };
}


/** The server of `be` in table slot `slot` (slots are consecutive until servers come and go at run time). */
export function serverAt(be: RuntimeBackend, slot: number): RuntimeServer | undefined {
  const s = be.servers[slot - (be.servers[0]?.slot ?? 0)];
  return s?.slot === slot ? s : be.servers.find((x) => x.slot === slot);
}

/** The `observe` level that applies: HAProxy refuses layer7 outside HTTP proxies and keeps none. */
function observeOf(v: Json | undefined, mode: string): 0 | 4 | 7 {
  if (v === 'layer4') return 4;
  if (v === 'layer7' && mode === 'http') return 7;
  return 0;
}
