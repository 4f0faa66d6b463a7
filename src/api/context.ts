// What every runtime API command reaches: the running configuration and data plane, the health
// checks' registry, the API's own state, and HAProxy's lookups of `backend/server` arguments
// with its exact error answers.

import type { ConfigModel, ProxyModel, ServerModel } from '../config/model.js';
import type { DataPlane } from '../dataplane/runtime.js';
import type { RuntimeBackend, RuntimeFrontend, RuntimeServer } from '../dataplane/compile.js';
import type { CheckRegistry } from '../checks/registry.js';
import type { ControlLog } from '../process/control.js';
import type { ConnGauges } from '../ipc/conn-gauges.js';
import { err, type Answer, type Level } from './command.js';
import type { ApiState } from './state.js';
import type { Rates } from './rates.js';

/** A listening stats socket, for `show cli sockets`. */
export interface SocketInfo {
  /** `unix@/path`, `ipv4@1.2.3.4:9999`, `ipv6@[::1]:9999`. */
  readonly label: string;
  readonly level: Level;
}

/** A connected CLI session, for `show sess`. */
export interface SessionInfo {
  readonly id: number;
  /** `unix_stream` or `tcpv4`/`tcpv6`. */
  readonly proto: string;
  readonly source: string;
  readonly since: number;
  readonly calls: number;
  /** `shutdown session`: close it. */
  kill(): void;
}

export interface ServerRef {
  readonly backend: RuntimeBackend;
  readonly server: RuntimeServer;
  readonly proxy: ProxyModel;
  readonly config: ServerModel;
}

export interface ApiContextInit {
  readonly model: ConfigModel;
  readonly dp: DataPlane;
  readonly checks: CheckRegistry;
  readonly state: ApiState;
  readonly rates: Rates;
  readonly log: ControlLog;
  readonly pid: number;
  readonly startedAt: number;
  readonly sockets: readonly SocketInfo[];
  /** Connections the stats sockets accepted so far (they count in CumConns, as in HAProxy). */
  readonly cliConnections: () => number;
  readonly sessions: () => readonly SessionInfo[];
}

/** The fields come from the init object (declaration merging keeps them typed). */
export interface ApiContext extends ApiContextInit {}

export class ApiContext {
  readonly gauges: ConnGauges;

  constructor(init: ApiContextInit) {
    Object.assign(this, init);
    this.gauges = init.dp.gauges;
  }

  /** Backends in declaration order (listen sections included). */
  backends(): RuntimeBackend[] {
    return [...this.dp.runtime.backends.values()];
  }

  frontends(): readonly RuntimeFrontend[] {
    return this.dp.runtime.frontends;
  }

  proxy(name: string): ProxyModel {
    const p = this.model.proxies.find((x) => x.name === name && x.cap.backend) ?? this.model.proxies.find((x) => x.name === name);
    if (!p) throw new Error(`no proxy '${name}'`);
    return p;
  }

  backend(name: string): RuntimeBackend | undefined {
    return this.dp.runtime.backends.get(name);
  }

  /** Servers of a backend: configured ones (less those deleted) in declaration order, then added ones. */
  servers(be: RuntimeBackend): readonly RuntimeServer[] {
    return be.servers;
  }

  ref(be: RuntimeBackend, s: RuntimeServer): ServerRef {
    const proxy = this.proxy(be.name);
    const config = this.state.server(s.slot).dynamic ?? proxy.servers.find((m) => m.name === s.name)!;
    return { backend: be, server: s, proxy, config };
  }

  /**
   * `<backend>/<server>` as HAProxy resolves it, or its answer: "Require 'backend/server'.",
   * "No such backend.", "No such server." (`bare`: without the trailing newline, as `add
   * server`/`del server` print them).
   */
  findServer(arg: string | undefined, bare = false): ServerRef | Answer {
    const nl = bare ? '' : '\n';
    const slash = arg === undefined ? -1 : arg.indexOf('/');
    if (arg === undefined || slash < 0) return err(`Require 'backend/server'.${nl}`);
    const be = this.backend(arg.slice(0, slash));
    if (!be) return err(`No such backend.${nl}`);
    const name = arg.slice(slash + 1);
    const s = this.servers(be).find((x) => x.name === name);
    if (!s) return err(`No such server.${nl}`);
    return this.ref(be, s);
  }

  /** The health checks' registry was told; balancers rebuild on their next pick. */
  changed(s: RuntimeServer): void {
    this.checks.serverChanged(s.slot);
  }
}

export function isRef(x: ServerRef | Answer): x is ServerRef {
  return typeof x === 'object' && 'server' in x;
}
