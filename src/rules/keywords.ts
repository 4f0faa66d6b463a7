// Section keywords of the rules engine: acl, the rule sets (http-request, http-response,
// http-after-response, tcp-request *, tcp-response content), use_backend, use-server,
// legacy redirect, monitor fail. Each validates its words, its ACLs and its condition
// against the registries and reports pending pieces by name.

import type { KwContext, SectionKeyword } from '../config/keyword.js';
import type { Json } from '../config/model.js';
import { ALL, DEF_BE, DEF_FE, FE, FE_BE } from '../config/caps.js';
import { pending, statusLabel, type Status } from '../config/status.js';
import { didYouMean } from '../config/hint.js';
import { parseAclTerm, parseCondition, conditionJson, type AclRegistries } from './acl.js';
import { findAction, type ActionRow, type RuleSet } from './actions.js';
import { parseTime } from '../config/units.js';
import { invalidNameChar } from '../config/parser.js';
import { ACTION_LIST_TEXT, template } from '../config/catalog-rows.js';

const RULES = pending('rules');

export interface RulesRegistries extends AclRegistries {
  readonly actions: ReadonlyMap<RuleSet, ReadonlyMap<string, ActionRow>>;
}

/** ACL names declared so far in the current proxy (HAProxy resolves them in order). */
function declaredAcl(ctx: KwContext): (name: string) => boolean {
  return (name) => (ctx.proxy?.lists['acl'] ?? []).some((d) => Array.isArray(d.args) && d.args[0] === name);
}

function reportPending(ctx: KwContext, items: readonly { what: string; status: Status }[]): void {
  const seen = new Set<string>();
  for (const p of items) {
    if (p.status === 'ready' || seen.has(p.what)) continue;
    seen.add(p.what);
    ctx.diag.alert('E_NOT_IMPLEMENTED', ctx.loc, `${p.what} is not implemented yet (${statusLabel(p.status)}).`);
  }
}

/** Split `ACTION ARGS... [if|unless COND...]`. */
function splitCond(words: readonly string[]): { before: string[]; cond: string[] } {
  const at = words.findIndex((w) => w === 'if' || w === 'unless');
  return at < 0 ? { before: [...words], cond: [] } : { before: words.slice(0, at), cond: words.slice(at) };
}

/** Parse `if|unless ...` for `what` (e.g. "'http-request deny'"), reporting HAProxy's message. */
function condition(ctx: KwContext, reg: RulesRegistries, cond: readonly string[], what: string, pend: { what: string; status: Status }[]): Json | undefined | false {
  if (cond.length === 0) return null;
  const r = parseCondition(cond, reg, declaredAcl(ctx));
  if (!r.ok) {
    ctx.fail(`error detected while parsing an ${what} condition : ${r.error}`);
    return false;
  }
  pend.push(...r.pending);
  return conditionJson(r.value);
}

function aclKeyword(reg: RulesRegistries): SectionKeyword {
  return {
    name: 'acl',
    caps: ALL,
    multi: true,
    status: 'ready',
    selfReported: true,
    summary: 'named conditions over sample fetches',
    parse(ctx) {
      const [name, ...rest] = ctx.args;
      if (name === undefined) return ctx.fail(`'acl' expects an ACL name.`, 'E_MISSING_ARG');
      const bad = invalidNameChar(name);
      if (bad !== undefined) return ctx.fail(`character '${bad}' is not permitted in acl name '${name}'.`);
      if (reg.predefined.has(name)) ctx.warn(`acl '${name}' will never match because it masks a predefined ACL.`);
      const t = parseAclTerm(rest, reg);
      if (!t.ok) return ctx.fail(`error detected while parsing ACL '${name}' : ${t.error}`);
      reportPending(ctx, t.pending);
      return JSON.parse(JSON.stringify({ name, ...t.value })) as Json;
    },
  };
}

