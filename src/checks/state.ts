// Server state as HAProxy 2.6 keeps it (server.c, check.c): the rise/fall health counter of
// the health and agent checks, the operational state (running, starting during slowstart,
// stopping for NOLB, stopped), the admin flags (forced or inherited maintenance and drain),
// tracking, and the messages each transition prints. Transitions set the next state, then
// `update` compares it with the current one — the same decision tree as srv_update_status —
// prints, recounts the backend's usable servers and publishes to the shared server table.

import { appendStatus, DESC_MAX, type ChangeCause } from './messages.js';
import { statusResult, isLayer7Data, type CheckStatus } from './status.js';
import { LOG_LEVEL } from '../log/target.js';

export type OpState = 'running' | 'starting' | 'stopping' | 'stopped';

export const FMAINT = 1;
export const IMAINT = 2;
export const FDRAIN = 4;
export const IDRAIN = 8;
const MAINT = FMAINT | IMAINT;
const DRAIN = FDRAIN | IDRAIN;

/** HAProxy's BE_WEIGHT_SCALE: effective weights carry 4 extra bits for slowstart ramps. */
export const WEIGHT_SCALE = 16;

export class Check {
  health: number;
  status: CheckStatus = 'INI';
  code = 0;
  /** The last result's info text (HAProxy's check->desc: `last_chk`). */
  desc = '';
  durationMs = -1;
  /** `disable health|agent` clears it; maintenance pauses checks without disabling them. */
  enabled = true;
  paused = false;
  failed = 0;

  constructor(
    readonly agent: boolean,
    readonly rise: number,
    readonly fall: number,
    readonly inter: number,
    readonly fastinter: number,
    readonly downinter: number,
  ) {
    this.health = rise;
  }

  get max(): number {
    return this.rise + this.fall - 1;
  }
}

export class Backend {
  readonly servers: Server[] = [];
  active = 0;
  backup = 0;
  constructor(
    readonly name: string,
    /** `backend` or `proxy` (listen), as HAProxy names it in "has no server available!". */
    readonly type: 'backend' | 'proxy',
    /** Weights can change at run time (roundrobin, leastconn, first, random, consistent hash). */
    readonly dynamic: boolean,
    readonly logHealthChecks: boolean,
  ) {}
}

export class Server {
  curState: OpState = 'running';
  nextState: OpState = 'running';
  curAdmin = 0;
  nextAdmin = 0;
  /** Effective weights in 1/WEIGHT_SCALE units. */
  curEweight: number;
  nextEweight: number;
  check: Check | null = null;
  agent: Check | null = null;
  track: Server | null = null;
  readonly trackers: Server[] = [];
  /** When the operational state last changed (ms), total time spent DOWN, UP→DOWN count. */
  lastChange = Date.now();
  downtimeMs = 0;
  downs = 0;
  /** `on-error` actions taken (hanafail); null when the server is not observed. */
  hanafail: number | null = null;
  /** The cause of the pending operational change (op_st_chg). */
  cause: ChangeCause | null = null;
  admCause = '';
  /** `on-marked-down shutdown-sessions` / `on-marked-up shutdown-backup-sessions`. */
  shutdownOnDown = false;
  shutdownBackupsOnUp = false;

  constructor(
    readonly be: Backend,
    readonly name: string,
    readonly slot: number,
    readonly backup: boolean,
    /** The configured weight, and the operator's (`set weight`, agent `N%`). */
    readonly iweight: number,
    public uweight: number,
    /** slowstart in seconds, as HAProxy stores it (rounded up). */
    readonly slowstartS: number,
  ) {
    this.curEweight = this.nextEweight = uweight * WEIGHT_SCALE;
  }

  get id(): string {
    return `${this.be.name}/${this.name}`;
  }

  get usable(): boolean {
    return (
      this.nextEweight > 0 &&
      !(this.nextAdmin & MAINT) &&
      !(this.nextAdmin & DRAIN) &&
      (this.nextState === 'starting' || this.nextState === 'running')
    );
  }

  get inMaint(): boolean {
    return (this.nextAdmin & MAINT) !== 0;
  }

  get inDrain(): boolean {
    return (this.nextAdmin & DRAIN) !== 0;
  }
}

