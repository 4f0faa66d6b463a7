// Health checks on the main thread: build every backend's and server's state (./state.ts)
// from the configuration, run the health and agent checks on HAProxy's schedule (spread over
// the first interval, then inter / fastinter / downinter, `spread-checks` noise), publish
// each verdict into the shared server table (SRV.UP, SRV.WEIGHT, SRV.ADMIN) and tell the
// balancers, and expose all of it to the runtime API through the CheckRegistry.

import { applyOnError, onErrorOf, type OnError } from './observe.js';
import { hostname } from 'node:os';
import type { ControlContext, ControlService } from '../process/control.js';
import type { AddedServer, CheckRegistry, ForcedHealth, ServerCheckView } from './registry.js';
import { SRV, ADMIN_DRAIN, ADMIN_MAINT, ADMIN_READY } from '../ipc/server-table.js';
import type { Json, ProxyModel, ServerModel } from '../config/model.js';
import type { RuntimeBackend, RuntimeServer } from '../dataplane/compile.js';
import { finalize, setupOf, type FinalRules } from './ruleset.js';
import { compileCheck, type CompiledCheck } from './compile.js';
import { agentRules, applyAgentReply, type AgentOutcome } from './agent-rules.js';
import { runCheck, type CheckProxy, type CheckTarget, type RunHandle, type RunResult } from './session.js';
import { PLAIN_V1 } from './proxy-header.js';
import { sendProxyOf } from '../net/proxy-protocol.js';
import { closeProber, connectOnly, ProbeJob } from './probe.js';
import { Backend, Check, FMAINT, IDRAIN, IMAINT, Server, StateMachine, WEIGHT_SCALE, type ProxyLog } from './state.js';
import { closeLogTransports } from '../log/sender.js';
import { MailAlerts } from './mail-alerts.js';
import { isLayer7Data, statusDescription, statusResult, type CheckStatus } from './status.js';
import { ExternalRun, type ExternalSpec } from './external.js';
import { splitAddr } from './spec.js';
import { dynamicBalance } from '../dataplane/dynamic-servers.js';

export interface HealthChecks extends ControlService {
  readonly registry: CheckRegistry;
}

/** A health or agent check of one server, with its schedule. */
interface Job {
  readonly server: Server;
  readonly chk: Check;
  readonly compiled: CompiledCheck;
  target: CheckTarget;
  readonly accept404: boolean;
  readonly timeoutCheck: number;
  readonly timeoutConnect: number;
  timer: NodeJS.Timeout | null;
  /** When the timer fires (ms since epoch). */
  due: number;
  run: RunHandle | null;
  /** A plain connect check's job on the native prober (null: CheckRun each time). */
  probe: ProbeJob | null;
  /** `probe` can reach the target (an address): the prober runs this check on its schedule. */
  native: boolean;
  /** `del server` removed it: a result still on its way is dropped. */
  removed: boolean;
  /** `option external-check`: the command each run executes instead of the rules. */
  external: ExternalSpec | null;
}

/** A server with `observe`: its `on-error` is applied when the data path raises an action. */
interface Observed {
  readonly server: Server;
  readonly job: Job;
  readonly mode: OnError;
  readonly limit: number;
}

/** How often the control plane looks for actions the data path raised (`observe`). */
const OBSERVE_POLL_MS = 50;

/** Whether a check runs when its time comes (else it only keeps its schedule). */
const runnable = (chk: Check): boolean => chk.enabled && !chk.paused;

/** A plain connect check's timeout: `timeout connect` when `timeout check` is set too, else inter. */
const connectTimeout = (j: Job): number => (j.timeoutCheck && j.timeoutConnect ? Math.min(j.chk.inter, j.timeoutConnect) : j.chk.inter);

/**
 * HAProxy's check.send_proxy (check.c init_srv_check): `check-send-proxy`, or the server's own
 * PROXY settings when its checks go to its own address (no `port`, no `addr`), which a
 * dynamic server does not inherit; the header's version is the server's.
 */
function checkProxyOf(o: Readonly<Record<string, Json>>, dynamic: boolean): CheckProxy {
  const own = sendProxyOf(o);
  // `port 0` is no port for HAProxy (!srv->check.port).
  const inherit = !dynamic && own !== null && !o['port'] && o['addr'] === undefined;
  return { spec: own ?? PLAIN_V1, byDefault: o['check-send-proxy'] === true || inherit };
}

