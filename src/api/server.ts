// The runtime API on `stats socket`. Not implemented yet.

import type { ControlContext, ControlService } from '../process/control.js';

export async function startRuntimeApi(_ctx: ControlContext): Promise<ControlService> {
  return { stop: async () => undefined };
}
