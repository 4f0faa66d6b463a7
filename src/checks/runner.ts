// Health checks: run on the main thread, publish each server's state into the shared server
// table (SRV.UP, SRV.WEIGHT), tell the balancers (DataPlane.touchBackend), and expose their
// state through the CheckRegistry (./registry.ts) that the runtime API reads. Not
// implemented yet.

import type { ControlContext, ControlService } from '../process/control.js';
import { NO_CHECKS, type CheckRegistry } from './registry.js';

export interface HealthChecks extends ControlService {
  readonly registry: CheckRegistry;
}

export async function startHealthChecks(_ctx: ControlContext): Promise<HealthChecks> {
  return { registry: NO_CHECKS, stop: async () => undefined };
}