const DEF_INTER = 2000;
const INTER_THRESHOLD = 1000;
const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);

class CheckRunner {
  private readonly sm: StateMachine;
  private readonly bySlot = new Map<number, { server: Server; check: Job | null; agent: Job | null }>();
  /** Each backend's check state and finalized check rules (`add server` needs both). */
  private readonly backends = new Map<string, { backend: Backend; final: FinalRules }>();
  private readonly jobs: Job[] = [];
  private readonly warmups = new Map<Server, NodeJS.Timeout>();
  private readonly observed: Observed[] = [];
  private observeTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly mail: MailAlerts;
  private readonly spread: number;
  private readonly node: string;

  constructor(private readonly ctx: ControlContext) {
    const { dp, log } = ctx;
    const table = dp.table;
    this.spread = num(ctx.model.global.settings['spread-checks']?.value, 0);
    this.mail = new MailAlerts(ctx.model);
    const node = ctx.model.global.settings['node']?.value;
    this.node = typeof node === 'string' ? node : hostname();
    this.sm = new StateMachine({
      warning: (m, l) => {
        log.warning(m);
        this.syslog(l, m);
      },
      alert: (m, l) => {
        log.alert(m);
        this.syslog(l, m);
      },
      publish: (s) => this.publish(s),
      sessions: (s) => table.get(s.slot, SRV.CUR_CONN),
      queue: (s) => table.get(s.slot, SRV.QUEUE),
      warmup: (s) => this.warmup(s),
      shutdownSessions: (list) => dp.shutdownSessions(list.map((s) => s.slot)),
      cleanupIdle: (s) => dp.cleanupIdle([s.slot]),
    });
  }

  /** A state message to its backend's loggers (`log` lines). */
  private syslog(l: ProxyLog, message: string): void {
    this.ctx.syslog.proxy(l.proxy, l.level, l.text ?? message);
    // Mailed without the message's final period, as HAProxy formats it.
    if (l.mail !== undefined) this.mail.send(l.proxy, l.mail, message.replace(/\.$/, ''));
  }

  private publish(s: Server): void {
    // Entering maintenance pauses the health check.
    if (s.check?.paused) this.hold(this.bySlot.get(s.slot)?.check ?? null);
    const t = this.ctx.dp.table;
    t.set(s.slot, SRV.UP, s.nextState === 'stopped' ? 0 : 1);
    t.set(s.slot, SRV.ADMIN, s.inMaint ? ADMIN_MAINT : s.inDrain ? ADMIN_DRAIN : ADMIN_READY);
    t.set(s.slot, SRV.WEIGHT_USER, s.uweight);
    // NOLB (stopping) keeps the server up but out of the balancers' lists.
    t.set(s.slot, SRV.WEIGHT, s.nextState === 'stopping' ? 0 : Math.ceil(s.nextEweight / WEIGHT_SCALE));
    this.ctx.dp.touchBackend(s.be.name);
  }

  /** The 1-second slowstart timer (server_warmup): the ramp advances until full weight. */
  private warmup(s: Server): void {
    if (this.warmups.has(s) || this.stopped) return;
    const t = setInterval(() => {
      if (s.inMaint || s.nextState !== 'starting') {
        clearInterval(t);
        this.warmups.delete(s);
        return;
      }
      this.sm.recalcEweight(s, true);
    }, 1000);
    t.unref();
    this.warmups.set(s, t);
  }

