// ACL declarations (`acl NAME CRITERION [flags] [operator] VALUE...`) and rule conditions
// (`if|unless [!]ACL [or|||] ... { anonymous acl }`), parsed into plain data and checked
// against the fetch/converter registries with HAProxy 2.6's messages.

import type { Registry } from '../config/registry.js';
import type { AclDerivative, MatchMethod, Status } from './types.js';
import { parseSampleExpr, splitCall, type SampleExpr, type SampleRegistries } from './sample-expr.js';
import type { Json } from '../config/model.js';
import { ACL_DERIVATIVES, PREDEFINED_ACLS } from './catalog/acl-derivatives.js';

export interface AclRegistries extends SampleRegistries {
  readonly derivatives: Registry<AclDerivative>;
  /** Predefined ACL names (TRUE, FALSE, HTTP, METH_GET ...). */
  readonly predefined: ReadonlySet<string>;
}

export interface AclTerm {
  readonly expr: SampleExpr;
  readonly match: MatchMethod | null;
  readonly flags: readonly string[];
  readonly patterns: readonly string[];
}

export type Parsed<T> = { ok: true; value: T; pending: { what: string; status: Status }[] } | { ok: false; error: string };

const MATCH_METHODS: ReadonlySet<string> = new Set(['found', 'bool', 'int', 'ip', 'bin', 'len', 'str', 'sub', 'reg', 'beg', 'end', 'dir', 'dom']);

/** ACL keywords whose patterns are dotted versions (req_ssl_ver). */
const DOTTED_VERSIONS: ReadonlySet<string> = new Set(ACL_DERIVATIVES.filter((k) => k.parse === 'dotted-ver').map((k) => k.name));

/** Parse the criterion and patterns of an ACL (the words after the ACL name, or inside `{ }`). */
export function parseAclTerm(words: readonly string[], reg: AclRegistries): Parsed<AclTerm> {
  const criterion = words[0];
  if (criterion === undefined) return { ok: false, error: 'missing fetch method' };
  // A derivative (path_beg ...) is its fetch plus a fixed match method.
  const head = splitCall(criterion, 0);
  let exprText = criterion;
  let match: MatchMethod | null = null;
  let dotted = false;
  if (!('error' in head)) {
    const d = reg.derivatives.get(head.call.name);
    if (d) {
      exprText = d.fetch + criterion.slice(head.call.name.length);
      match = d.match;
      dotted = DOTTED_VERSIONS.has(d.name);
    }
  }
  const r = parseSampleExpr(exprText, reg);
  if (!r.ok) {
    const kw = 'error' in head ? criterion : head.call.name;
    // Argument errors name the ACL keyword; unknown names get the expression appended.
    const argErr = /^fetch method '[^']+' : (.*)$/.exec(r.error);
    const error = argErr ? `ACL keyword '${kw}' : ${argErr[1]}.` : `${r.error} in ACL expression '${kw}'.`;
    return { ok: false, error };
  }
  const flags: string[] = [];
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-')) break;
    if (w === '-m') {
      const m = words[++i];
      if (m === undefined || !MATCH_METHODS.has(m)) return { ok: false, error: `'-m' : unknown match method '${m ?? ''}'.` };
      match = m as MatchMethod;
      flags.push(`-m ${m}`);
      continue;
    }
    if (w === '-M') {
      // load the -f files as maps (their first column); takes no argument
      flags.push(w);
      continue;
    }
    if (w === '-f' || w === '-u') {
      const v = words[++i];
      if (v === undefined) return { ok: false, error: `missing argument after '${w}'.` };
      flags.push(`${w} ${v}`);
      continue;
    }
    if (w === '-i' || w === '-n') {
      flags.push(w);
      continue;
    }
    // HAProxy refuses any other word starting with '-' here (a negative number needs '--').
    return { ok: false, error: `'${w}' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'.` };
  }
  let patterns = words.slice(i);
  if (dotted && !flags.some((f) => f.startsWith('-m '))) {
    const ints = dottedVersions(patterns);
    if (typeof ints === 'string') return { ok: false, error: ints };
    patterns = ints;
  }
  const value: AclTerm = { expr: r.expr, match, flags, patterns };
  return { ok: true, value, pending: r.pending };
}

