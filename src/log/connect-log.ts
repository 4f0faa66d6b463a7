// The line HAProxy 2.6 logs for each new stream of a frontend that has loggers but no log
// format (frontend.c frontend_accept): "Connect from SRC:PORT to DST:PORT (FE/MODE)" at info,
// once per TCP session and once per HTTP request. `option httplog` / `tcplog` / `log-format`
// replace it with a line at the end of each stream (not implemented yet: refused).

import type { RuntimeFrontend, RuntimeListener } from '../dataplane/compile.js';
import { LOG_LEVEL } from './target.js';

export interface Ends {
  readonly src: string | undefined;
  readonly srcPort: number | undefined;
  readonly dst: string | undefined;
  readonly dstPort: number | undefined;
}

/** Whether the frontend logs new streams (build the addresses only then). */
export const logsConnects = (fe: RuntimeFrontend): boolean => fe.logger.wants(LOG_LEVEL.info);

export function logConnect(fe: RuntimeFrontend, l: RuntimeListener, ends: Ends | null): void {
  const mode = fe.mode === 'http' ? 'HTTP' : 'TCP';
  let text: string;
  if (l.kind === 'unix') text = `Connect to unix:${fe.listeners.indexOf(l) + 1} (${fe.name}/${mode})`;
  else if (!ends?.src) text = `Connect from unknown source to listener ${fe.listeners.indexOf(l) + 1} (${fe.name}/${mode})`;
  else {
    const dst = ends.dst ? `${ends.dst}:${ends.dstPort ?? 0}` : 'undetermined address:0';
    text = `Connect from ${ends.src}:${ends.srcPort ?? 0} to ${dst} (${fe.name}/${mode})`;
  }
  fe.logger.send(LOG_LEVEL.info, text);
}

/** A socket's ends (after an accept-proxy header, the header's addresses). */
export const socketEnds = (s: { remoteAddress?: string; remotePort?: number; localAddress?: string; localPort?: number }): Ends => ({
  src: s.remoteAddress,
  srcPort: s.remotePort,
  dst: s.localAddress,
  dstPort: s.localPort,
});
