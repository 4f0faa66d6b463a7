// Where sample fetches may run, and the exact words HAProxy 2.6 uses when one is used where
// its data does not exist yet (or any more).
//
// HAProxy's model (sample.c): every fetch declares the *sources* it reads (SMP_USE_*, here
// `SmpSource`); every place that evaluates expressions is a *checkpoint* (SMP_CKP_*, here
// `Checkpoint`); a fixed table says at which checkpoints each source is readable. A fetch is
// usable at a checkpoint when AT LEAST ONE of its sources is readable there, and a rule is
// checked against the checkpoints of the proxy it sits in (frontend part, backend part, or
// both for a `listen`). The tables below were read from haproxy 2.6.12 itself
// (`haproxy -dKsmp` prints the per-fetch checkpoint matrix) and from its sample.c.
//
// The coarse `FetchUse` families of ../rules/types.ts cannot express everything (e.g. backend
// state is readable in backend rules only); `RULESET_PROVIDES` is therefore a permissive
// approximation, while `fetchAvailable()` / `fetchUnavailableMessage()` are exact.

import type { FetchUse, MatchMethod, SampleType } from './types.js';
import { canCast } from './casts.js';

// ---------------------------------------------------------------------------------------------
// Checkpoints (SMP_CKP_*), in HAProxy's bit order. The order matters: when a rule is checked
// against several checkpoints (a `listen`), HAProxy names only the lowest one in its messages.

export type Checkpoint =
  | 'FE_CON_ACC' | 'FE_SES_ACC' | 'FE_REQ_CNT' | 'FE_HRQ_HDR' | 'FE_HRQ_BDY' | 'FE_SET_BCK'
  | 'BE_REQ_CNT' | 'BE_HRQ_HDR' | 'BE_HRQ_BDY' | 'BE_SET_SRV' | 'BE_SRV_CON' | 'BE_RES_CNT'
  | 'BE_HRS_HDR' | 'BE_HRS_BDY' | 'BE_STO_RUL' | 'FE_RES_CNT' | 'FE_HRS_HDR' | 'FE_HRS_BDY'
  | 'FE_LOG_END' | 'BE_CHK_RUL' | 'CFG_PARSER' | 'CLI_PARSER';

export const CHECKPOINTS: readonly Checkpoint[] = [
  'FE_CON_ACC', 'FE_SES_ACC', 'FE_REQ_CNT', 'FE_HRQ_HDR', 'FE_HRQ_BDY', 'FE_SET_BCK',
  'BE_REQ_CNT', 'BE_HRQ_HDR', 'BE_HRQ_BDY', 'BE_SET_SRV', 'BE_SRV_CON', 'BE_RES_CNT',
  'BE_HRS_HDR', 'BE_HRS_BDY', 'BE_STO_RUL', 'FE_RES_CNT', 'FE_HRS_HDR', 'FE_HRS_BDY',
  'FE_LOG_END', 'BE_CHK_RUL', 'CFG_PARSER', 'CLI_PARSER',
];

/** The names HAProxy prints for checkpoints (fetch_ckp_names[]), used in ACL warnings. */
export const CHECKPOINT_NAMES: Readonly<Record<Checkpoint, string>> = {
  FE_CON_ACC: 'frontend tcp-request connection rule',
  FE_SES_ACC: 'frontend tcp-request session rule',
  FE_REQ_CNT: 'frontend tcp-request content rule',
  FE_HRQ_HDR: 'frontend http-request header rule',
  FE_HRQ_BDY: 'frontend http-request body rule',
  FE_SET_BCK: 'frontend use-backend rule',
  BE_REQ_CNT: 'backend tcp-request content rule',
  BE_HRQ_HDR: 'backend http-request header rule',
  BE_HRQ_BDY: 'backend http-request body rule',
  BE_SET_SRV: 'backend use-server, balance or stick-match rule',
  BE_SRV_CON: 'server source selection',
  BE_RES_CNT: 'backend tcp-response content rule',
  BE_HRS_HDR: 'backend http-response header rule',
  BE_HRS_BDY: 'backend http-response body rule',
  BE_STO_RUL: 'backend stick-store rule',
  FE_RES_CNT: 'frontend tcp-response content rule',
  FE_HRS_HDR: 'frontend http-response header rule',
  FE_HRS_BDY: 'frontend http-response body rule',
  FE_LOG_END: 'logs',
  BE_CHK_RUL: 'backend tcp-check rule',
  CFG_PARSER: 'configuration parser',
  CLI_PARSER: 'CLI parser',
};