  build(): void {
    const { model, dp } = this.ctx;
    const servers = new Map<string, Server>();
    const pending: { server: Server; model: ServerModel; rt: RuntimeServer; be: RuntimeBackend; proxy: ProxyModel; final: FinalRules }[] = [];
    for (const be of dp.runtime.backends.values()) {
      const proxy = model.proxies.find((p) => p.name === be.name && p.cap.backend);
      if (!proxy) continue;
      const final = finalize(setupOf(model, proxy));
      const backend = new Backend(be.name, proxy.type === 'listen' ? 'proxy' : 'backend', dynamicBalance(be), proxy.options['log-health-checks']?.enabled === true);
      this.backends.set(be.name, { backend, final });
      be.servers.forEach((rt, i) => {
        const sm = proxy.servers[i]!;
        const o = sm.options;
        const slowstart = Math.ceil(num(o['slowstart'], 0) / 1000);
        const s = new Server(backend, rt.name, rt.slot, rt.backup, rt.weight, rt.weight, slowstart);
        backend.servers.push(s);
        servers.set(s.id, s);
        pending.push({ server: s, model: sm, rt, be, proxy, final });
      });
    }
    for (const p of pending) this.setupServer(p.server, p.model, p.rt, p.be, p.proxy, p.final, servers, false);
    // Start-up: maintenance inherited from tracked servers, silently (HAProxy's MODE_STARTING).
    for (const { server } of pending) {
      if (server.track) continue;
      for (const t of server.trackers) {
        if (server.inMaint) this.sm.setAdminFlag(t, IMAINT);
        if (server.inDrain) this.sm.setAdminFlag(t, IDRAIN);
      }
    }
    const backends = new Set(pending.map((p) => p.server.be));
    for (const b of backends) this.sm.recount(b);
    for (const { server } of pending) this.publish(server);
    this.sm.starting = false;
  }

  /**
   * `add server`: HAProxy starts a dynamic server in maintenance (unless `enabled`) with its
   * health and agent checks configured but disabled until `enable health` / `enable agent`.
   */
  addServer(a: AddedServer): void {
    const b = this.backends.get(a.backend.name);
    if (!b) return;
    const o = a.model.options;
    const s = new Server(b.backend, a.server.name, a.server.slot, a.server.backup, a.server.weight, a.server.weight, Math.ceil(num(o['slowstart'], 0) / 1000));
    b.backend.servers.push(s);
    const before = this.jobs.length;
    // `track`: the server it names was checked at `add server` (a configured one with checks).
    const all = new Map([...this.bySlot.values()].map((e) => [e.server.id, e.server]));
    this.setupServer(s, a.model, a.server, a.backend, a.proxy, b.final, all, true);
    if (o['enabled'] !== true && o['disabled'] !== true) {
      s.curAdmin = s.nextAdmin = FMAINT;
      s.curState = s.nextState = 'stopped';
    }
    if (s.check) {
      s.check.enabled = false;
      s.check.health = 0;
    }
    if (s.agent) s.agent.enabled = false;
    this.sm.recount(b.backend);
    this.publish(s);
    for (const j of this.jobs.slice(before)) this.schedule(j, this.sm.interOf(j.server, j.chk));
  }

  /** `del server`: its checks stop and it leaves its backend. */
  removeServer(slot: number): void {
    const e = this.bySlot.get(slot);
    if (!e) return;
    this.bySlot.delete(slot);
    for (const j of [e.check, e.agent]) {
      if (!j) continue;
      if (j.timer) clearTimeout(j.timer);
      j.timer = null;
      j.removed = true;
      j.run?.abort();
      j.probe?.drop();
      this.jobs.splice(this.jobs.indexOf(j), 1);
    }
    const o = this.observed.findIndex((x) => x.server === e.server);
    if (o >= 0) this.observed.splice(o, 1);
    const w = this.warmups.get(e.server);
    if (w) clearInterval(w);
    this.warmups.delete(e.server);
    const list = e.server.be.servers;
    list.splice(list.indexOf(e.server), 1);
    const followed = e.server.track?.trackers;
    if (followed) followed.splice(followed.indexOf(e.server), 1);
    this.sm.recount(e.server.be);
  }

