// The balancer interface (the idea of HAProxy's struct lb_ops): a balancer is a small module
// with no I/O. It reads server state from the shared table and returns a server, or -1.

import type { ServerTable } from '../ipc/server-table.js';

export interface LbServer {
  /** Index of the server's record in the shared server table. */
  readonly slot: number;
  readonly name: string;
  /** Numeric id (HAProxy's puid): `first` walks servers in id order. */
  readonly id: number;
  readonly backup: boolean;
}

export interface LbContext {
  readonly table: ServerTable;
  /** The backend's servers, in declaration order. */
  readonly servers: readonly LbServer[];
  /** `option allbackups`: use every backup at once instead of only the first usable one. */
  readonly allBackups: boolean;
  /** Shared per-backend state (tickets), the same for every worker thread. */
  readonly shared: Int32Array;
  readonly random: () => number;
}

/** What a request/connection offers to hash-based balancers. */
export interface PickInput {
  /** Client address bytes (4 for IPv4, 16 for IPv6). */
  readonly src?: Uint8Array;
  /**
   * The key of the string-keyed balancers (uri, url_param, hdr, rdp-cookie, hash), taken from
   * the request by src/http/balance-key.ts; absent when the request has none (HAProxy then
   * falls back to round robin).
   */
  readonly key?: Uint8Array;
}

export interface Balancer {
  /** Choose a server for a new connection; `avoid` is a slot to skip (redispatch). */
  select(input: PickInput, avoid?: number): number;
}

export type BalancerFactory = (ctx: LbContext, spec: Record<string, unknown>) => Balancer;

/**
 * Slots of the per-backend shared Int32 region. VERSION is bumped (Atomics.add) by whoever
 * changes a server's state or weight (health checks, CLI): balancers rebuild their
 * candidate lists and schedules only when it moves, never per connection.
 */
export const LB_SHARED = { TICKET: 0, VERSION: 1 } as const;

/**
 * The region's other slots: the backend's own cumulative counters (../ipc/backend-counters.ts),
 * which its servers' do not add up to (a stream that got no server, retries).
 */
export const BE_COUNTER = { SESSIONS: 2, CONN_ERR: 3 } as const;
export const LB_SHARED_SLOTS = 4;