/** Where a message also goes: the proxy's loggers at this severity (`text` when it differs). */
export interface ProxyLog {
  readonly proxy: string;
  readonly level: number;
  readonly text?: string;
  /** Also an email alert, at this severity (send_email_alert's callers only). */
  readonly mail?: number;
}

export interface StateEnv {
  warning(message: string, log: ProxyLog): void;
  alert(message: string, log: ProxyLog): void;
  /** Write the server's state to the shared table and tell the balancers. */
  publish(s: Server): void;
  /** Connections and queued clients of a server, for the messages. */
  sessions(s: Server): number;
  queue(s: Server): number;
  /** Start (or keep) the 1 s slowstart timer of a server. */
  warmup(s: Server): void;
  /** Close the open sessions of these servers, on every thread (srv_shutdown_streams). */
  shutdownSessions(servers: readonly Server[]): void;
  /** Close the idle connections to a server, on every thread (srv_cleanup_connections). */
  cleanupIdle(s: Server): void;
}

export class StateMachine {
  /** While true (process start-up), maintenance transitions print nothing, as in HAProxy. */
  starting = true;

  constructor(private readonly env: StateEnv) {}

  recount(be: Backend): void {
    be.active = be.backup = 0;
    for (const s of be.servers) {
      if (!s.usable) continue;
      if (s.backup) be.backup++;
      else be.active++;
    }
  }

  /** srv_lb_commit_status: the next state becomes current; the balancers see it. */
  private commit(s: Server): void {
    s.curState = s.nextState;
    s.curAdmin = s.nextAdmin;
    s.curEweight = s.nextEweight;
    this.recount(s.be);
    this.env.publish(s);
  }

  private tail(s: Server, down: boolean): { down: boolean; counts: { active: number; backup: number }; sessions: number; queue: number } {
    return { down, counts: { active: s.be.active, backup: s.be.backup }, sessions: this.env.sessions(s), queue: this.env.queue(s) };
  }

  private prefix(s: Server): string {
    return `${s.backup ? 'Backup ' : ''}Server ${s.id}`;
  }

  /** on-marked-down: a server going DOWN (or into maintenance) closes its sessions. */
  private markedDown(s: Server): void {
    if (s.shutdownOnDown) this.env.shutdownSessions([s]);
  }

  /**
   * on-marked-up: a non-backup server that can take connections again closes the sessions
   * of the backend's backup servers, so clients reconnect to it (srv_shutdown_backup_streams).
   */
  private markedUp(s: Server): void {
    if (s.shutdownBackupsOnUp && !s.backup && s.nextEweight > 0) this.env.shutdownSessions(s.be.servers.filter((b) => b.backup));
  }

  private backendDown(s: Server, prevCount: number): void {
    if (prevCount && s.be.active === 0 && s.be.backup === 0 && !this.starting) {
      const text = `${s.be.type} ${s.be.name} has no server available!`;
      this.env.alert(`${s.be.type} '${s.be.name}' has no server available!`, { proxy: s.be.name, level: LOG_LEVEL.emerg, text });
    }
  }

  /** server_recalc_eweight: the slowstart ramp, in whole seconds since the server came up. */
  recalcEweight(s: Server, mustUpdate: boolean): void {
    const nowS = Math.floor(Date.now() / 1000);
    const lastS = Math.floor(s.lastChange / 1000);
    if (nowS < lastS || nowS >= lastS + s.slowstartS) {
      if (s.nextState === 'starting') s.nextState = 'running';
    }
    const w = s.nextState === 'starting' && s.be.dynamic ? Math.floor((WEIGHT_SCALE * (nowS - lastS) + s.slowstartS) / s.slowstartS) : WEIGHT_SCALE;
    s.nextEweight = s.uweight * w;
    if (mustUpdate) this.update(s);
  }

  private causeOf(reason: string | null, check: Check | null): ChangeCause | null {
    if (reason) return { status: null, code: 0, durationMs: -1, desc: reason };
    if (check) return { status: check.status, code: check.code, durationMs: check.durationMs, desc: check.desc };
    return null;
  }

  setStopped(s: Server, reason: string | null, check: Check | null): void {
    if (s.curAdmin & MAINT || s.nextState === 'stopped') return;
    s.nextState = 'stopped';
    s.cause = this.causeOf(reason, check);
    this.update(s);
    for (const t of s.trackers) this.setStopped(t, null, null);
  }

