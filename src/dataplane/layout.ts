// Where each backend's servers live in the shared server table, and each backend's balancer
// state in the shared LB region. Derived deterministically from the model, so the control
// plane and every worker compute the same layout without exchanging it.

import type { ConfigModel, ProxyModel } from '../config/model.js';
import { LB_SHARED_SLOTS } from '../lb/types.js';

export interface BackendLayout {
  readonly name: string;
  /** First server slot; servers are consecutive, in declaration order. */
  readonly firstSlot: number;
  readonly count: number;
  /** Offset (in Int32 slots) of this backend's region in the shared LB buffer. */
  readonly lbOffset: number;
}

export interface Layout {
  readonly backends: ReadonlyMap<string, BackendLayout>;
  readonly servers: number;
  readonly lbSlots: number;
}

export function backendsOf(model: ConfigModel): ProxyModel[] {
  return model.proxies.filter((p) => p.cap.backend);
}

export function computeLayout(model: ConfigModel): Layout {
  const backends = new Map<string, BackendLayout>();
  let slot = 0;
  let lb = 0;
  for (const p of backendsOf(model)) {
    if (backends.has(p.name)) continue;
    backends.set(p.name, { name: p.name, firstSlot: slot, count: p.servers.length, lbOffset: lb });
    slot += p.servers.length;
    lb += LB_SHARED_SLOTS;
  }
  return { backends, servers: slot, lbSlots: Math.max(1, lb) };
}
