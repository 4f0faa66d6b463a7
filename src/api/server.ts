// The runtime API on `stats socket`. Not implemented yet.

import type { ControlContext, ControlService } from '../process/control.js';
import type { CheckRegistry } from '../checks/registry.js';

export async function startRuntimeApi(_ctx: ControlContext, _checks: CheckRegistry): Promise<ControlService> {
  return { stop: async () => undefined };
}
