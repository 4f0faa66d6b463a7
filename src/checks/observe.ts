// `on-error`: what the control plane does when the data path reports `error-limit`
// consecutive errors on an observed server (src/dataplane/observe.ts raises the action in the
// shared server table; the runner polls observed servers and calls `applyOnError`). As in
// HAProxy 2.6: the check is pulled in to `fastinter` when one is set, and the server's health
// takes a failed check of status HANA ("Health analyze") — one (`fail-check`), enough to
// leave it one failure from DOWN (`sudden-death`), or all of it (`mark-down`); `fastinter`
// alone changes nothing else. `hanafail` counts the actions.

import type { Check, Server, StateMachine } from './state.js';
import { OBS_NAMES } from '../dataplane/observe.js';

export type OnError = 'fastinter' | 'fail-check' | 'sudden-death' | 'mark-down';

export const ON_ERROR_MODES: readonly OnError[] = ['fastinter', 'fail-check', 'sudden-death', 'mark-down'];

export function onErrorOf(v: unknown): OnError {
  return ON_ERROR_MODES.includes(v as OnError) ? (v as OnError) : 'fail-check';
}

/**
 * Apply one action for `s` (its health check `chk`): `limit` errors were seen, the last of
 * kind `last` (SRV.OBS_LAST). `pullIn(ms)` brings the next check forward to now + ms.
 */
export function applyOnError(sm: StateMachine, s: Server, chk: Check, mode: OnError, limit: number, last: number, pullIn: (ms: number) => void): void {
  s.hanafail = (s.hanafail ?? 0) + 1;
  if (chk.fastinter > 0) pullIn(chk.fastinter);
  if (mode === 'fastinter') return;
  if (chk.health > 0) {
    if (mode === 'sudden-death' && chk.health > chk.rise) chk.health = chk.rise + 1;
    else if (mode === 'mark-down') chk.health = chk.rise;
  }
  sm.setCheckStatus(s, chk, 'HANA', `Detected ${limit} consecutive errors, last one was: ${OBS_NAMES[last] ?? 'Unknown'}`, -1, 0);
  sm.notify(s, chk);
}
