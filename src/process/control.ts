// The control plane: what runs on the main thread beside the data plane once it has started
// — health checks (src/checks) publishing server state into the shared server table, and the
// runtime API on `stats socket` (src/api). Both are started after the workers are up and
// stopped before them.

import type { ConfigModel } from '../config/model.js';
import type { DataPlane } from '../dataplane/runtime.js';
import { startHealthChecks } from '../checks/runner.js';
import { startRuntimeApi } from '../api/server.js';
import type { ProcessLog } from '../log/process-log.js';

/** How a control-plane service reports: `[ALERT]`/`[WARNING]`/`[NOTICE]` lines on stderr. */
export interface ControlLog {
  alert(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
}

/** A started control-plane service. */
export interface ControlService {
  stop(): Promise<void>;
  /** Runtime API connections accepted so far (HAProxy's GLOBAL proxy), when it has one. */
  cliConnections?(): number;
}

export interface ControlContext {
  readonly model: ConfigModel;
  readonly dp: DataPlane;
  readonly log: ControlLog;
  /** The process's log lines (`log`), shared with the stop sequence. */
  readonly syslog: ProcessLog;
  readonly pid: number;
  /** When the process started (ms since epoch): `show info` uptime. */
  readonly startedAt: number;
}

export async function startControlPlane(ctx: ControlContext): Promise<ControlService> {
  const services: ControlService[] = [];
  const checks = await startHealthChecks(ctx);
  services.push(checks);
  const api = await startRuntimeApi(ctx, checks.registry);
  services.push(api);
  return {
    cliConnections: api.cliConnections,
    async stop() {
      await Promise.all(services.map((s) => s.stop().catch(() => undefined)));
    },
  };
}
