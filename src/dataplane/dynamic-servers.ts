// Servers added and deleted at run time (`add server` / `del server` on the runtime API).
// The server table is one fixed SharedArrayBuffer, so it is sized at start-up with spare
// slots (`switchyard.dynamic-servers`, default DEFAULT_SPARE); a deleted server's slot is
// free again once the workers have dropped it. The main thread owns the allocation and sends
// each change to every worker as a `server-change` message (ordered per worker, so a slot's
// deletion always arrives before its reuse); a worker started later replays `current()`.

import type { ConfigModel } from '../config/model.js';
import type { RuntimeBackend, RuntimeServer } from './compile.js';

/** Spare server slots when the configuration does not say (about 52 bytes each, plus counters). */
export const DEFAULT_SPARE = 1024;

export type ServerChange =
  | { readonly op: 'add'; readonly backend: string; readonly server: RuntimeServer }
  | { readonly op: 'del'; readonly backend: string; readonly slot: number };

/** Spare slots the configuration asks for. */
export function spareSlots(model: ConfigModel): number {
  const v = model.global.settings['switchyard.dynamic-servers']?.value;
  return typeof v === 'number' ? v : DEFAULT_SPARE;
}

const DYNAMIC_ALGORITHMS = new Set(['roundrobin', 'leastconn', 'first', 'random']);

/**
 * Whether the backend's balancer can take servers while running (HAProxy's BE_LB_PROP_DYN):
 * `add server` needs it, and HAProxy's weight messages differ for the others.
 */
export function dynamicBalance(be: RuntimeBackend): boolean {
  const a = be.balance.algorithm;
  if (DYNAMIC_ALGORITHMS.has(a)) return true;
  return a !== 'static-rr' && be.hashType.method === 'consistent';
}

/** Apply one change to a compiled runtime's backends; returns the backend changed. */
export function applyServerChange(backends: ReadonlyMap<string, RuntimeBackend>, c: ServerChange): RuntimeBackend | undefined {
  const be = backends.get(c.backend);
  if (!be) return undefined;
  if (c.op === 'add') be.servers.push(c.server);
  else {
    const i = be.servers.findIndex((s) => s.slot === c.slot);
    if (i >= 0) be.servers.splice(i, 1);
  }
  return be;
}

/** The main thread's book of slots: which are free, and what changed since start-up. */
export class ServerSlots {
  /** Free slots, highest first (the lowest is taken first, from the end). */
  private readonly free: number[] = [];
  private readonly added = new Map<number, ServerChange & { op: 'add' }>();
  /** Configured servers deleted, by slot, with their backend. */
  private readonly removed = new Map<number, string>();

  constructor(readonly configured: number, readonly capacity: number) {
    for (let s = capacity - 1; s >= configured; s--) this.free.push(s);
  }

  /** A free slot, or undefined when every spare slot is in use. */
  take(): number | undefined {
    return this.free.pop();
  }

  add(backend: string, server: RuntimeServer): ServerChange {
    const c = { op: 'add', backend, server } as const;
    this.added.set(server.slot, c);
    return c;
  }

  /** The slot is free again: workers drop the server before any later change reuses it. */
  remove(backend: string, slot: number): ServerChange {
    if (!this.added.delete(slot)) this.removed.set(slot, backend);
    let i = this.free.length;
    while (i > 0 && this.free[i - 1]! < slot) i--;
    this.free.splice(i, 0, slot);
    return { op: 'del', backend, slot };
  }

  /** What a worker compiled from the configuration must apply to be current: deletions first. */
  current(): ServerChange[] {
    const out: ServerChange[] = [];
    for (const [slot, backend] of this.removed) out.push({ op: 'del', backend, slot });
    out.push(...this.added.values());
    return out;
  }
}