  setRunning(s: Server, reason: string | null, check: Check | null): void {
    if (s.curAdmin & MAINT) return;
    if (s.nextState === 'starting' || s.nextState === 'running') return;
    s.nextState = s.slowstartS > 0 ? 'starting' : 'running';
    s.cause = this.causeOf(reason, check);
    this.update(s);
    for (const t of s.trackers) this.setRunning(t, null, null);
  }

  setStopping(s: Server, reason: string | null, check: Check | null): void {
    if (s.curAdmin & MAINT) return;
    if (s.nextState === 'stopping') return;
    s.nextState = 'stopping';
    s.cause = this.causeOf(reason, check);
    this.update(s);
    for (const t of s.trackers) this.setStopping(t, null, null);
  }

  setAdminFlag(s: Server, mode: number, cause = ''): void {
    if (s.nextAdmin & mode) return;
    s.nextAdmin |= mode;
    if (cause) s.admCause = cause;
    this.update(s);
    if ((mode & MAINT && s.nextAdmin & ~mode & MAINT) || (mode & DRAIN && s.nextAdmin & ~mode & DRAIN)) return;
    const inherited = mode & MAINT ? IMAINT : IDRAIN;
    for (const t of s.trackers) this.setAdminFlag(t, inherited, cause);
  }

  clearAdminFlag(s: Server, mode: number): void {
    if (!(s.nextAdmin & mode)) return;
    s.nextAdmin &= ~mode;
    this.update(s);
    if ((mode & MAINT && s.nextAdmin & MAINT) || (mode & DRAIN && s.nextAdmin & DRAIN)) return;
    const inherited = mode & MAINT ? IMAINT : IDRAIN;
    for (const t of s.trackers) this.clearAdminFlag(t, inherited);
  }

  /** srv_adm_set_maint / _drain / _ready: what `disable server`, agent "drain"... do. */
  setAdmin(s: Server, state: 'ready' | 'drain' | 'maint'): void {
    if (state === 'maint') {
      this.setAdminFlag(s, FMAINT);
      this.clearAdminFlag(s, FDRAIN);
    } else if (state === 'drain') {
      this.setAdminFlag(s, FDRAIN);
      this.clearAdminFlag(s, FMAINT);
    } else {
      this.clearAdminFlag(s, FDRAIN);
      this.clearAdminFlag(s, FMAINT);
    }
  }

