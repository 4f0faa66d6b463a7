// What HAProxy says as a soft stop closes each proxy's listeners (proxy.c stop_proxy):
// "Proxy NAME stopped (cumulated conns: FE: n, BE: m)." on stderr and to the proxy's loggers
// at warning, in declaration order, then for its internal HTTP client proxy, which 2.6
// always has and reports the same way.

import type { ConfigModel } from '../config/model.js';
import type { DataPlane } from '../dataplane/runtime.js';
import { FC } from '../ipc/conn-gauges.js';
import { BE_COUNTER } from '../lb/types.js';
import type { ProcessLog } from '../log/process-log.js';
import { LOG_LEVEL } from '../log/target.js';

export function proxiesStopped(model: ConfigModel, dp: DataPlane, warn: (m: string) => void, syslog: ProcessLog, cli: number | undefined): void {
  // The `stats socket` lines belong to HAProxy's GLOBAL proxy, which comes first.
  if (cli !== undefined) warn(`Proxy GLOBAL stopped (cumulated conns: FE: ${cli}, BE: ${cli}).`);
  for (const p of model.proxies) {
    const fe = p.cap.frontend ? dp.runtime.frontends.find((f) => f.name === p.name) : undefined;
    const be = p.cap.backend ? dp.runtime.backends.get(p.name) : undefined;
    const feConns = fe ? dp.gauges.counter(fe.index, FC.CONN_TOTAL) : 0;
    const beConns = be ? dp.backendCounters.get(be.lbOffset, BE_COUNTER.SESSIONS) : 0;
    const m = `Proxy ${p.name} stopped (cumulated conns: FE: ${feConns}, BE: ${beConns}).`;
    warn(m);
    syslog.proxy(p.name, LOG_LEVEL.warning, m, p.cap.frontend ? 'frontend' : 'backend');
  }
  warn('Proxy <HTTPCLIENT> stopped (cumulated conns: FE: 0, BE: 0).');
}