function ruleSetKeyword(ruleset: RuleSet, reg: RulesRegistries): SectionKeyword {
  const table = reg.actions.get(ruleset) ?? new Map<string, ActionRow>();
  const caps = ruleset === 'tcp-request connection' || ruleset === 'tcp-request session' ? DEF_FE : ALL;
  return {
    name: ruleset,
    caps,
    misuse: 'warning',
    multi: true,
    // Each action reports its own status; the rule set is ready once any action runs.
    status: [...table.values()].some((a) => a.status === 'ready') ? 'ready' : RULES,
    selfReported: true,
    summary: `actions: ${[...table.keys()].length}`,
    parse(ctx) {
      const [word, ...rest] = ctx.args;
      const names = [...table.keys()].map((n) => n.replace('()', '(*)'));
      if (word === undefined) {
        ctx.diag.alert('E_MISSING_ARG', ctx.loc, `'${ruleset}' expects ${names.map((n) => `'${n}'`).join(', ')}.`, undefined, 'tight');
        return undefined;
      }
      const found = findAction(table, word);
      if (!found) {
        const hint = didYouMean(word, names);
        const known = ACTION_LIST_TEXT.get(ruleset);
        const message = known
          ? template(known.unknownAction, { list: known.listText, action: word, missing: '', hint: hint ? hint.replace('; did', ' Did') : '' })
          : `'${ruleset}' expects ${names.map((n) => `'${n}'`).join(', ')}, but got '${word}'.${hint ? hint.replace('; did', ' Did') : ''}`;
        ctx.diag.alert('E_UNKNOWN_KEYWORD', ctx.loc, message.replace(/\n$/, ''), undefined, 'tight');
        return undefined;
      }
      const { before, cond } = splitCond(rest);
      const what = `'${ruleset} ${found.row.name.replace('()', '')}'`;
      const pend: { what: string; status: Status }[] = [];
      let value: Json = before;
      if (found.row.parse) {
        const r = found.row.parse(before, {
          reg,
          ruleset,
          param: found.param,
          pendingUse: (w, s) => pend.push({ what: w, status: s }),
        });
        if ('error' in r) {
          const p = ctx.proxy!;
          return ctx.fail(`error detected in ${p.type} '${p.name || '<defaults>'}' while parsing ${what} rule : ${r.error}`);
        }
        value = r.value;
      }
      const c = condition(ctx, reg, cond, what, pend);
      if (c === false) return undefined;
      reportPending(ctx, [{ what, status: found.row.status }, ...pend]);
      return { action: word, args: value, cond: c ?? null };
    },
  };
}

function useBackendKeyword(reg: RulesRegistries): SectionKeyword {
  return {
    name: 'use_backend',
    caps: { defaults: false, frontend: true, backend: false },
    misuse: 'warning',
    multi: true,
    status: 'ready',
    summary: 'content switching to a backend (HTTP and TCP frontends)',
    parse(ctx) {
      const [name, ...rest] = ctx.args;
      if (name === undefined) return ctx.fail(`'use_backend' expects a backend name.`, 'E_MISSING_ARG');
      const pend: { what: string; status: Status }[] = [];
      const c = condition(ctx, reg, rest, `'use_backend'`, pend);
      if (c === false) return undefined;
      if (rest.length && c === null) return ctx.fail(`'use_backend' expects 'if' or 'unless' followed by a condition.`);
      reportPending(ctx, pend);
      return { backend: name, cond: c ?? null };
    },
  };
}

function useServerKeyword(reg: RulesRegistries): SectionKeyword {
  return {
    name: 'use-server',
    caps: { defaults: false, frontend: false, backend: true },
    misuse: 'warning',
    multi: true,
    status: 'ready',
    summary: 'a server forced by a condition (HTTP and TCP backends)',
    parse(ctx) {
      const [name, ...rest] = ctx.args;
      if (name === undefined) return ctx.fail(`'use-server' expects a server name.`, 'E_MISSING_ARG');
      const pend: { what: string; status: Status }[] = [];
      const c = condition(ctx, reg, rest, `'use-server'`, pend);
      if (c === false) return undefined;
      reportPending(ctx, pend);
      return { server: name, cond: c ?? null };
    },
  };
}