  /** srv_update_status: apply the pending operational then admin changes, with their messages. */
  update(s: Server): void {
    const be = s.be;
    const prevCount = be.active + be.backup;
    const now = Date.now();
    // HAProxy logs state changes at notice, a server going DOWN at alert (srv_update_status).
    const warn = (m: string, level: number = LOG_LEVEL.notice, mail?: number): void => this.env.warning(`${m}.`, { proxy: be.name, level, ...(mail === undefined ? {} : { mail }) });

    if (!(s.curAdmin & MAINT)) {
      // Operational changes are judged with the admin state unchanged.
      const nextAdmin = s.nextAdmin;
      s.nextAdmin = s.curAdmin;
      if (s.curState !== 'stopped' && s.nextState === 'stopped') {
        // No alert for a server that was only stopping (NOLB).
        const level = s.curState === 'stopping' ? LOG_LEVEL.notice : LOG_LEVEL.alert;
        s.lastChange = now;
        this.commit(s);
        this.markedDown(s);
        warn(`${this.prefix(s)} is DOWN${appendStatus(s.cause, s.track?.id ?? null, this.tail(s, true))}`, level, level);
        this.backendDown(s, prevCount);
        s.downs++;
      } else if (s.curState !== 'stopping' && s.nextState === 'stopping') {
        s.lastChange = now;
        this.commit(s);
        warn(`${this.prefix(s)} is stopping${appendStatus(s.cause, s.track?.id ?? null, this.tail(s, false))}`);
        this.backendDown(s, prevCount);
      } else if ((s.curState !== 'running' && s.nextState === 'running') || (s.curState !== 'starting' && s.nextState === 'starting')) {
        if (s.curState === 'stopped' && s.lastChange < now) s.downtimeMs += now - s.lastChange;
        s.lastChange = now;
        if (s.nextState === 'starting') this.env.warmup(s);
        this.recalcEweight(s, false);
        this.commit(s);
        this.markedUp(s);
        warn(`${this.prefix(s)} is UP${appendStatus(s.cause, s.track?.id ?? null, this.tail(s, false))}`, LOG_LEVEL.notice, LOG_LEVEL.notice);
        this.backendDown(s, prevCount);
      } else if (s.curEweight !== s.nextEweight) {
        this.commit(s);
        this.backendDown(s, prevCount);
      }
      s.nextAdmin = nextAdmin;
    }
    s.cause = null;

    const cause = s.admCause ? ` (${s.admCause})` : '';
    if (!(s.curAdmin & MAINT) && s.nextAdmin & MAINT) {
      if (s.check?.enabled) {
        s.check.paused = true;
        s.check.health = 0;
      }
      const forced = (s.nextAdmin & FMAINT) !== 0;
      if (s.curState === 'stopped') {
        if (!this.starting) warn(`${this.prefix(s)} was DOWN and now enters maintenance${cause}${appendStatus(null, forced ? null : (s.track?.id ?? null), null)}`);
        s.curAdmin = s.nextAdmin;
        this.env.publish(s);
      } else {
        // Logged at alert, unless the server was only stopping (NOLB).
        const level = s.curState === 'stopping' ? LOG_LEVEL.notice : LOG_LEVEL.alert;
        if (s.check) s.check.health = 0;
        s.lastChange = now;
        s.nextState = 'stopped';
        this.commit(s);
        this.markedDown(s);
        // A running server entering maintenance loses its idle connections (HAProxy 2.6).
        this.env.cleanupIdle(s);
        if (!this.starting) warn(`${this.prefix(s)} is going DOWN for maintenance${cause}${appendStatus(null, forced ? null : (s.track?.id ?? null), this.tail(s, true))}`, level);
        this.backendDown(s, prevCount);
        s.downs++;
      }
    } else if (s.curAdmin & MAINT && !(s.nextAdmin & MAINT)) {
      if (s.check?.enabled) {
        s.check.paused = false;
        s.check.health = s.check.rise;
      }
      const trackOk = !s.track || s.track.nextState !== 'stopped';
      const agentOk = !s.agent?.enabled || s.agent.health >= s.agent.rise;
      const checkOk = !s.check?.enabled || s.check.health >= s.check.rise;
      if (trackOk && agentOk && checkOk) {
        if (s.track && s.track.nextState === 'stopping') s.nextState = 'stopping';
        else {
          s.lastChange = now;
          s.nextState = s.slowstartS > 0 ? 'starting' : 'running';
          if (s.nextState === 'starting') this.env.warmup(s);
        }
      }
      const state = `${s.nextState === 'stopped' ? 'DOWN' : 'UP'}/${s.nextAdmin & DRAIN ? 'DRAIN' : 'READY'}`;
      let msg = '';
      if (!(s.nextAdmin & FMAINT) && s.curAdmin & FMAINT) msg = `${this.prefix(s)} is ${state} (leaving forced maintenance)`;
      if (!(s.nextAdmin & IMAINT) && s.curAdmin & IMAINT) msg = `${this.prefix(s)} is ${state} (leaving maintenance)`;
      if (msg) warn(msg);
      this.recalcEweight(s, false);
      this.commit(s);
      this.markedUp(s);
      this.backendDown(s, prevCount);
    } else if (s.nextAdmin & MAINT) {
      if (!(s.nextAdmin & FMAINT) && s.curAdmin & FMAINT) {
        warn(`${this.prefix(s)} is leaving forced maintenance but remains in maintenance${s.track ? ` via ${s.track.id}` : ''}`);
      } else if (!(s.nextAdmin & IMAINT) && s.curAdmin & IMAINT) {
        warn(`${this.prefix(s)} remains in forced maintenance`);
      }
      s.curAdmin = s.nextAdmin;
      this.env.publish(s);
    }

    if (!(s.nextAdmin & MAINT)) {
      const state = s.nextState === 'stopped' ? 'DOWN' : 'UP';
      if (!(s.curAdmin & DRAIN) && s.nextAdmin & DRAIN) {
        s.lastChange = now;
        this.commit(s);
        const forced = (s.nextAdmin & FDRAIN) !== 0;
        if (!this.starting) warn(`${this.prefix(s)} enters drain state${cause}${appendStatus(null, forced ? null : (s.track?.id ?? null), this.tail(s, false))}`, LOG_LEVEL.notice, LOG_LEVEL.notice);
        this.backendDown(s, prevCount);
      } else if (s.curAdmin & DRAIN && !(s.nextAdmin & DRAIN)) {
        if (s.lastChange < now) s.downtimeMs += now - s.lastChange;
        s.lastChange = now;
        this.recalcEweight(s, false);
        warn(`${this.prefix(s)} is ${state} (leaving forced drain)`);
        this.commit(s);
      } else if (s.nextAdmin & DRAIN) {
        if (!(s.nextAdmin & FDRAIN)) {
          warn(`${this.prefix(s)} is leaving forced drain but remains in drain mode${s.track ? ` via ${s.track.id}` : ''}`);
        } else warn(`${this.prefix(s)} remains in forced drain mode`);
        s.curAdmin = s.nextAdmin;
        this.env.publish(s);
      }
    }
    s.admCause = '';
  }

