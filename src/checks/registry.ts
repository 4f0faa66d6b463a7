// The contract between health checks (src/checks, which implement it) and the runtime API
// (src/api, which reads and drives it). Both run on the main thread, so this is a plain
// object, not shared memory: only the verdict (SRV.UP, SRV.WEIGHT) goes to the workers,
// through the shared server table.

import type { ProxyModel, ServerModel } from '../config/model.js';
import type { RuntimeBackend, RuntimeServer } from '../dataplane/compile.js';

/** One server's check state, in the terms `show stat` and `show servers state` print. */
export interface ServerCheckView {
  /** HAProxy's check_status code (`L4OK`, `L4CON`, `L4TOUT`, `L7OK`, `L7STS`, `L6OK`, `INI`, …); '' without checks. */
  readonly status: string;
  /** L7 response code (or agent/L4 code) for `check_code`; null when none. */
  readonly code: number | null;
  /** Duration of the last completed check in ms (`check_duration`); null when none. */
  readonly durationMs: number | null;
  /** HAProxy's short description of the last result (`check_desc`). */
  readonly desc: string;
  /** The rise/fall counter (`check_health`, 0 … rise + fall - 1) and its bounds. */
  readonly health: number;
  readonly rise: number;
  readonly fall: number;
  /** Checks failed, and UP→DOWN transitions (`chkfail`, `chkdown`). */
  readonly failed: number;
  readonly downs: number;
  /** `on-error` actions taken (hanafail); null when the server is not observed. */
  readonly hanafail: number | null;
  /** When the operational state last changed (ms since epoch), and total time spent down (ms). */
  readonly lastChange: number;
  readonly downtimeMs: number;
  /** Whether checks are configured / currently enabled for the server (`srv_check_state`). */
  readonly configured: boolean;
  readonly enabled: boolean;
  /**
   * Added: the two halves of `enabled` — the operator's switch (`enable|disable health`; off
   * for a server `add server` created until enabled) and the pause maintenance puts on it.
   */
  readonly switchedOn?: boolean;
  readonly paused?: boolean;
  /** Agent check: configured, enabled, last status. */
  readonly agent: {
    readonly configured: boolean;
    readonly enabled: boolean;
    readonly status: string;
    readonly desc: string;
    /** Added: the agent's `last_agt` text, code, duration and its rise/fall counter. */
    readonly info?: string;
    readonly code?: number | null;
    readonly durationMs?: number | null;
    readonly health?: number;
    readonly rise?: number;
    readonly fall?: number;
  };
  /**
   * Added: the info text of the last check (`last_chk`, HAProxy's check->desc, e.g.
   * "Connection refused", "via agent : up").
   */
  readonly info?: string;
  /**
   * Added: HAProxy's operational state. 'stopping' is NOLB (disable-on-404, `set server
   * health stopping`): the server stays UP in SRV.UP but SRV.WEIGHT is 0 so balancers skip
   * it; `show stat` prints NOLB and the weight as `weight`. 'starting' is a slowstart ramp.
   */
  readonly opState?: 'running' | 'starting' | 'stopping' | 'stopped';
  /** Added: the effective weight in the operator's units (what `show stat` prints as weight). */
  readonly weight?: number;
  /** Added: the server follows another one's state (`track`), as `be/srv`. */
  readonly tracked?: string | null;
}

export type ForcedHealth = 'up' | 'stopping' | 'down';

/** A server `add server` created, in the data plane already (table slot, backend list). */
export interface AddedServer {
  readonly backend: RuntimeBackend;
  readonly server: RuntimeServer;
  readonly model: ServerModel;
  readonly proxy: ProxyModel;
}

/** What the runtime API may ask of the checks, by server table slot. */
export interface CheckRegistry {
  view(slot: number): ServerCheckView | undefined;
  /** `enable health` / `disable health`, `enable agent` / `disable agent`. */
  setEnabled(slot: number, which: 'health' | 'agent', on: boolean): void;
  /** `set server B/S health up|stopping|down` (and `agent`): force the state until the next check. */
  force(slot: number, which: 'health' | 'agent', state: ForcedHealth): void;
  /** `set server B/S check-port N` / `check-addr`, and `agent-send`: false when not applicable. */
  setCheckTarget(slot: number, addr: string | null, port: number | null): boolean;
  /**
   * The operator changed SRV.WEIGHT_USER (`set weight`) or the admin state: recompute SRV.WEIGHT
   * (slowstart ramp, agent weight) and tell the balancers (DataPlane.touchBackend).
   *
   * With checks running, an SRV.ADMIN change is applied as HAProxy's `set server state`
   * (maint/drain/ready: forced flags, propagated to tracking servers) and the check module
   * prints HAProxy's messages for it ("Server be/s is going DOWN for maintenance. ...",
   * "... is UP/READY (leaving forced maintenance).", "... enters drain state. ..."); the
   * module then rewrites SRV.ADMIN with the effective state (a server tracking one in
   * maintenance stays in maintenance).
   */
  serverChanged(slot: number): void;
  /** `add server`: checks configured on the line are set up, disabled until enabled from the CLI. */
  addServer(a: AddedServer): void;
  /** `del server`: the server's checks stop. */
  removeServer(slot: number): void;
}

/** A registry for a process without any checks: WEIGHT simply follows WEIGHT_USER. */
export function noChecks(changed: (slot: number) => void): CheckRegistry {
  return {
    view: () => undefined,
    setEnabled: () => undefined,
    force: () => undefined,
    setCheckTarget: () => false,
    serverChanged: changed,
    addServer: () => undefined,
    removeServer: () => undefined,
  };
}