  private setupServer(s: Server, sm: ServerModel, rt: RuntimeServer, be: RuntimeBackend, proxy: ProxyModel, final: FinalRules, all: Map<string, Server>, dynamic: boolean): void {
    const o = sm.options;
    s.shutdownOnDown = o['on-marked-down'] === 'shutdown-sessions';
    s.shutdownBackupsOnUp = o['on-marked-up'] === 'shutdown-backup-sessions';
    const track = o['track'];
    if (typeof track === 'string') {
      const id = track.includes('/') ? track : `${be.name}/${track}`;
      const target = all.get(id);
      if (target) {
        s.track = target;
        target.trackers.push(s);
      }
    }
    const timeoutCheck = proxy.timeouts['check'] ?? 0;
    const timeoutConnect = be.timeouts.connect;
    const addr = typeof o['addr'] === 'string' ? splitAddr(o['addr']) : undefined;
    const target: CheckTarget = {
      host: rt.host,
      port: rt.port,
      checkAddr: addr?.host ?? null,
      checkAddrPort: addr?.port ?? null,
      checkPort: typeof o['port'] === 'number' && o['port'] > 0 ? o['port'] : null,
      proxy: checkProxyOf(o, dynamic),
    };
    const entry = { server: s, check: null as Job | null, agent: null as Job | null };
    this.bySlot.set(s.slot, entry);
    if (o['check'] === true && !s.track) {
      const inter = num(o['inter'], DEF_INTER);
      s.check = new Check(false, num(o['rise'], 2), num(o['fall'], 3), inter, num(o['fastinter'], 0), num(o['downinter'], 0));
      const compiled = compileCheck(final, () => this.stateHeader(s));
      entry.check = this.job(s, s.check, compiled, target, final.disableOn404, timeoutCheck, timeoutConnect);
      if (final.kind === 'external') {
        // The command replaces the rules (and so the prober's plain connect).
        entry.check.probe?.drop();
        entry.check.probe = null;
        entry.check.native = false;
        entry.check.external = this.externalSpec(sm, rt, be, proxy);
      }
      if (rt.observe !== 0) {
        s.hanafail = 0;
        this.observed.push({ server: s, job: entry.check, mode: onErrorOf(o['on-error']), limit: rt.errorLimit });
      }
    }
    if (o['agent-check'] === true && typeof o['agent-port'] === 'number') {
      s.agent = new Check(true, 1, 1, num(o['agent-inter'], DEF_INTER), 0, 0);
      const agentAddr = typeof o['agent-addr'] === 'string' ? o['agent-addr'] : null;
      const send = typeof o['agent-send'] === 'string' ? o['agent-send'] : '';
      const compiled = agentRules(send, (line, lastRead) => this.agentReply(s, line, lastRead));
      const agentTarget: CheckTarget = { host: agentAddr ?? rt.host, port: rt.port, checkAddr: null, checkAddrPort: null, checkPort: o['agent-port'], proxy: { spec: PLAIN_V1, byDefault: false } };
      entry.agent = this.job(s, s.agent, compiled, agentTarget, false, timeoutCheck, timeoutConnect);
    }
    if (o['disabled'] === true) {
      // `disabled`: forced maintenance from the start, checks paused (srv_parse_disabled).
      s.curAdmin = s.nextAdmin = FMAINT;
      s.curState = s.nextState = 'stopped';
      if (s.check) {
        s.check.paused = true;
        s.check.health = 0;
      }
    }
  }

  private job(server: Server, chk: Check, compiled: CompiledCheck, target: CheckTarget, accept404: boolean, timeoutCheck: number, timeoutConnect: number): Job {
    const j: Job = { server, chk, compiled, target, accept404, timeoutCheck, timeoutConnect, timer: null, due: 0, run: null, probe: null, native: false, removed: false, external: null };
    if (connectOnly(compiled.rules, compiled.tcpProto) && !target.proxy.byDefault) {
      j.probe = new ProbeJob((r) => this.completed(j, r));
      j.native = j.probe.retarget(target);
    }
    this.jobs.push(j);
    return j;
  }

  /**
   * What `option external-check` runs for a server (extcheck.c prepare_external_check): the
   * proxy's first listener (NOT_USED in a backend) and the server as arguments, HAProxy's
   * variables as the whole environment.
   */
  private externalSpec(sm: ServerModel, rt: RuntimeServer, be: RuntimeBackend, proxy: ProxyModel): ExternalSpec {
    const word = (k: string): string => {
      const v = proxy.settings[k]?.value;
      return Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
    };
    const l = this.ctx.dp.runtime.frontends.find((f) => f.name === proxy.name)?.listeners.find((x) => x.kind !== 'fd');
    const addr = !l ? '' : l.kind === 'unix' ? l.path : l.host || (l.family === 6 ? '::' : '0.0.0.0');
    const port = l?.kind === 'tcp' ? String(l.port) : '';
    const table = this.ctx.dp.table;
    const maxconn = typeof sm.options['maxconn'] === 'number' ? sm.options['maxconn'] : 0;
    return {
      command: word('external-check command'),
      path: word('external-check path'),
      args: [l ? addr : 'NOT_USED', port || 'NOT_USED', rt.host, String(rt.port)],
      env: () => ({
        HAPROXY_PROXY_ADDR: addr,
        HAPROXY_PROXY_ID: String(proxy.id),
        HAPROXY_PROXY_NAME: proxy.name,
        HAPROXY_PROXY_PORT: port,
        HAPROXY_SERVER_ADDR: rt.host,
        HAPROXY_SERVER_CURCONN: String(table.get(rt.slot, SRV.CUR_CONN)),
        HAPROXY_SERVER_ID: String(sm.id),
        HAPROXY_SERVER_MAXCONN: String(maxconn),
        HAPROXY_SERVER_NAME: rt.name,
        HAPROXY_SERVER_PORT: String(rt.port),
        HAPROXY_SERVER_SSL: '0',
        HAPROXY_SERVER_PROTO: be.mode === 'http' ? 'h1' : 'tcp',
      }),
    };
  }

