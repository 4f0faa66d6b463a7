// The contract between health checks (src/checks, which implement it) and the runtime API
// (src/api, which reads and drives it). Both run on the main thread, so this is a plain
// object, not shared memory: only the verdict (SRV.UP, SRV.WEIGHT) goes to the workers,
// through the shared server table.

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
  /** When the operational state last changed (ms since epoch), and total time spent down (ms). */
  readonly lastChange: number;
  readonly downtimeMs: number;
  /** Whether checks are configured / currently enabled for the server (`srv_check_state`). */
  readonly configured: boolean;
  readonly enabled: boolean;
  /** Agent check: configured, enabled, last status. */
  readonly agent: { readonly configured: boolean; readonly enabled: boolean; readonly status: string; readonly desc: string };
}

export type ForcedHealth = 'up' | 'stopping' | 'down';

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
   */
  serverChanged(slot: number): void;
}

/** A registry for a process without any checks: WEIGHT simply follows WEIGHT_USER. */
export function noChecks(changed: (slot: number) => void): CheckRegistry {
  return {
    view: () => undefined,
    setEnabled: () => undefined,
    force: () => undefined,
    setCheckTarget: () => false,
    serverChanged: changed,
  };
}
