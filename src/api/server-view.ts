// A server's state in HAProxy's terms, from the shared server table, the API's admin flags and
// the health checks' view: the `show stat` status text ("UP", "UP 1/3", "DOWN", "NOLB",
// "DRAIN", "MAINT", "no check"), HAProxy's numeric check status/result/state codes for
// `show servers state`, and the effective weight.

import { ADMIN_MAINT, SRV } from '../ipc/server-table.js';
import type { ServerCheckView } from '../checks/registry.js';
import type { ApiContext, ServerRef } from './context.js';
import { ADMF_CMAINT, ADMF_DRAIN, ADMF_IMAINT, ADMF_MAINT } from './state.js';

/** HAProxy's HCHK_STATUS_* codes by their `show stat` names. */
const CHECK_CODES: Readonly<Record<string, number>> = {
  UNK: 0, INI: 1, START: 2, CHECKED: 3, HANA: 4, SOCKERR: 5, L4OK: 6, L4TOUT: 7, L4CON: 8,
  L6OK: 9, L6TOUT: 10, L6RSP: 11, L7TOUT: 12, L7RSP: 13, L7OK: 15, L7OKC: 16, L7STS: 17,
  PROCERR: 18, PROCTOUT: 19, PROCOK: 20,
};

/** CHK_RES_*: 0 unknown, 1 neutral, 2 failed, 3 passed, 4 conditionally passed. */
function checkResult(status: string): number {
  if (status === 'L4OK' || status === 'L6OK' || status === 'L7OK' || status === 'PROCOK') return 3;
  if (status === 'L7OKC') return 4;
  if (status === 'CHECKED') return 1;
  if (status === '' || status === 'UNK' || status === 'INI' || status === 'START') return 0;
  return 2;
}

/** CHK_ST_* bits. */
const CHK_CONFIGURED = 0x02;
const CHK_ENABLED = 0x04;
const CHK_PAUSED = 0x08;
const CHK_AGENT = 0x10;

export interface ServerFacts {
  readonly view: ServerCheckView | undefined;
  readonly admin: number;
  readonly maint: boolean;
  readonly drain: boolean;
  readonly up: boolean;
  /** SRV_ST_*: 0 stopped, 1 starting, 2 running, 3 stopping (maintenance forces stopped). */
  readonly opState: number;
  readonly checkEnabled: boolean;
  /** Checks configured and enabled, but paused by maintenance. */
  readonly checkPaused: boolean;
  readonly agentEnabled: boolean;
  readonly health: number;
  readonly rise: number;
  readonly fall: number;
  /** `show stat` status column. */
  readonly status: string;
  readonly checkCode: number;
  readonly checkResult: number;
  readonly checkState: number;
  readonly agentState: number;
  readonly lastChange: number;
  readonly weight: number;
  readonly uweight: number;
  readonly iweight: number;
}

export function serverFacts(api: ApiContext, ref: ServerRef): ServerFacts {
  const slot = ref.server.slot;
  const table = api.dp.table;
  const meta = api.state.server(slot);
  const view = api.checks.view(slot);
  // Maintenance inherited from a tracked server (the checks rewrite SRV.ADMIN): HAProxy's IMAINT.
  const inherited = table.get(slot, SRV.ADMIN) === ADMIN_MAINT && !(meta.admin & ADMF_MAINT);
  const admin = meta.admin | (inherited ? ADMF_IMAINT : 0);
  const maint = (admin & ADMF_MAINT) !== 0;
  const drain = (admin & ADMF_DRAIN) !== 0;
  const up = table.get(slot, SRV.UP) === 1;
  const checkEnabled = !!view && view.configured && view.enabled;
  const agentEnabled = !!view && view.agent.configured && view.agent.enabled;
  // Without checks HAProxy still keeps its defaults (rise 2, fall 3) and a health of rise.
  const rise = view?.configured ? view.rise : 2;
  const fall = view?.configured ? view.fall : 3;
  const health = view?.configured ? view.health : meta.idleHealth;
  const running = up && !maint && view?.opState !== 'stopped';
  const stopping = running && view?.opState === 'stopping';

  let status: string;
  if (inherited) status = view?.tracked ? `MAINT (via ${view.tracked})` : 'MAINT (via)';
  else if (maint) status = 'MAINT';
  else if (stopping) status = !checkEnabled || health === rise + fall - 1 ? 'NOLB' : `NOLB ${health - rise + 1}/${fall}`;
  else if (running) {
    const goingDown = checkEnabled && health < rise + fall - 1;
    if (drain) status = agentEnabled ? 'DRAIN (agent)' : goingDown ? `DRAIN ${health - rise + 1}/${fall}` : 'DRAIN';
    else if (goingDown) status = `UP ${health - rise + 1}/${fall}`;
    else status = checkEnabled ? 'UP' : 'no check';
  } else if (checkEnabled && health > 0) status = `DOWN ${health}/${rise}`;
  else status = 'DOWN';

  // Maintenance pauses checks when it begins (a server `add server` creates in maintenance
  // never went through that); the pause keeps the operator's ENABLED bit as it was.
  const paused = (meta.admin & ADMF_CMAINT) !== 0 || (!!view?.configured && (view.paused ?? maint));
  let checkState = paused ? CHK_PAUSED : 0;
  if (view?.configured) checkState |= CHK_CONFIGURED | (view.enabled || (paused && view.switchedOn !== false) ? CHK_ENABLED : 0);
  let agentState = 0;
  if (view?.agent.configured) agentState = CHK_AGENT | CHK_CONFIGURED | (view.agent.enabled ? CHK_ENABLED : 0);
  const checkStatus = view?.configured ? view.status : 'INI';

  return {
    view,
    admin,
    maint,
    drain,
    up,
    opState: stopping ? 3 : running ? (view?.opState === 'starting' ? 1 : 2) : 0,
    checkEnabled,
    checkPaused: paused && !!view?.configured,
    agentEnabled,
    health,
    rise,
    fall,
    status,
    checkCode: CHECK_CODES[checkStatus] ?? 0,
    checkResult: view?.configured ? checkResult(view.status) : 0,
    checkState,
    agentState,
    lastChange: view ? Math.max(meta.lastChange, view.lastChange) : meta.lastChange,
    weight: view?.weight ?? table.get(slot, SRV.WEIGHT),
    uweight: table.get(slot, SRV.WEIGHT_USER),
    iweight: table.get(slot, SRV.WEIGHT_INIT),
  };
}

/** Usable for new traffic in the balancer's eyes: running (or starting), not drained, weight > 0. */
export function serverUsable(f: ServerFacts): boolean {
  return (f.opState === 2 || f.opState === 1) && !f.drain && f.weight > 0;
}
