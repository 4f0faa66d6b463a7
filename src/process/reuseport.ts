// `noreuseport` (global, HAProxy's -dR): no listening socket gets SO_REUSEPORT. What that
// means for Switchyard's listeners:
//  - the `shared` and `main` accept modes bind one socket per address without SO_REUSEPORT
//    already: nothing changes;
//  - `switchyard.accept-mode reuseport` (one SO_REUSEPORT socket per worker) cannot exist
//    without it: the process uses `shared` instead (one socket, all workers) and says so;
//  - `bind ... shards by-thread` asks for one socket per thread on the same address. HAProxy
//    2.6 binds them without SO_REUSEPORT, the second bind() fails with EADDRINUSE and it
//    refuses to start; we refuse with its words before binding anything.

import type { SectionKeyword } from '../config/keyword.js';
import type { ConfigModel } from '../config/model.js';
import type { AcceptMode } from '../ipc/messages.js';
import { bindErrorText } from '../listeners/bind-error.js';

export const NOREUSEPORT: SectionKeyword = {
  name: 'noreuseport',
  status: 'ready',
  maxArgs: 0,
  summary:
    "no SO_REUSEPORT on listeners: accept-mode 'reuseport' falls back to 'shared'; 'shards by-thread' with several threads refuses to start (EADDRINUSE), as in HAProxy",
};

export function noReusePort(model: ConfigModel): boolean {
  return model.global.settings['noreuseport'] !== undefined;
}

/** The accept mode to impose on the data plane, and the notice saying why (undefined: as configured). */
export function acceptModeOverride(model: ConfigModel): { mode: AcceptMode; notice: string } | undefined {
  if (!noReusePort(model) || model.global.settings['switchyard.accept-mode']?.value !== 'reuseport') return undefined;
  return {
    mode: 'shared',
    notice: "'noreuseport' is set: 'switchyard.accept-mode reuseport' needs SO_REUSEPORT, using 'shared' (one listening socket for all workers).",
  };
}

/**
 * The alert HAProxy gives for the first `shards by-thread` TCP listener when SO_REUSEPORT is
 * off and there is more than one thread to shard for; undefined when nothing conflicts.
 */
export function shardConflict(model: ConfigModel, threads: number): string | undefined {
  if (!noReusePort(model) || threads < 2) return undefined;
  for (const p of model.proxies) {
    if (!p.cap.frontend) continue;
    for (const b of p.binds) {
      if (b.options['shards'] !== 'by-thread') continue;
      const a = b.addresses.find((x) => x.family === 'ipv4' || x.family === 'ipv6' || x.family === 'hostname');
      if (!a) continue;
      const owner = `${p.cap.backend ? 'proxy' : 'frontend'} ${p.name}`;
      return bindErrorText(owner, `${b.loc.file}:${b.loc.line}`, { kind: 'tcp', path: '', host: a.host, port: a.ports[0] }, 'Address already in use');
    }
  }
  return undefined;
}