  /** The agent's reply, applied as tcpcheck_agent_expect_reply does; returns the check result. */
  private agentReply(s: Server, line: string | null, lastRead: boolean): AgentOutcome | null {
    return applyAgentReply(this.sm, s, line, lastRead, (slot, v) => this.ctx.dp.table.set(slot, SRV.MAXCONN, v));
  }

  /** X-Haproxy-Server-State (httpchk_build_status_header). */
  private stateHeader(s: Server): string {
    const c = s.check;
    let st: string;
    if (!c || !c.enabled) st = 'no check';
    else if (s.curState !== 'stopped') {
      const nolb = s.curState === 'stopping' ? 'NOLB' : 'UP';
      st = c.health === c.max ? nolb : `${nolb} ${c.health - c.rise + 1}/${c.fall}`;
    } else st = c.health ? `DOWN ${c.health}/${c.rise}` : 'DOWN';
    const t = this.ctx.dp.table;
    const be = s.be;
    const weights = be.servers.filter((x) => x.usable);
    const pool = weights.some((x) => !x.backup) ? weights.filter((x) => !x.backup) : weights;
    const tot = pool.reduce((n, x) => n + x.curEweight, 0);
    const scur = be.servers.reduce((n, x) => n + t.get(x.slot, SRV.CUR_CONN), 0);
    const rt = [...this.ctx.dp.runtime.backends.values()].find((b) => b.name === be.name)?.servers.find((x) => x.slot === s.slot);
    let h = `${st}; address=${rt?.host ?? ''}; port=${rt?.port ?? ''}; name=${s.id}; node=${this.node}; weight=${Math.ceil(s.curEweight / WEIGHT_SCALE)}/${Math.ceil(tot / WEIGHT_SCALE)}; scur=${t.get(s.slot, SRV.CUR_CONN)}/${scur}; qcur=${t.get(s.slot, SRV.QUEUE)}`;
    const elapsed = (Date.now() - s.lastChange) / 1000;
    if (s.curState === 'starting' && elapsed < s.slowstartS && elapsed >= 0) h += `; throttle=${Math.max(1, Math.floor((100 * Math.floor(elapsed)) / s.slowstartS))}%`;
    return h;
  }

  /** HAProxy's start-up spread: each check starts at its position's share of the interval. */
  start(): void {
    if (this.observed.length > 0) {
      this.observeTimer = setInterval(() => this.pollObserved(), OBSERVE_POLL_MS);
      this.observeTimer.unref();
    }
    const n = this.jobs.length;
    if (!n) return;
    let minInter = 0;
    for (const j of this.jobs) {
      const i = this.sm.interOf(j.server, j.chk);
      if (i >= INTER_THRESHOLD && (!minInter || minInter > i)) minInter = i;
    }
    this.jobs.forEach((j, pos) => {
      const m = Math.max(minInter, this.sm.interOf(j.server, j.chk));
      this.schedule(j, Math.floor((m * pos) / n));
    });
  }

  private schedule(j: Job, delay: number): void {
    if (this.stopped) return;
    if (j.timer) clearTimeout(j.timer);
    j.timer = null;
    j.due = Date.now() + delay;
    // A plain connect check that will run is left to the prober's own timer.
    if (j.native && runnable(j.chk)) return j.probe!.arm(delay, connectTimeout(j));
    j.probe?.disarm();
    // Node takes at most 2^31-1 ms (a longer delay would become 1 ms).
    j.timer = setTimeout(() => this.fire(j), Math.min(delay, 2 ** 31 - 1));
    j.timer.unref();
  }

