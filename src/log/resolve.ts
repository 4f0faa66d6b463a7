// Which loggers each proxy has (cfgparse's logsrv lists): a proxy starts with the `log` lines
// of its defaults section, then its own, in order; `log global` adds the global section's
// lines at that point and `no log` forgets everything before it. The identity in each line's
// header: `log-tag` (the proxy's, else the global one, else the program's name), the PID,
// and `log-send-hostname`.

import { basename } from 'node:path';
import { hostname } from 'node:os';
import type { ConfigModel, Directive, ProxyModel } from '../config/model.js';
import type { LogIdentity } from './syslog.js';
import type { LogTarget } from './target.js';

/** argv[0]'s base name, as HAProxy tags its logs (a `haproxy` symlink logs as haproxy). */
export function programName(): string {
  // `node bin/switchyard.js` logs as switchyard.
  return (process.env['SWITCHYARD_ARGV0'] ?? basename(process.argv[1] ?? 'switchyard')).replace(/\.js$/, '');
}

const isTarget = (v: unknown): v is LogTarget => typeof v === 'object' && v !== null && 'address' in v && 'facility' in v;

function targetsOf(list: readonly Directive[] | undefined, global: readonly LogTarget[]): LogTarget[] {
  let out: LogTarget[] = [];
  for (const d of list ?? []) {
    const v = d.value;
    // A global logger the list already has is not added twice (`log global` in defaults and
    // again in the proxy is common): parse_logsrv skips it.
    if (v === 'global') out.push(...global.filter((g) => !out.includes(g)));
    else if (typeof v === 'object' && v !== null && !Array.isArray(v) && v['clear'] === true) out = [];
    else if (isTarget(v)) out.push(v);
  }
  return out;
}

export function globalTargets(model: ConfigModel): LogTarget[] {
  return targetsOf(model.global.lists['log'], []);
}

export function proxyTargets(model: ConfigModel, proxy: ProxyModel): LogTarget[] {
  return targetsOf(proxy.lists['log'], globalTargets(model));
}

/** The header identity for the process's own messages (`proxy` null) or a proxy's. */
export function logIdentity(model: ConfigModel, proxy: ProxyModel | null): LogIdentity {
  const tagOf = (v: unknown): string | undefined => (Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);
  const tag = tagOf(proxy?.settings['log-tag']?.value) ?? tagOf(model.global.settings['log-tag']?.value) ?? programName();
  const h = model.global.settings['log-send-hostname'];
  const host = h === undefined ? '' : (tagOf(h.value) ?? hostname());
  return { tag, pid: process.pid, hostname: host };
}
