// `observe layer4|layer7`: the data path's share of passive health monitoring. Real traffic's
// outcomes are reported per server; consecutive errors accumulate in the shared server table
// (any worker adds, a success resets), and the report that reaches `error-limit` resets the
// count and leaves an action for the control plane, which applies `on-error` as a failed
// check (src/checks/observe.ts). What counts, per HAProxy 2.6's analyze statuses: every
// failed connect attempt in both modes; in layer4 a successful connect resets the count; in
// layer7 a connect success is neutral, and the response decides (100–499, 501 and 505 are
// correct; other statuses, invalid heads, read errors, timeouts and closes are errors).

import type { ServerTable } from '../ipc/server-table.js';
import { SRV } from '../ipc/server-table.js';
import type { RuntimeServer } from './compile.js';

/** The analyze statuses that count as errors, as kept in SRV.OBS_LAST. */
export const OBS = {
  L4_ERR: 1,
  HTTP_STS: 2,
  HTTP_HDRRSP: 3,
  HTTP_RSP: 4,
  HTTP_READ_ERROR: 5,
  HTTP_READ_TIMEOUT: 6,
  HTTP_BROKEN_PIPE: 7,
} as const;
export type ObsKind = (typeof OBS)[keyof typeof OBS];

/** HAProxy's names for them, as "last one was: …" prints them. */
export const OBS_NAMES: Readonly<Record<number, string>> = {
  [OBS.L4_ERR]: 'L4 unsuccessful connection',
  [OBS.HTTP_STS]: 'Wrong http response',
  [OBS.HTTP_HDRRSP]: 'Invalid http response (headers)',
  [OBS.HTTP_RSP]: 'Invalid http response',
  [OBS.HTTP_READ_ERROR]: 'Read error (http)',
  [OBS.HTTP_READ_TIMEOUT]: 'Read timeout (http)',
  [OBS.HTTP_BROKEN_PIPE]: 'Close from server (http)',
};

/** A status HAProxy's layer7 observation counts as correct. */
export function correctStatus(status: number): boolean {
  return status >= 100 && (status < 500 || status === 501 || status === 505);
}

/** An error on `srv` (connect failures count in both modes, the others in layer7 only). */
export function observeError(table: ServerTable, srv: RuntimeServer, kind: ObsKind): void {
  if (srv.observe === 0 || (kind !== OBS.L4_ERR && srv.observe !== 7)) return;
  const i32 = table.i32;
  const at = table.slot(srv.slot, SRV.OBS_ERRORS);
  Atomics.store(i32, table.slot(srv.slot, SRV.OBS_LAST), kind);
  const n = Atomics.add(i32, at, 1) + 1;
  // Of the threads that see the limit reached, the one that resets the count raises the action.
  if (n >= srv.errorLimit && Atomics.compareExchange(i32, at, n, 0) === n) Atomics.add(i32, table.slot(srv.slot, SRV.OBS_PENDING), 1);
}

/** A success of `layer` on `srv`: the count restarts (written only when it is not already 0). */
export function observeSuccess(table: ServerTable, srv: RuntimeServer, layer: 4 | 7): void {
  if (srv.observe !== layer) return;
  const at = table.slot(srv.slot, SRV.OBS_ERRORS);
  if (Atomics.load(table.i32, at) !== 0) Atomics.store(table.i32, at, 0);
}