  /**
   * A check the prober has armed whose server just entered maintenance, or whose check was
   * disabled: it stops probing and keeps its schedule on a JS timer (fire() resumes it).
   */
  private hold(j: Job | null): void {
    if (this.stopped) return;
    if (j?.native && !runnable(j.chk) && j.probe!.disarm()) {
      j.timer = setTimeout(() => this.fire(j), Math.max(0, j.due - Date.now()));
      j.timer.unref();
    }
  }

  /**
   * The check's address or port changed at run time. A check the prober had armed (or was
   * running) whose target it can no longer reach goes back to a JS timer, due as before.
   */
  private retarget(j: Job): void {
    if (this.stopped) return;
    const was = j.native;
    j.native = j.probe!.retarget(j.target);
    if (was && !j.native && !j.timer && !j.run) this.schedule(j, Math.max(0, j.due - Date.now()));
  }

  /** Apply the `on-error` actions the data path raised since the last look. */
  private pollObserved(): void {
    const t = this.ctx.dp.table;
    for (const o of this.observed) {
      const n = t.get(o.server.slot, SRV.OBS_PENDING);
      if (n === 0) continue;
      t.add(o.server.slot, SRV.OBS_PENDING, -n);
      const last = t.get(o.server.slot, SRV.OBS_LAST);
      for (let i = 0; i < n; i++) {
        applyOnError(this.sm, o.server, o.job.chk, o.mode, o.limit, last, (ms) => {
          // Only earlier than the check's own schedule, and not while it runs (a job on the
          // prober: only while its start is still pending, which disarm() tells).
          if (o.job.due <= Date.now() + ms) return;
          if (o.job.timer || (o.job.native && o.job.probe!.disarm())) this.schedule(o.job, ms);
        });
      }
    }
  }

  private fire(j: Job): void {
    j.timer = null;
    if (this.stopped) return;
    const { chk, server } = j;
    // Disabled or paused (maintenance) checks only keep their schedule.
    if (!runnable(chk)) return this.schedule(j, chk.inter);
    // A plain connect check runs on the native prober when it can (see probe.ts).
    if (j.native) return j.probe!.arm(0, connectTimeout(j));
    if (j.external) {
      const hooks = { warning: (m: string) => this.ctx.log.warning(m), alert: (m: string) => this.ctx.log.alert(m) };
      j.run = new ExternalRun(j.external, connectTimeout(j), chk.code, hooks, (r) => this.completed(j, r));
      return;
    }
    j.run = runCheck(
      {
        rules: j.compiled.rules,
        tcpProto: j.compiled.tcpProto,
        target: j.target,
        inter: chk.inter,
        timeoutCheck: j.timeoutCheck,
        timeoutConnect: j.timeoutConnect,
        accept404: j.accept404 && server.nextState !== 'stopped',
      },
      (r) => this.completed(j, r),
    );
  }

  /** A check's verdict: into the state machine, then the next run on the server's schedule. */
  private completed(j: Job, r: RunResult): void {
    const { chk, server } = j;
    j.run = null;
    if (this.stopped || j.removed) return;
    if (chk.agent && !chk.enabled) return this.schedule(j, chk.inter);
    this.sm.setCheckStatus(server, chk, r.status, r.info, r.durationMs, r.code ?? 0);
    // A passing health check also restarts `observe`'s count of consecutive errors.
    const result = statusResult(r.status);
    if (!chk.agent && (result === 'passed' || result === 'condpass')) {
      if (this.ctx.dp.table.get(server.slot, SRV.OBS_ERRORS) !== 0) this.ctx.dp.table.set(server.slot, SRV.OBS_ERRORS, 0);
    }
    this.sm.notify(server, chk);
    let next = this.sm.interOf(server, chk);
    if (this.spread > 0) {
      const rv = Math.floor((next * this.spread) / 100);
      next += rv - Math.floor(2 * rv * Math.random());
    }
    this.schedule(j, next);
  }

  stop(): void {
    this.stopped = true;
    for (const j of this.jobs) {
      if (j.timer) clearTimeout(j.timer);
      j.run?.abort();
      j.probe?.abort();
    }
    closeProber();
    this.mail.stop();
    closeLogTransports();
    for (const t of this.warmups.values()) clearInterval(t);
    if (this.observeTimer) clearInterval(this.observeTimer);
    this.warmups.clear();
  }

