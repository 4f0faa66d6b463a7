// Implementation status of a keyword, fetch, converter or action. A row that is known to the
// parser but whose behaviour lands later is `pending`: its arguments are still validated, and
// then the config is refused with "'KEYWORD' is not implemented yet", never silently accepted.

/** Feature areas still to come, with the issue that brings them (0 = not filed yet). */
export const AREAS = {
  'data-plane': { issue: 3, title: 'data plane (workers, TCP mode, balancing)' },
  process: { issue: 3, title: 'process management' },
  http: { issue: 4, title: 'HTTP engine' },
  rules: { issue: 4, title: 'rules engine' },
  compression: { issue: 4, title: 'compression' },
  persistence: { issue: 4, title: 'cookie persistence' },
  checks: { issue: 5, title: 'health checks' },
  'runtime-api': { issue: 5, title: 'runtime API' },
  'check-vars': { issue: 0, title: 'log-format, sample expressions and variables in checks' },
  'email-alerts': { issue: 0, title: 'email alerts' },
  'stick-tables': { issue: 0, title: 'stick tables' },
  tls: { issue: 0, title: 'TLS' },
  logging: { issue: 0, title: 'logging' },
  stats: { issue: 0, title: 'stats page' },
  h2: { issue: 0, title: 'HTTP/2' },
  peers: { issue: 0, title: 'peers' },
  cache: { issue: 0, title: 'cache' },
  resolvers: { issue: 0, title: 'DNS resolvers' },
  other: { issue: 0, title: 'not scheduled' },
} as const;

export type Area = keyof typeof AREAS;

export type Status = 'ready' | { readonly pending: string };

export function pending(area: Area): Status {
  return { pending: area };
}

/** The alert text for something known but not implemented yet. */
export function notImplemented(what: string, s: Status): string {
  return `${what} is not implemented yet (${statusLabel(s)}).`;
}

/** Short human label, used in the not-implemented alert and the compatibility matrix. */
export function statusLabel(s: Status): string {
  if (s === 'ready') return 'ready';
  const a = (AREAS as Record<string, { issue: number; title: string }>)[s.pending];
  if (!a) return `pending (${s.pending})`;
  return a.issue ? `pending: ${a.title} (#${a.issue})` : `pending: ${a.title}`;
}