// ---------------------------------------------------------------------------------------------
// Sources (SMP_SRC_*), in HAProxy's bit order (the order of names in messages).

export type SmpSource =
  | 'const' | 'intrn' | 'listn' | 'ftend' | 'l4cli' | 'l5cli' | 'track' | 'l6req' | 'hrqhv'
  | 'hrqhp' | 'hrqbo' | 'bkend' | 'servr' | 'l4srv' | 'l5srv' | 'l6res' | 'hrshv' | 'hrshp'
  | 'hrsbo' | 'rqfin' | 'rsfin' | 'txfin' | 'ssfin';

export const SMP_SOURCES: readonly SmpSource[] = [
  'const', 'intrn', 'listn', 'ftend', 'l4cli', 'l5cli', 'track', 'l6req', 'hrqhv',
  'hrqhp', 'hrqbo', 'bkend', 'servr', 'l4srv', 'l5srv', 'l6res', 'hrshv', 'hrshp',
  'hrsbo', 'rqfin', 'rsfin', 'txfin', 'ssfin',
];

/**
 * Names HAProxy prints for sources (fetch_src_names[]). 'const' has no name in HAProxy: glibc
 * prints "(null)"; no message can show it since constant fetches are usable everywhere.
 */
export const SOURCE_NAMES: Readonly<Record<SmpSource, string>> = {
  const: '(null)',
  intrn: 'internal state',
  listn: 'listener',
  ftend: 'frontend',
  l4cli: 'client address',
  l5cli: 'client-side connection',
  track: 'track counters',
  l6req: 'request buffer',
  hrqhv: 'HTTP request headers',
  hrqhp: 'HTTP request',
  hrqbo: 'HTTP request body',
  bkend: 'backend',
  servr: 'server',
  l4srv: 'server address',
  l5srv: 'server-side connection',
  l6res: 'response buffer',
  hrshv: 'HTTP response headers',
  hrshp: 'HTTP response',
  hrsbo: 'HTTP response body',
  rqfin: 'request buffer statistics',
  rsfin: 'response buffer statistics',
  txfin: 'transaction statistics',
  ssfin: 'session statistics',
};

// Per source, one character per checkpoint in CHECKPOINTS order: 'Y' readable, '.' not.
const CAP: Readonly<Record<SmpSource, string>> = {
  const: 'YYYYYYYYYYYYYYYYYYYYYY',
  intrn: 'YYYYYYYYYYYYYYYYYYYY.Y',
  listn: 'YYYYYYYYYYYYYYYYYYY...',
  ftend: 'YYYYYYYYYYYYYYYYYYY...',
  l4cli: 'YYYYYYYYYYYYYYYYYYYY..',
  l5cli: '.YYYYYYYYYYYYYYYYYY...',
  track: 'YYYYYYYYYYYYYYYYYYY...',
  l6req: '..YYYYYYYYY...........',
  hrqhv: '..YYYYYYYYY...........',
  hrqhp: '..YYYYYYYYYYYYYYYYY...',
  hrqbo: '....YYYYYYY...........',
  bkend: '......YYYYYYYYYYYYYY..',
  servr: '..........YYYYYYYYYY..',
  l4srv: '...........YYYYYYYYY..',
  l5srv: '...........YYYYYYYYY..',
  l6res: '...........YYYYYYY.Y..',
  hrshv: '...........YYYYYYY.Y..',
  hrshp: '...........YYYYYYYYY..',
  hrsbo: '.............YYYYY.Y..',
  rqfin: '..................Y...',
  rsfin: '..................Y...',
  txfin: '..................Y...',
  ssfin: '..................Y...',
};

/** Checkpoints at which a source is readable. */
export function sourceCheckpoints(src: SmpSource): readonly Checkpoint[] {
  const row = CAP[src];
  return CHECKPOINTS.filter((_, i) => row[i] === 'Y');
}

