// Adapters from HAProxy's keyword catalogs (plain data in ./catalog/) to registry rows: every
// keyword HAProxy knows becomes at least a placeholder that checks its argument count and is
// then refused as "not implemented yet" — recognised, never silently accepted.

import type { SectionKeyword } from './keyword.js';
import { pending } from './status.js';
import { GLOBAL_KEYWORDS as GLOBAL_TABLE, type GlobalKeyword } from './catalog/global.js';
import type { LineOption, ProxyCaps } from './keyword.js';
import { PROXY_KEYWORDS, OPTIONS as OPTION_TABLE, TIMEOUTS as TIMEOUT_TABLE, TIMEOUT_MESSAGES, type ProxyMisuse } from './catalog/proxy.js';
import { BIND_OPTIONS as BIND_TABLE } from './catalog/bind-options.js';
import { SERVER_OPTIONS as SERVER_TABLE } from './catalog/server-options.js';
import { RULE_SETS } from './catalog/actions.js';
import type { ActionRow, RuleSet } from '../rules/actions.js';

function globalRow(k: GlobalKeyword): SectionKeyword | undefined {
  if (k.status === 'unavailable') return undefined; // HAProxy itself reports these as unknown
  if (k.status === 'removed') {
    const message = (k.message ?? `'${k.name}' is not supported any more.`).replace(/^parsing \[\{file\}:\{line\}\] : /, '');
    return { name: k.name, status: 'ready', parse: (ctx) => ctx.fail(message, 'E_UNSUPPORTED') };
  }
  return {
    name: k.name,
    status: pending('other'),
    minArgs: k.minArgs,
    maxArgs: k.maxArgs ?? undefined,
    negatable: k.noPrefix,
  };
}

export const GLOBAL_CATALOG: readonly SectionKeyword[] = GLOBAL_TABLE.map(globalRow).filter((r): r is SectionKeyword => r !== undefined);


/** HAProxy's message template without its location prefix, placeholders filled. */
export function template(msg: string, fill: Record<string, string> = {}): string {
  return msg.replace(/^[Pp]arsing \[\{file\}:\{line\}\] ?: /, '').replace(/\{(\w+)\}/g, (m, k: string) => fill[k] ?? m);
}

function capsOf(r: { defaults?: string; frontend?: boolean; listen?: boolean; backend?: boolean }): ProxyCaps {
  return { defaults: r.defaults !== undefined && r.defaults !== 'no', frontend: !!r.frontend, backend: !!r.backend };
}

function misuseOf(m: readonly ProxyMisuse[] | undefined): 'alert' | 'warning' {
  return m?.some((x) => x.result === 'alert') ? 'alert' : 'warning';
}

function removed(name: string, message: string | undefined): SectionKeyword {
  const text = template(message ?? `'${name}' is not supported any more.`);
  return { name, status: 'ready', summary: 'removed from HAProxy; refused as HAProxy refuses it', parse: (ctx) => ctx.fail(text, 'E_UNSUPPORTED') };
}

/** Every proxy keyword, option and timeout HAProxy 2.6 knows. */
export const PROXY_CATALOG: readonly SectionKeyword[] = [
  ...PROXY_KEYWORDS.filter((k) => !k.head).map((k): SectionKeyword =>
    k.status === 'removed' ? removed(k.name, k.message) : { name: k.name, caps: capsOf(k), misuse: misuseOf(k.misuse), status: pending('other'), negatable: k.negatable },
  ),
  ...OPTION_TABLE.map((o): SectionKeyword =>
    o.status === 'removed'
      ? removed(`option ${o.name}`, o.message)
      : { name: `option ${o.name}`, caps: capsOf(o), misuse: misuseOf(o.misuse), status: pending('other'), negatable: o.negatable, minArgs: o.minArgs, maxArgs: o.maxArgs ?? undefined },
  ),
  ...TIMEOUT_TABLE.map((t): SectionKeyword =>
    t.status === 'removed' ? removed(`timeout ${t.name}`, t.message) : { name: `timeout ${t.name}`, caps: capsOf(t), misuse: misuseOf(t.misuse), status: pending('other'), minArgs: 1, maxArgs: 1 },
  ),
];

/** HAProxy's message for an unknown `timeout X`. */
export function unknownTimeoutMessage(sub: string): string {
  return template(TIMEOUT_MESSAGES.unknown, { sub });
}

export const BIND_CATALOG: readonly LineOption[] = BIND_TABLE.filter((b) => b.status !== 'unavailable').map((b) => ({
  name: b.name,
  args: b.args,
  status: pending(b.requiresSsl || b.scope === 'SSL' ? 'tls' : b.scope === 'STATS' ? 'runtime-api' : 'data-plane'),
}));

export const SERVER_CATALOG: readonly LineOption[] = SERVER_TABLE.filter((s) => s.status === 'supported').map((s) => ({
  name: s.name,
  args: s.args === -1 ? 1 : s.args,
  status: pending(s.ssl ? 'tls' : 'data-plane'),
  onDefaultServer: s.defaultServer !== false,
  negatable: !!s.negation && s.negation === `no-${s.name}`,
}));

/** Every action of every rule set, as placeholders the rules engine overrides. */
export const ACTION_CATALOG: readonly ActionRow[] = RULE_SETS.flatMap((rs) =>
  rs.actions
    .filter((a) => a.allowed !== false && !a.builtin)
    .flatMap((a): ActionRow[] => {
      const names = a.form === 'digit-suffix' ? [0, 1, 2].map((n) => `${a.name}${n}`) : a.form === 'paren' ? [`${a.name}()`] : [a.name];
      return names.map((name) => ({ name, rulesets: [rs.name as RuleSet], status: pending('rules') }));
    }),
);

/** The list HAProxy prints in its unknown-action message, per rule set. */
export const ACTION_LIST_TEXT: ReadonlyMap<string, { listText: string; unknownAction: string }> = new Map(
  RULE_SETS.map((r) => [r.name, { listText: r.listText, unknownAction: r.unknownAction }]),
);
