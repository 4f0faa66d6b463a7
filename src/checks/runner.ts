// Health checks: run on the main thread, publish each server's state into the shared server
// table (SRV.UP), and tell the balancers (DataPlane.touchBackend). Not implemented yet.

import type { ControlContext, ControlService } from '../process/control.js';

export async function startHealthChecks(_ctx: ControlContext): Promise<ControlService> {
  return { stop: async () => undefined };
}