/** How each HAProxy source maps onto the coarse FetchUse families of types.ts. */
export const SOURCE_FAMILIES: Readonly<Record<SmpSource, readonly FetchUse[]>> = {
  const: ['internal'],
  intrn: ['internal'],
  listn: ['internal'],
  ftend: ['internal'],
  track: ['internal'],
  bkend: ['internal'],   // approximation: HAProxy refuses backend state in frontend-only rules
  l4cli: ['l4cli'],
  l5cli: ['l5cli'],
  l6req: ['l6req'],
  hrqhv: ['l7req'],
  hrqbo: ['l7req'],
  hrqhp: ['l7req', 'txn'],  // method, captures: still known on the response side and in logs
  servr: ['l4srv'],
  l4srv: ['l4srv'],
  l5srv: ['l4srv'],
  l6res: ['l6res'],
  hrshv: ['l7res'],
  hrsbo: ['l7res'],
  hrshp: ['l7res', 'txn'],  // status: also in logs
  rqfin: ['txn'],
  rsfin: ['txn'],
  txfin: ['txn'],
  ssfin: ['txn'],
};

/** The coarse families of a fetch, from its exact sources (deduplicated, in FetchUse order). */
export function familiesOf(src: readonly SmpSource[]): FetchUse[] {
  const order: readonly FetchUse[] = ['internal', 'l4cli', 'l5cli', 'l6req', 'l7req', 'l6res', 'l7res', 'l4srv', 'txn'];
  const set = new Set<FetchUse>();
  for (const s of src) for (const u of SOURCE_FAMILIES[s]) set.add(u);
  return order.filter((u) => set.has(u));
}

// ---------------------------------------------------------------------------------------------
// Rule sets: the configuration places that evaluate samples, and their checkpoints.

export type RuleSet =
  | 'tcp-request connection'
  | 'tcp-request session'
  | 'tcp-request content'
  | 'tcp-response content'
  | 'http-request'
  | 'http-response'
  | 'http-after-response'
  | 'redirect'
  | 'stats http-request'     // also `stats admin if`
  | 'use_backend'            // the condition
  | 'use_backend name'       // a log-format backend name: use_backend %[...]
  | 'use-server'             // the condition
  | 'use-server name'        // a log-format server name
  | 'force-persist'
  | 'ignore-persist'
  | 'stick match'
  | 'stick on'
  | 'stick store-request'
  | 'stick store-response'
  | 'balance hash'
  | 'unique-id-format'
  | 'log-format'             // also log-format-sd and error-log-format
  | 'server sni'
  | 'tcp-check'
  | 'http-check';

export const RULESETS: readonly RuleSet[] = [
  'tcp-request connection', 'tcp-request session', 'tcp-request content', 'tcp-response content',
  'http-request', 'http-response', 'http-after-response', 'redirect', 'stats http-request',
  'use_backend', 'use_backend name', 'use-server', 'use-server name', 'force-persist',
  'ignore-persist', 'stick match', 'stick on', 'stick store-request', 'stick store-response',
  'balance hash', 'unique-id-format', 'log-format', 'server sni', 'tcp-check', 'http-check',
];

/** Which parts a proxy has: frontend → {frontend}, backend → {backend}, listen → both. */
export interface ProxySides {
  readonly frontend: boolean;
  readonly backend: boolean;
}

/**
 * The checkpoints HAProxy checks a rule set against, for a proxy with the given sides
 * (cfgparse-listen.c, tcp_rules.c, vars.c, log.c ...). Some actions narrow this further:
 * sc-set-gpt0/sc-set-gpt and the SPOE filter use a single checkpoint (FE_HRQ_HDR for
 * http-request, BE_HRS_HDR for http-response, BE_RES_CNT for tcp-response) whatever the proxy.
 */
