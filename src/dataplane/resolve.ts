// Server names are resolved once at start-up, as HAProxy does with its default
// `init-addr last,libc`: the data plane (and the native splice path) only sees IP addresses.

import { lookup } from 'node:dns/promises';
import type { ConfigModel } from '../config/model.js';

/** Resolve every hostname server address in place; returns HAProxy-style errors. */
export async function resolveServerNames(model: ConfigModel): Promise<string[]> {
  const errors: string[] = [];
  for (const p of model.proxies) {
    for (const s of p.servers) {
      const a = s.address;
      if (!a || a.family !== 'hostname') continue;
      try {
        const r = await lookup(a.host);
        (s as { address: typeof a }).address = { ...a, host: r.address, family: r.family === 6 ? 'ipv6' : 'ipv4' };
      } catch {
        errors.push(`[${s.loc.file}:${s.loc.line}] : 'server ${p.name}/${s.name}' : could not resolve address '${a.host}'.`);
      }
    }
  }
  return errors;
}
