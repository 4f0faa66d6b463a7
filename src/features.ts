// The one ordered list that installs every feature's rows into the registries, then freezes
// them. Order: HAProxy's catalogs first (every keyword it knows, as "known, pending"
// placeholders), then each feature module overrides the rows it really parses. The README's
// compatibility matrix is generated from the result (src/tools/matrix.ts).

import { Registry } from './config/registry.js';
import type { LineOption, SectionKeyword } from './config/keyword.js';
import type { ParserRegistries, SectionGroup } from './config/parser.js';
import { pending, type Status } from './config/status.js';
import type { AclDerivative, ConverterDef, FetchDef } from './rules/types.js';
import { ACTIONS, type ActionRow, type RuleSet } from './rules/actions.js';
import type { RulesRegistries } from './rules/keywords.js';
import { rulesKeywords } from './rules/keywords.js';
import { FETCHES } from './rules/catalog/fetches.js';
import { CONVERTERS } from './rules/catalog/converters.js';
import { ACL_DERIVATIVES, PREDEFINED_ACLS } from './rules/catalog/acl-derivatives.js';
import { ACTION_CATALOG, BIND_CATALOG, GLOBAL_CATALOG, PROXY_CATALOG, SERVER_CATALOG, unknownTimeoutMessage } from './config/catalog-rows.js';
import { GLOBAL_KEYWORDS } from './process/global-keywords.js';
import { PROXY_CORE_KEYWORDS } from './proxy/keywords.js';
import { optionKeywords } from './proxy/options.js';
import { BIND_OPTIONS, bindKeyword } from './listeners/bind.js';
import { SERVER_OPTIONS, defaultServerKeyword, serverKeyword } from './servers/server.js';
import { CHECK_KEYWORDS } from './checks/keywords.js';
import { STICK_KEYWORDS } from './stick/keywords.js';
import { logKeywords } from './log/keywords.js';
import { STATS_KEYWORDS } from './stats/keywords.js';
import { API_PROXY_KEYWORDS } from './api/config.js';
import { HTTP_KEYWORDS } from './http/keywords.js';
import { AUX_SECTION_KEYWORDS } from './sections/aux-keywords.js';
import { SERVICES, type ServiceRow } from './services.js';
import { nativeFeatures } from './native/addon.js';

export interface Registries extends ParserRegistries, RulesRegistries {
  readonly sections: Map<SectionGroup, Registry<SectionKeyword>>;
  readonly bindOptions: Registry<LineOption>;
  readonly serverOptions: Registry<LineOption>;
  readonly fetches: Registry<FetchDef>;
  readonly converters: Registry<ConverterDef>;
  readonly derivatives: Registry<AclDerivative>;
  readonly predefined: ReadonlySet<string>;
  readonly actions: Map<RuleSet, Map<string, ActionRow>>;
  readonly services: Registry<ServiceRow>;
  /** Capabilities of the native addon that loaded (empty when it did not). */
  readonly native: ReadonlySet<string>;
  /** Whether a named row is ready: 'global nbthread', 'proxy option httplog', 'bind-option ssl', 'service x'. */
  isReady(what: string): boolean;
}

let cached: Registries | undefined;

/** Build (once per process) and freeze every registry. */
export function installFeatures(): Registries {
  if (cached) return cached;
  const sections = new Map<SectionGroup, Registry<SectionKeyword>>();
  const section = (g: SectionGroup): Registry<SectionKeyword> => {
    let r = sections.get(g);
    if (!r) sections.set(g, (r = new Registry<SectionKeyword>(`${g} keywords`)));
    return r;
  };
  const bindOptions = new Registry<LineOption>('bind options');
  const serverOptions = new Registry<LineOption>('server options');
  const fetches = new Registry<FetchDef>('sample fetches');
  const converters = new Registry<ConverterDef>('converters');
  const derivatives = new Registry<AclDerivative>('ACL keywords');
  const services = new Registry<ServiceRow>('services');
  const actions = new Map<RuleSet, Map<string, ActionRow>>();

  // 1. HAProxy's catalogs: every keyword it knows is at least recognised.
  for (const k of GLOBAL_CATALOG) section('global').override(k);
  for (const k of PROXY_CATALOG) section('proxy').override(k);
  for (const o of BIND_CATALOG) bindOptions.override(o);
  for (const o of SERVER_CATALOG) serverOptions.override(o);
  for (const f of FETCHES) fetches.override(f);
  for (const c of CONVERTERS) converters.override(c);
  for (const d of ACL_DERIVATIVES) derivatives.override({ name: d.name, fetch: d.fetch, match: d.match });

  // 2. Feature modules.
  for (const k of GLOBAL_KEYWORDS) section('global').override(k);
  for (const o of BIND_OPTIONS) bindOptions.override(o);
  for (const o of SERVER_OPTIONS) serverOptions.override(o);
  for (const a of [...ACTION_CATALOG, ...ACTIONS]) {
    for (const rs of a.rulesets) {
      let m = actions.get(rs);
      if (!m) actions.set(rs, (m = new Map()));
      m.set(a.name, a);
    }
  }
  const predefined = new Set(PREDEFINED_ACLS.map((p) => p.name));
  const rulesReg: RulesRegistries = { fetches, converters, derivatives, predefined, actions };
  const logs = logKeywords(rulesReg);
  for (const k of logs.global) section('global').override(k);
  const proxy = section('proxy');
  for (const k of [
    ...PROXY_CORE_KEYWORDS,
    ...optionKeywords(),
    bindKeyword(bindOptions),
    serverKeyword(serverOptions),
    defaultServerKeyword(serverOptions),
    ...rulesKeywords(rulesReg),
    ...CHECK_KEYWORDS,
    ...STICK_KEYWORDS,
    ...logs.proxy,
    ...STATS_KEYWORDS,
    ...API_PROXY_KEYWORDS,
    ...HTTP_KEYWORDS,
  ]) {
    proxy.override(k);
  }
  for (const [group, rows] of AUX_SECTION_KEYWORDS) for (const k of rows) section(group).override(k);
  for (const s of SERVICES) services.override(s);

  for (const r of [...sections.values(), bindOptions, serverOptions, fetches, converters, derivatives, services]) r.freeze();

  const native = nativeFeatures();
  const statusOf = (what: string): Status | undefined => {
    const [kind, ...rest] = what.split(' ');
    const name = rest.join(' ');
    switch (kind) {
      case 'global':
        return sections.get('global')?.get(name)?.status;
      case 'proxy':
        return sections.get('proxy')?.get(name)?.status;
      case 'bind-option':
        return bindOptions.get(name)?.status;
      case 'server-option':
        return serverOptions.get(name)?.status;
      case 'service':
        return services.get(name)?.status;
      default:
        return pending('other');
    }
  };
  cached = {
    sections,
    bindOptions,
    serverOptions,
    fetches,
    converters,
    derivatives,
    predefined,
    actions,
    services,
    native,
    isReady: (what) => statusOf(what) === 'ready',
    familyMessages: new Map<string, (sub: string | undefined) => string | null>([
      ['timeout', (sub) => (sub === undefined ? null : unknownTimeoutMessage(sub))],
      ['email-alert', (sub) => (sub === undefined ? "missing argument after 'email-alert'." : `email-alert: unknown argument '${sub}'.`)],
    ]),
  };
  return cached;
}