  /**
   * set_server_check_status: record a finished check and move the health counter; with
   * `option log-health-checks`, say so when the status or the health changed.
   */
  setCheckStatus(s: Server, chk: Check, status: CheckStatus, desc: string, durationMs: number, code: number): void {
    const prev = chk.status;
    chk.desc = desc.length > DESC_MAX ? desc.slice(0, DESC_MAX) : desc;
    chk.status = status;
    chk.durationMs = durationMs;
    chk.code = code;
    const result = statusResult(status);
    if (result === 'neutral' || result === 'unknown') return;
    let report = false;
    if (result === 'failed') {
      if ((!chk.agent || isLayer7Data(status)) && chk.health > 0) {
        chk.failed++;
        report = true;
        chk.health--;
        if (chk.health < chk.rise) chk.health = 0;
      }
    } else if (chk.health < chk.max) {
      report = true;
      chk.health++;
      if (chk.health >= chk.rise) chk.health = chk.max;
    }
    if (s.be.logHealthChecks && (status !== prev || report)) {
      const up = chk.health >= chk.rise;
      const what = `${chk.agent ? 'Agent' : 'Health'} check for ${s.backup ? 'backup ' : ''}server ${s.id} ${result === 'condpass' ? 'conditionally ' : ''}${result === 'failed' ? 'failed' : 'succeeded'}`;
      const st = up ? `${chk.health - chk.rise + 1}/${chk.fall} ${s.uweight ? 'UP' : 'DRAIN'}` : `${chk.health}/${chk.rise} DOWN`;
      this.env.warning(`${what}${appendStatus({ status, code, durationMs, desc: chk.desc }, null, null)}, status: ${st}.`, { proxy: s.be.name, level: LOG_LEVEL.notice, mail: LOG_LEVEL.info });
    }
  }

  /** check_notify_failure / _success / _stopping: turn a finished check into a server state. */
  notify(s: Server, chk: Check): void {
    const result = statusResult(chk.status);
    const cause = !s.track && !s.be.logHealthChecks ? chk : null;
    if (result === 'failed') {
      if (chk.agent && chk.status !== 'L7STS') return;
      if (chk.health > 0) return;
      this.setStopped(s, null, cause);
      return;
    }
    if (result !== 'passed' && result !== 'condpass') return;
    if (s.nextAdmin & MAINT) return;
    if (s.track && s.track.nextState === 'stopped') return;
    if (s.check?.enabled && s.check.health < s.check.rise) return;
    if (s.agent?.enabled && s.agent.health < s.agent.rise) return;
    if (result === 'condpass') {
      if (chk.agent) return;
      this.setStopping(s, null, cause);
      return;
    }
    if (chk.agent && s.nextState === 'stopping') return;
    this.setRunning(s, null, cause);
  }

  /** The check's interval now (srv_getinter): inter when healthy, downinter when DOWN, else fastinter. */
  interOf(s: Server, chk: Check): number {
    if (chk.health === chk.max) return chk.inter;
    if (s.nextState === 'stopped' && chk.health === 0) return chk.downinter || chk.inter;
    return chk.fastinter || chk.inter;
  }
}