  registry(): CheckRegistry {
    const entry = (slot: number): { server: Server; check: Job | null; agent: Job | null } | undefined => this.bySlot.get(slot);
    return {
      view: (slot) => {
        const e = entry(slot);
        return e ? viewOf(e.server) : undefined;
      },
      setEnabled: (slot, which, on) => {
        const e = entry(slot);
        const chk = which === 'health' ? e?.server.check : e?.server.agent;
        if (!chk) return;
        chk.enabled = on;
        this.hold(which === 'health' ? e!.check : e!.agent);
      },
      force: (slot, which, state) => {
        const e = entry(slot);
        if (e) this.force(e.server, which, state);
      },
      setCheckTarget: (slot, addr, port) => {
        const j = entry(slot)?.check;
        if (!j) return false;
        j.target = { ...j.target, ...(addr !== null ? { checkAddr: addr } : {}), ...(port !== null ? { checkPort: port } : {}) };
        if (j.probe) this.retarget(j);
        return true;
      },
      serverChanged: (slot) => {
        const e = entry(slot);
        if (e) this.serverChanged(e.server);
      },
      addServer: (a) => this.addServer(a),
      removeServer: (slot) => this.removeServer(slot),
    };
  }

  private force(s: Server, which: 'health' | 'agent', state: ForcedHealth): void {
    const chk = which === 'health' ? s.check : s.agent;
    const reason = 'changed from CLI';
    if (state === 'down') {
      if (chk) chk.health = 0;
      this.sm.setStopped(s, reason, null);
    } else if (state === 'up') {
      if (chk) chk.health = chk.max;
      this.sm.setRunning(s, reason, null);
    } else if (which === 'health') {
      if (chk) chk.health = chk.max;
      this.sm.setStopping(s, reason, null);
    }
  }

  /** The runtime API changed SRV.WEIGHT_USER or SRV.ADMIN: apply it as HAProxy would. */
  private serverChanged(s: Server): void {
    const t = this.ctx.dp.table;
    const admin = t.get(s.slot, SRV.ADMIN);
    const mine = s.inMaint ? ADMIN_MAINT : s.inDrain ? ADMIN_DRAIN : ADMIN_READY;
    if (admin !== mine) this.sm.setAdmin(s, admin === ADMIN_MAINT ? 'maint' : admin === ADMIN_DRAIN ? 'drain' : 'ready');
    const w = t.get(s.slot, SRV.WEIGHT_USER);
    if (w !== s.uweight) {
      s.uweight = w;
      this.sm.recalcEweight(s, true);
    }
    this.publish(s);
  }
}

const describe = (s: CheckStatus): string => statusDescription(s);

function viewOf(s: Server): ServerCheckView {
  const c = s.check;
  const a = s.agent;
  const l7 = (chk: { status: CheckStatus; code: number }): number | null => (isLayer7Data(chk.status) ? chk.code : null);
  return {
    status: c ? c.status : '',
    code: c ? l7(c) : null,
    durationMs: c && c.durationMs >= 0 ? c.durationMs : null,
    desc: c ? describe(c.status) : '',
    info: c ? c.desc : '',
    health: c ? c.health : 0,
    rise: c ? c.rise : 0,
    fall: c ? c.fall : 0,
    failed: (c?.failed ?? 0) + (a?.failed ?? 0),
    downs: s.downs,
    hanafail: s.hanafail,
    lastChange: s.lastChange,
    downtimeMs: s.downtimeMs,
    configured: c !== null,
    enabled: c !== null && c.enabled && !c.paused,
    switchedOn: c !== null && c.enabled,
    paused: c !== null && c.paused,
    agent: {
      configured: a !== null,
      enabled: a !== null && a.enabled,
      status: a ? a.status : '',
      desc: a ? describe(a.status) : '',
      info: a ? a.desc : '',
      code: a ? l7(a) : null,
      durationMs: a && a.durationMs >= 0 ? a.durationMs : null,
      health: a ? a.health : 0,
      rise: a ? a.rise : 0,
      fall: a ? a.fall : 0,
    },
    opState: s.nextState,
    weight: Math.ceil(s.nextEweight / WEIGHT_SCALE),
    tracked: s.track?.id ?? null,
  };
}

export async function startHealthChecks(ctx: ControlContext): Promise<HealthChecks> {
  const runner = new CheckRunner(ctx);
  runner.build();
  runner.start();
  return {
    registry: runner.registry(),
    stop: async () => runner.stop(),
  };
}