export function checkpointsFor(rs: RuleSet, sides: ProxySides): Checkpoint[] {
  const both = (fe: Checkpoint, be: Checkpoint): Checkpoint[] => {
    const out: Checkpoint[] = [];
    if (sides.frontend) out.push(fe);
    if (sides.backend) out.push(be);
    return out;
  };
  switch (rs) {
    case 'tcp-request connection': return ['FE_CON_ACC'];
    case 'tcp-request session': return ['FE_SES_ACC'];
    case 'tcp-request content': return both('FE_REQ_CNT', 'BE_REQ_CNT');
    case 'tcp-response content': return both('FE_RES_CNT', 'BE_RES_CNT');
    case 'http-request':
    case 'redirect':
    case 'stats http-request':
    case 'unique-id-format':
      return both('FE_HRQ_HDR', 'BE_HRQ_HDR');
    case 'http-response':
    case 'http-after-response':
      return both('FE_HRS_HDR', 'BE_HRS_HDR');
    case 'use_backend': return ['FE_SET_BCK'];
    case 'use_backend name':
    case 'use-server name':
      return ['FE_HRQ_HDR'];
    case 'use-server':
    case 'stick match':
    case 'stick on':
    case 'stick store-request':
    case 'balance hash':
      return ['BE_SET_SRV'];
    case 'force-persist':
    case 'ignore-persist':
      return ['BE_REQ_CNT'];
    case 'stick store-response': return ['BE_STO_RUL'];
    case 'log-format': return ['FE_LOG_END'];
    case 'server sni': return ['BE_SRV_CON'];
    case 'tcp-check':
    case 'http-check':
      return ['BE_CHK_RUL'];
  }
}

/** What a fetch row must carry for the exact checks (FetchRow in ./catalog/fetches.ts). */
export interface FetchSources {
  readonly name: string;
  readonly src: readonly SmpSource[];
  /** Checkpoints HAProxy adds on top of the sources' (res.cache_hit/res.cache_name). */
  readonly alsoAt?: readonly Checkpoint[];
}

/** All checkpoints at which a fetch may run. */
export function fetchCheckpoints(f: FetchSources): Set<Checkpoint> {
  const set = new Set<Checkpoint>(f.alsoAt ?? []);
  for (const s of f.src) for (const c of sourceCheckpoints(s)) set.add(c);
  return set;
}

/** HAProxy's test `fetch->val & where`: usable at one of the checkpoints at least. */
export function fetchAvailable(f: FetchSources, where: readonly Checkpoint[]): boolean {
  const cps = fetchCheckpoints(f);
  return where.some((c) => cps.has(c));
}

/** sample_src_names(): the fetch's source names joined by ',' (no space), in bit order. */
export function sourceNames(src: readonly SmpSource[]): string {
  return SMP_SOURCES.filter((s) => src.includes(s)).map((s) => SOURCE_NAMES[s]).join(',');
}

/** sample_ckp_names(): only the lowest checkpoint of a set is named. */
export function checkpointName(where: readonly Checkpoint[]): string {
  const first = CHECKPOINTS.find((c) => where.includes(c));
  return first ? CHECKPOINT_NAMES[first] : 'unknown sample check place, please report this bug';
}

/**
 * Coarse version: families each rule set provides (any rule set of a `listen`, i.e. both
 * sides). A fetch is usable where at least one of its `use` families is provided. This is
 * permissive for backend-state fetches (be_id, be_name, ...) in frontend rules, frontend state
 * in checks, and for bc_* in `server sni`; it refuses res.cache_hit/res.cache_name in `server
 * sni` (HAProxy allows them there by an extra flag); everything else agrees with HAProxy.
 */