/**
 * req_ssl_ver / req.ssl_ver patterns: "MAJOR[.MINOR]" versions, or ranges of them with ':' or
 * '-' ("3.0:3.3", ":3.1", "3.1-"), as the integer ranges of the int match (MAJOR << 16 | MINOR).
 */
function dottedVersions(patterns: readonly string[]): string[] | string {
  const one = (t: string): bigint | null => {
    const m = /^([+-]?[0-9]+)(?:\.([+-]?[0-9]+))?$/.exec(t);
    if (!m) return null;
    const major = BigInt(m[1]!);
    const minor = BigInt(m[2] ?? '0');
    return major >= 65536n || minor >= 65536n ? null : (major << 16n) | (minor & 0xffffn);
  };
  const out: string[] = [];
  for (const p of patterns) {
    const sep = p.search(/[:-]/);
    if (sep < 0) {
      const v = p === '' ? null : one(p);
      if (v === null) return `'${p}' is not a dotted number`;
      out.push(String(v));
      continue;
    }
    const lo = sep === 0 ? null : one(p.slice(0, sep));
    const hi = sep === p.length - 1 ? null : one(p.slice(sep + 1));
    const bad = (sep > 0 && lo === null) || (sep < p.length - 1 && hi === null) || (lo !== null && hi !== null && lo > hi) || p.length === 1;
    if (bad) return `'${p}' is not a valid dotted number range`;
    out.push(`${lo ?? ''}:${hi ?? ''}`);
  }
  return out;
}

export interface CondTerm {
  readonly negate: boolean;
  /** A named ACL, or an anonymous one. */
  readonly acl: string | AclTerm;
}

export interface Condition {
  readonly polarity: 'if' | 'unless';
  /** OR of ANDs. */
  readonly terms: readonly (readonly CondTerm[])[];
}

/**
 * Parse `if|unless ...`. `known(name)` tells whether a named ACL is declared (ACLs must be
 * declared before use in the same proxy, or be predefined).
 */
export function parseCondition(words: readonly string[], reg: AclRegistries, known: (name: string) => boolean): Parsed<Condition> {
  const polarity = words[0];
  if (polarity !== 'if' && polarity !== 'unless') return { ok: false, error: `expects 'if' or 'unless'` };
  const ors: CondTerm[][] = [[]];
  const pendingList: { what: string; status: Status }[] = [];
  let i = 1;
  if (words.length === 1) return { ok: false, error: `missing condition after '${polarity}'` };
  while (i < words.length) {
    let w = words[i]!;
    if (w === 'or' || w === '||') {
      if (ors[ors.length - 1]!.length === 0) return { ok: false, error: `missing ACL before '${w}'` };
      ors.push([]);
      i++;
      continue;
    }
    let negate = false;
    while (w.startsWith('!')) {
      negate = !negate;
      w = w.slice(1);
      if (w === '') {
        i++;
        w = words[i] ?? '';
      }
    }
    if (w === '{') {
      const close = words.indexOf('}', i + 1);
      if (close < 0) return { ok: false, error: `missing closing '}' in condition` };
      const t = parseAclTerm(words.slice(i + 1, close), reg);
      if (!t.ok) return t;
      pendingList.push(...t.pending);
      ors[ors.length - 1]!.push({ negate, acl: t.value });
      i = close + 1;
      continue;
    }
    if (w === '') return { ok: false, error: `missing ACL name after '!'` };
    if (!known(w) && !reg.predefined.has(w)) {
      return { ok: false, error: `no such ACL : '${w}'.` };
    }
    if (!known(w)) {
      // A predefined ACL whose fetch the runtime does not implement yet is refused.
      const fetch = PREDEFINED_ACLS.find((p) => p.name === w)?.expansion.split(/[ (]/)[0];
      const def = fetch === undefined ? undefined : reg.fetches.get(fetch);
      if (def && def.status !== 'ready') pendingList.push({ what: `fetch '${def.name}'`, status: def.status });
    }
    ors[ors.length - 1]!.push({ negate, acl: w });
    i++;
  }
  if (ors[ors.length - 1]!.length === 0) return { ok: false, error: `missing ACL after 'or'` };
  return { ok: true, value: { polarity, terms: ors }, pending: pendingList };
}

/** Plain-data form for the model. */
export function conditionJson(c: Condition): Json {
  return JSON.parse(JSON.stringify(c)) as Json;
}
