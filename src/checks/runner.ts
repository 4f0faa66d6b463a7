// Health checks: run on the main thread, publish each server's state into the shared server
// table (SRV.UP, SRV.WEIGHT), tell the balancers (DataPlane.touchBackend), and expose their
// state through the CheckRegistry (./registry.ts) that the runtime API reads. Not
// implemented yet.

import type { ControlContext, ControlService } from '../process/control.js';
import { noChecks, type CheckRegistry } from './registry.js';
import { SRV } from '../ipc/server-table.js';

export interface HealthChecks extends ControlService {
  readonly registry: CheckRegistry;
}

export async function startHealthChecks(ctx: ControlContext): Promise<HealthChecks> {
  const { dp } = ctx;
  const registry = noChecks((slot) => {
    dp.table.set(slot, SRV.WEIGHT, dp.table.get(slot, SRV.WEIGHT_USER));
    for (const be of dp.runtime.backends.values()) if (be.servers.some((s) => s.slot === slot)) dp.touchBackend(be.name);
  });
  return { registry, stop: async () => undefined };
}