/** The legacy `redirect ...` keyword shares http-request redirect's grammar. */
function legacyRedirect(reg: RulesRegistries): SectionKeyword {
  const row = reg.actions.get('http-request')?.get('redirect');
  return {
    name: 'redirect',
    caps: FE_BE,
    misuse: 'warning',
    multi: true,
    status: 'ready',
    selfReported: true,
    parse(ctx) {
      const { before, cond } = splitCond(ctx.args);
      const pend: { what: string; status: Status }[] = [];
      let value: Json = before;
      if (row?.parse) {
        const r = row.parse(before, { reg, ruleset: 'http-request', param: undefined, pendingUse: (w, s) => pend.push({ what: w, status: s }) });
        if ('error' in r) return ctx.fail(`error detected in ${ctx.proxy!.type} '${ctx.proxy!.name}' while parsing redirect rule : ${r.error}`);
        value = r.value;
      }
      const c = condition(ctx, reg, cond, `'redirect'`, pend);
      if (c === false) return undefined;
      reportPending(ctx, pend);
      return { redirect: value, cond: c ?? null };
    },
  };
}

/**
 * `monitor fail if|unless <cond>`: a monitor-uri request answered 503 instead of 200 when one
 * of the conditions holds (src/http/session.ts). Messages as haproxy 2.6.12, which names the
 * keyword 'monitor' (the only sub-keyword is 'fail') and checks no fetch availability here.
 */
function monitorKeyword(reg: RulesRegistries): SectionKeyword {
  return {
    name: 'monitor',
    caps: FE,
    misuse: 'warning',
    multi: true,
    status: 'ready',
    summary: "'monitor fail if|unless <cond>' (monitor-uri answers 503)",
    parse(ctx) {
      const [sub, ...cond] = ctx.args;
      if (sub !== 'fail') return ctx.fail(`'monitor' only supports 'fail'.`);
      if (cond[0] !== 'if' && cond[0] !== 'unless') return ctx.fail(`'monitor fail' requires either 'if' or 'unless' followed by a condition.`);
      // An empty condition is false, as HAProxy evaluates it: 'unless' alone always fails.
      if (cond.length === 1) return { cond: null, polarity: cond[0] };
      const r = parseCondition(cond, reg, declaredAcl(ctx));
      if (!r.ok) return ctx.fail(`error detected while parsing a 'monitor fail' condition : ${r.error}`);
      reportPending(ctx, r.pending);
      return { cond: conditionJson(r.value), polarity: cond[0] };
    },
  };
}

const inspectDelay: SectionKeyword = {
  name: 'tcp-request inspect-delay',
  caps: ALL,
  status: 'ready',
  parse(ctx) {
    if (ctx.args.length !== 1) return ctx.fail(`'tcp-request inspect-delay' expects a timeout value.`, 'E_MISSING_ARG');
    const r = parseTime(ctx.args[0]!, 'tcp-request inspect-delay');
    return r.ok ? r.value : ctx.fail(r.error);
  },
};

export function rulesKeywords(reg: RulesRegistries): SectionKeyword[] {
  const sets: RuleSet[] = [
    'http-request',
    'http-response',
    'http-after-response',
    'tcp-request connection',
    'tcp-request session',
    'tcp-request content',
    'tcp-response content',
  ];
  return [
    aclKeyword(reg),
    ...sets.map((s) => ruleSetKeyword(s, reg)),
    inspectDelay,
    { ...inspectDelay, name: 'tcp-response inspect-delay', caps: DEF_BE },
    useBackendKeyword(reg),
    useServerKeyword(reg),
    legacyRedirect(reg),
    monitorKeyword(reg),
  ];
}
