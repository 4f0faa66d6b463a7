// The main thread's own log lines (HAProxy's send_log): process events to the global `log`
// lines (send_log(NULL, ...)), proxy events such as a server going DOWN to that proxy's.
// Loggers are built on first use and kept.

import type { ConfigModel } from '../config/model.js';
import { createLogger, type Logger } from './sender.js';
import { globalTargets, logIdentity, proxyTargets } from './resolve.js';

export class ProcessLog {
  private readonly byProxy = new Map<string, Logger>();
  private processLogger: Logger | null = null;

  constructor(private readonly model: ConfigModel) {}

  /** A process event (soft stop, grace period...), to the global loggers. */
  global(level: number, message: string): void {
    const l = (this.processLogger ??= createLogger(globalTargets(this.model), logIdentity(this.model, null)));
    if (l.wants(level)) l.send(level, message);
  }

  /**
   * An event of proxy `name` in its `role` (a backend's server state, a frontend
   * hard-stopped): a frontend and a backend may share a name.
   */
  proxy(name: string, level: number, message: string, role: 'frontend' | 'backend' = 'backend'): void {
    const key = `${role} ${name}`;
    let l = this.byProxy.get(key);
    if (!l) {
      const p = this.model.proxies.find((x) => x.name === name && x.cap[role]);
      l = p ? createLogger(proxyTargets(this.model, p), logIdentity(this.model, p)) : createLogger([], logIdentity(this.model, null));
      this.byProxy.set(key, l);
    }
    if (l.wants(level)) l.send(level, message);
  }
}