export const RULESET_PROVIDES: Readonly<Record<RuleSet, readonly FetchUse[]>> = (() => {
  const REQ: readonly FetchUse[] = ['internal', 'l4cli', 'l5cli', 'l6req', 'l7req'];
  const RES: readonly FetchUse[] = ['internal', 'l4cli', 'l5cli', 'l6res', 'l7res', 'l4srv', 'txn'];
  const CHK: readonly FetchUse[] = ['internal', 'l4cli', 'l6res', 'l7res', 'l4srv'];
  return {
    'tcp-request connection': ['internal', 'l4cli'],
    'tcp-request session': ['internal', 'l4cli', 'l5cli'],
    'tcp-request content': REQ,
    'tcp-response content': RES,
    'http-request': REQ,
    'http-response': RES,
    'http-after-response': RES,
    'redirect': REQ,
    'stats http-request': REQ,
    'use_backend': REQ,
    'use_backend name': REQ,
    'use-server': REQ,
    'use-server name': REQ,
    'force-persist': REQ,
    'ignore-persist': REQ,
    'stick match': REQ,
    'stick on': REQ,
    'stick store-request': REQ,
    'stick store-response': RES,
    'balance hash': REQ,
    'unique-id-format': REQ,
    'log-format': ['internal', 'l4cli', 'l5cli', 'l4srv', 'txn'],
    'server sni': [...REQ, 'l4srv'],
    'tcp-check': CHK,
    'http-check': CHK,
  };
})();

// ---------------------------------------------------------------------------------------------
// Messages. HAProxy words the same fact differently depending on who checks it. Line prefixes
// ("parsing [file:line] : ", "error detected in frontend 'f' while parsing 'http-request
// set-header' rule : ") are added by the directive parsers and are not part of these texts.

export interface UnavailableReport {
  /** 'warning': config still valid (conditions); 'alert': fatal (sample expressions). */
  readonly severity: 'alert' | 'warning';
  readonly message: string;
}

/** Where the unusable fetch was found; picks HAProxy's wording. */
export type UnavailableSite =
  /**
   * An ACL in an if/unless condition (warning, the rule is kept). `acl`: the ACL name, or
   * undefined for an anonymous `{ ... }` ACL. `keyword`: the keyword as HAProxy records it:
   * the ACL keyword when one was used without converters (hdr_beg, hdr, path), else the fetch
   * name (req.hdr for `hdr_beg(x),lower`). `partial`: the ACL has other expressions that are
   * usable (HAProxy first looks for an ACL none of whose expressions is usable, then for the
   * first unusable keyword). `tcpRule`: 'tcp-request connection' | 'tcp-request session' |
   * 'tcp-request content' | 'tcp-response content' for tcp rules, which word it differently.
   */
  | { readonly kind: 'acl'; readonly acl?: string; readonly keyword: string; readonly partial: boolean; readonly tcpRule?: string }
  /**
   * A sample expression argument of an action (set-var, track-sc, capture, sc-set-gpt0, ...),
   * alert. `label` is what HAProxy prints as the "fetch method": set-var/set-var-fmt print the
   * action keyword ('set-var(txn.a)', a HAProxy quirk), sc-set-gpt0 and tcp-request
   * track-sc/capture print the expression text ('res.hdr(x),lower'). `prefix`: tcp-request
   * track-sc/capture prepend "'tcp-request content track-sc0' : ".
   */
  | { readonly kind: 'expr'; readonly label: string; readonly prefix?: string }
  /**
   * A %[...] inside a log-format string (rule arguments such as set-header, log-format,
   * unique-id-format, use_backend names), alert. `text`: everything after "%[" up to the
   * end of the format string, e.g. "res.hdr(x)] foo".
   */
  | { readonly kind: 'log-format'; readonly text: string }
  /** `stick on|match|store-request` (request) or `stick store-response`, alert. */
  | { readonly kind: 'stick'; readonly phase: 'request' | 'store-response' }
  /** `balance hash <expr>`, alert; `expr` is the expression text as written. */
  | { readonly kind: 'balance-hash'; readonly expr: string };

/**
 * HAProxy's message for a fetch used at checkpoints where none of its sources is readable.
 * Call only after `fetchAvailable(fetch, where)` returned false.
 */
