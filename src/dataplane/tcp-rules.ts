// The TCP side of each proxy's rules, compiled once per worker: tcp-request connection /
// session / content, tcp-response content, use_backend / default_backend, use-server, and
// the two inspect-delays. Also says which frontends the native splice path can take: a
// connection handed to the splice forwarder cannot be inspected, so any frontend with rules,
// content switching, or a backend that looks at the payload is served by the JS session.

import type { ProxyModel } from '../config/model.js';
import type { CompiledProxyRules } from '../rules/runtime/compile.js';

export interface TcpProxyRules {
  readonly name: string;
  readonly rules: CompiledProxyRules;
  /** `tcp-request inspect-delay` / `tcp-response inspect-delay` in ms (0: none). */
  readonly requestDelay: number;
  readonly responseDelay: number;
  /** The cookie `balance rdp-cookie(NAME)` hashes, or null for another algorithm. */
  readonly rdpCookie: string | null;
  /** Whether a backend of this proxy reads the payload (content rules, use-server, rdp-cookie). */
  readonly inspectsAsBackend: boolean;
  /** Whether a frontend of this proxy runs rules or switches (use_backend). */
  readonly inspectsAsFrontend: boolean;
  /** Where a frontend of this proxy sends connections without a use_backend match. */
  readonly fallback: string | null;
}

const delayOf = (p: ProxyModel, key: string): number => {
  const v = p.settings[key]?.value;
  return typeof v === 'number' ? v : 0;
};

function proxyRules(p: ProxyModel, rules: CompiledProxyRules): TcpProxyRules {
  const balance = p.settings['balance']?.value as { algorithm?: unknown; cookie?: unknown } | null | undefined;
  const rdpCookie = balance?.algorithm === 'rdp-cookie' ? String(balance.cookie ?? 'mstshash') : null;
  const h = rules.has;
  const def = p.settings['default_backend']?.value;
  return {
    name: p.name,
    rules,
    requestDelay: delayOf(p, 'tcp-request inspect-delay'),
    responseDelay: delayOf(p, 'tcp-response inspect-delay'),
    rdpCookie,
    inspectsAsBackend: p.cap.backend && (h.tcpRequestContent || h.tcpResponseContent || h.useServer || rdpCookie !== null),
    inspectsAsFrontend:
      p.cap.frontend && (h.tcpRequestConnection || h.tcpRequestSession || h.tcpRequestContent || (p.lists['use_backend']?.length ?? 0) > 0),
    fallback: typeof def === 'string' ? def : p.cap.backend ? p.name : null,
  };
}

/** Every proxy's TCP rules: by frontend name and by backend name (a listen is both, once). */
export class TcpRuleSets {
  private readonly fronts = new Map<string, TcpProxyRules>();
  private readonly backs = new Map<string, TcpProxyRules>();

  constructor(proxies: readonly ProxyModel[], compiled: (p: ProxyModel) => CompiledProxyRules) {
    for (const p of proxies) {
      if (!p.cap.frontend && !p.cap.backend) continue;
      const r = proxyRules(p, compiled(p));
      // The first of a name wins, as the runtime's backend map does.
      if (p.cap.frontend && !this.fronts.has(p.name)) this.fronts.set(p.name, r);
      if (p.cap.backend && !this.backs.has(p.name)) this.backs.set(p.name, r);
    }
  }

  frontend(name: string): TcpProxyRules | undefined {
    return this.fronts.get(name);
  }

  backend(name: string): TcpProxyRules | undefined {
    return this.backs.get(name);
  }

  /** Whether connections of this frontend must be read by the JS session (not spliced). */
  needsInspection(frontend: string): boolean {
    const f = this.fronts.get(frontend);
    if (!f) return false;
    if (f.inspectsAsFrontend) return true;
    const be = f.fallback === null ? undefined : this.backs.get(f.fallback);
    return be !== undefined && be.inspectsAsBackend;
  }
}