export function fetchUnavailableMessage(site: UnavailableSite, fetch: FetchSources, where: readonly Checkpoint[]): UnavailableReport {
  const needs = sourceNames(fetch.src);
  const place = checkpointName(where);
  switch (site.kind) {
    case 'acl': {
      let message: string;
      if (site.tcpRule !== undefined) {
        if (!site.partial) {
          message = site.acl !== undefined
            ? `acl '${site.acl}' will never match in '${site.tcpRule}' because it only involves keywords that are incompatible with '${place}'`
            : `anonymous acl will never match in '${site.tcpRule}' because it uses keyword '${site.keyword}' which is incompatible with '${place}'`;
        } else {
          message = site.acl !== undefined
            ? `acl '${site.acl}' involves keyword '${site.keyword}' which is incompatible with '${place}'`
            : `anonymous acl involves keyword '${site.keyword}' which is incompatible with '${place}'`;
        }
      } else if (!site.partial) {
        message = site.acl !== undefined
          ? `acl '${site.acl}' will never match because it only involves keywords that are incompatible with '${place}'`
          : `anonymous acl will never match because it uses keyword '${site.keyword}' which is incompatible with '${place}'`;
      } else {
        message = site.acl !== undefined
          ? `acl '${site.acl}' involves keywords '${site.keyword}' which is incompatible with '${place}'`
          : `anonymous acl involves keyword '${site.keyword}' which is incompatible with '${place}'`;
      }
      return { severity: 'warning', message };
    }
    case 'expr':
      return {
        severity: 'alert',
        message: `${site.prefix ?? ''}fetch method '${site.label}' extracts information from '${needs}', none of which is available here`,
      };
    case 'log-format':
      return {
        severity: 'alert',
        message: `sample fetch <${site.text}> may not be reliably used here because it needs '${needs}' which is not available here`,
      };
    case 'stick':
      return {
        severity: 'alert',
        message: site.phase === 'request'
          ? `'stick': fetch method '${fetch.name}' extracts information from '${needs}', none of which is available during request.`
          : `'stick': fetch method '${fetch.name}' extracts information from '${needs}', none of which is available for 'store-response'.`,
      };
    case 'balance-hash':
      return {
        severity: 'alert',
        message: `error detected while parsing 'balance hash' expression '${site.expr}' which requires information from ${needs}, which is not available here.`,
      };
  }
}

// ---------------------------------------------------------------------------------------------
// ACL match methods (-m). HAProxy also accepts `-m regm` (PAT_MATCH_REGM, a str method that
// types.ts does not list yet).

export const MATCH_METHODS: readonly MatchMethod[] = [
  'found', 'bool', 'int', 'ip', 'bin', 'len', 'str', 'beg', 'sub', 'dir', 'dom', 'end', 'reg',
];

/** The sample type each method works on (pat_match_types[]); the fetch output must cast to it. */
export const MATCH_METHOD_INPUT: Readonly<Record<MatchMethod, SampleType>> = {
  found: 'sint', bool: 'sint', int: 'sint', ip: 'addr', bin: 'bin',
  len: 'str', str: 'str', beg: 'str', sub: 'str', dir: 'str', dom: 'str', end: 'str', reg: 'str',
};

/**
 * Whether `-m <method>` is accepted on an expression whose output (after converters) has type
 * `out`: `found` always; others when `out` casts to the method's type. So `-m ip`, `-m int`
 * and `-m str` work on a string fetch, `-m str` works on `src`, but `-m int`/`-m ip` are
 * refused on binary fetches (req.body) and `-m ip` on `method`.
 */
export function matchMethodAccepts(m: MatchMethod, out: SampleType): boolean {
  return m === 'found' || canCast(out, MATCH_METHOD_INPUT[m]);
}

/** The default method when an ACL has neither an ACL keyword nor -m (by output type). */
export function defaultMatchFor(out: SampleType): MatchMethod | undefined {
  switch (out) {
    case 'bool': return 'bool';
    case 'sint': return 'int';
    case 'addr':
    case 'ipv4':
    case 'ipv6':
      return 'ip';
    case 'str': return 'str';
    default: return undefined; // bin, meth, any: "-m" is required
  }
}

/** Error texts of the ACL parser around -m (all fatal: "error detected while parsing ACL 'x' : ..."). */
export const MATCH_MESSAGES = {
  unknown: (method: string) => `unknown matching method '${method}' when parsing ACL expression`,
  incompatible: (method: string, keyword: string) => `matching method '${method}' cannot be used with fetch keyword '${keyword}'`,
  required: (keyword: string) => `matching method must be specified first (using '-m') when using a sample fetch of this type ('${keyword}')`,
  afterPatterns: () => `'-m' must only be specified before patterns and files in parsing ACL expression`,
} as const;
