// Rule-set actions (`http-request deny`, `tcp-request connection reject` ...). A row validates
// the action's own words (those before `if`/`unless`) and returns plain data. Rows for actions
// whose arguments we do not check yet still name the action so nothing passes unnoticed.

import type { Json } from '../config/model.js';
import type { Status } from './types.js';
import { pending } from '../config/status.js';
import { parseLogFormat } from '../log/logformat.js';
import { parseSampleExpr, type SampleRegistries } from './sample-expr.js';
import { HTTP_ACTION_IMPLS } from './runtime/actions-http.js';
import { TCP_ACTION_IMPLS } from './runtime/actions-tcp.js';
import { ERRMSG_CODES } from './runtime/reply.js';
import { VAR_CONDS } from './runtime/vars.js';

export type RuleSet =
  | 'http-request'
  | 'http-response'
  | 'http-after-response'
  | 'tcp-request connection'
  | 'tcp-request session'
  | 'tcp-request content'
  | 'tcp-response content';

export interface ActionCtx {
  readonly reg: SampleRegistries;
  readonly ruleset: RuleSet;
  /** Parameter in parentheses, e.g. the variable of set-var(txn.x). */
  readonly param: string | undefined;
  /** Report a pending piece (fetch/converter) used by this action. */
  pendingUse(what: string, status: Status): void;
}

export interface ActionRow {
  /** Action keyword; parametrised ones are registered as 'set-var()' and matched on 'set-var(x)'. */
  readonly name: string;
  readonly rulesets: readonly RuleSet[];
  readonly status: Status;
  /** Validate the action words; return the value or an error (HAProxy's wording after ' : '). */
  readonly parse?: (args: readonly string[], ctx: ActionCtx) => { value: Json } | { error: string };
}

const RULES = pending('rules');
const STICK = pending('stick-tables');
const HTTP_REQ: RuleSet[] = ['http-request'];
const HTTP_RES: RuleSet[] = ['http-response', 'http-after-response'];
const HTTP_ALL: RuleSet[] = ['http-request', 'http-response', 'http-after-response'];
const TCP_REQ: RuleSet[] = ['tcp-request connection', 'tcp-request session', 'tcp-request content'];
const EVERY: RuleSet[] = [...HTTP_ALL, ...TCP_REQ, 'tcp-response content'];

function fmt(text: string, ctx: ActionCtx): string | undefined {
  const r = parseLogFormat(text, ctx.reg);
  if (!r.ok) return r.error;
  for (const p of r.pending) ctx.pendingUse(p.what, p.status);
  return undefined;
}

function expr(text: string | undefined, ctx: ActionCtx): string | undefined {
  if (text === undefined) return 'expects a sample expression';
  const r = parseSampleExpr(text, ctx.reg);
  if (!r.ok) return `failed to parse sample expression <${text}> : ${r.error}.`;
  for (const p of r.pending) ctx.pendingUse(p.what, p.status);
  return undefined;
}

const none: ActionRow['parse'] = (args) => (args.length ? { error: `unexpected argument '${args[0]}'` } : { value: null });

/** NAME FMT (set-header, add-header). */
const headerFmt: ActionRow['parse'] = (args, ctx) => {
  if (args.length !== 2) return { error: 'expects exactly 2 arguments.' };
  const e = fmt(args[1]!, ctx);
  return e ? { error: e } : { value: { name: args[0]!, value: args[1]! } };
};

const oneFmt: ActionRow['parse'] = (args, ctx) => {
  if (args.length !== 1) return { error: 'expects exactly 1 argument.' };
  const e = fmt(args[0]!, ctx);
  return e ? { error: e } : { value: args[0]! };
};

const STATUS_MSG = 'expects a status code between 200 and 599';

/**
 * deny/tarpit/return share HAProxy's reply options. deny and tarpit take `status` or
 * `deny_status` (only the latter, alone, implies default-errorfiles), return takes `status`.
 */
export function replyOptions(args: readonly string[], which: string, deny: boolean): { value: Json } | { error: string } {
  const out: Record<string, Json> = {};
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const v = args[i + 1];
    switch (w) {
      case 'deny_status':
      case 'status': {
        if (w === 'deny_status' && !deny) return { error: `'${which}' : unexpected keyword '${w}'` };
        const n = Number(v);
        if (!Number.isInteger(n) || n < 200 || n > 599) return { error: `'${w}' ${STATUS_MSG} ('${v ?? ''}')` };
        out['status'] = n;
        if (w === 'deny_status') out['deny_status'] = true;
        i++;
        break;
      }
      case 'content-type':
      case 'string':
      case 'lf-string':
      case 'file':
      case 'lf-file':
      case 'errorfile':
      case 'errorfiles':
        if (v === undefined) return { error: `'${w}' expects an argument` };
        out[w] = v;
        i++;
        break;
      case 'hdr': {
        const val = args[i + 2];
        if (v === undefined || val === undefined) return { error: `'hdr' expects <name> and <value> as arguments` };
        ((out['hdr'] ??= []) as Json[]).push([v, val]);
        i += 2;
        break;
      }
      case 'default-errorfiles':
        out[w] = true;
        break;
      default:
        return { error: `'${which}' expects 'deny_status', 'status', 'content-type', 'errorfile', 'errorfiles', 'file', 'lf-file', 'string', 'lf-string' or 'hdr' but got '${w}'` };
    }
  }
  // HAProxy: no argument, or deny_status alone, means default-errorfiles (deny, tarpit).
  const implied = deny && Object.keys(out).every((k) => k === 'status' || k === 'deny_status') && (out['status'] === undefined || out['deny_status'] === true);
  const status = typeof out['status'] === 'number' ? out['status'] : null;
  if ((out['default-errorfiles'] === true || implied) && status !== null && !ERRMSG_CODES.includes(status)) {
    return { error: `status code '${status}' not handled by default with 'default-errorfiles' argument.` };
  }
  for (const k of ['string', 'lf-string']) {
    if (typeof out[k] === 'string' && out[k] !== '' && out['content-type'] === undefined) {
      return { error: 'a content type must be defined when non-empty payload is configured.' };
    }
  }
  return { value: out };
}

const REDIRECT_EXPECTS = "expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query' or 'append-slash'";

/** redirect {location|prefix|scheme} <target> [code N] [options]: words in any order. */
const redirect: ActionRow['parse'] = (args) => {
  const out: Record<string, Json> = {};
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w === 'location' || w === 'prefix' || w === 'scheme') {
      if (args[i + 1] === undefined) return { error: `missing argument after '${w}'` };
      out['type'] = w;
      out['target'] = args[++i]!;
    } else if (w === 'code') {
      const n = Number(args[++i]);
      if (![301, 302, 303, 307, 308].includes(n)) return { error: `'code': unsupported HTTP code '${args[i] ?? ''}' (must be one of 301, 302, 303, 307 or 308)` };
      out['code'] = n;
    } else if (w === 'drop-query' || w === 'append-slash' || w === 'ignore-empty') {
      out[w] = true;
    } else if (w === 'set-cookie' || w === 'clear-cookie') {
      out[w] = args[++i] ?? '';
    } else {
      return { error: `${REDIRECT_EXPECTS} (was '${w}')` };
    }
  }
  if (out['type'] === undefined) {
    return args.length ? { error: `redirection type expected ('prefix', 'location', or 'scheme').` } : { error: `${REDIRECT_EXPECTS} (was '')` };
  }
  return { value: out };
};

function track(args: readonly string[], ctx: ActionCtx): { value: Json } | { error: string } {
  const e = expr(args[0], ctx);
  if (e) return { error: e };
  if (args[1] !== undefined && (args[1] !== 'table' || args[2] === undefined || args.length > 3)) {
    return { error: `expects only 'table', got '${args[1]}'` };
  }
  return { value: { key: args[0]!, table: args[2] ?? null } };
}

const setVar: ActionRow['parse'] = (args, ctx) => {
  if (!ctx.param || !/^(proc|sess|txn|req|res)\./.test(ctx.param)) {
    return { error: `invalid variable '${ctx.param ?? ''}'. Expects 'proc.', 'sess.', 'txn.', 'req.' or 'res.' as a scope.` };
  }
  for (const c of ctx.param.split(',').slice(1)) {
    if (!(VAR_CONDS as readonly string[]).includes(c.trim())) return { error: `unknown condition "${c.trim()}".` };
  }
  const e = expr(args[0], ctx);
  return e ? { error: e } : { value: { var: ctx.param, expr: args[0]! } };
};

const setVarFmt: ActionRow['parse'] = (args, ctx) => {
  if (!ctx.param || !/^(proc|sess|txn|req|res)\./.test(ctx.param)) {
    return { error: `invalid variable '${ctx.param ?? ''}'. Expects 'proc.', 'sess.', 'txn.', 'req.' or 'res.' as a scope.` };
  }
  for (const c of ctx.param.split(',').slice(1)) {
    if (!(VAR_CONDS as readonly string[]).includes(c.trim())) return { error: `unknown condition "${c.trim()}".` };
  }
  if (args.length !== 1) return { error: args.length ? `expects either 'if' or 'unless' followed by a condition but found '${args[1]}'.` : 'expects a log-format string.' };
  const e = fmt(args[0]!, ctx);
  return e ? { error: e } : { value: { var: ctx.param, fmt: args[0]! } };
};

const DEL_HEADER_METHODS = ['str', 'beg', 'end', 'sub', 'reg'];

const delHeader: ActionRow['parse'] = (a) => {
  if (a.length === 1) return { value: [...a] };
  if (a.length === 3 && a[1] === '-m') {
    return DEL_HEADER_METHODS.includes(a[2]!) ? { value: [...a] } : { error: `-m with unsupported matching method '${a[2]}'.` };
  }
  return { error: 'expects exactly 1 argument.' };
};

const rows: ActionRow[] = [
  // allow/deny/return: the rule sets HAProxy 2.6.12 lists for them (not tcp-*, no deny or
  // return in http-after-response).
  { name: 'allow', rulesets: HTTP_ALL, status: RULES, parse: none },
  { name: 'deny', rulesets: ['http-request', 'http-response'], status: RULES, parse: (a) => replyOptions(a, 'deny', true) },
  { name: 'tarpit', rulesets: HTTP_REQ, status: RULES, parse: (a) => replyOptions(a, 'tarpit', true) },
  { name: 'return', rulesets: ['http-request', 'http-response'], status: RULES, parse: (a) => replyOptions(a, 'return', false) },
  { name: 'reject', rulesets: [...TCP_REQ, 'tcp-response content', 'http-request'], status: RULES, parse: none },
  { name: 'accept', rulesets: [...TCP_REQ, 'tcp-response content'], status: RULES, parse: none },
  { name: 'close', rulesets: ['tcp-response content'], status: RULES, parse: none },
  { name: 'redirect', rulesets: ['http-request', 'http-response'], status: RULES, parse: redirect },
  { name: 'set-header', rulesets: HTTP_ALL, status: RULES, parse: headerFmt },
  { name: 'add-header', rulesets: HTTP_ALL, status: RULES, parse: headerFmt },
  { name: 'del-header', rulesets: HTTP_ALL, status: RULES, parse: delHeader },
  { name: 'replace-header', rulesets: HTTP_ALL, status: RULES, parse: (a) => (a.length === 3 ? { value: [...a] } : { error: 'expects exactly 3 arguments.' }) },
  { name: 'replace-value', rulesets: HTTP_ALL, status: RULES, parse: (a) => (a.length === 3 ? { value: [...a] } : { error: 'expects exactly 3 arguments.' }) },
  { name: 'replace-path', rulesets: HTTP_REQ, status: RULES, parse: (a) => (a.length === 2 ? { value: [...a] } : { error: 'expects exactly 2 arguments.' }) },
  { name: 'replace-pathq', rulesets: HTTP_REQ, status: RULES, parse: (a) => (a.length === 2 ? { value: [...a] } : { error: 'expects exactly 2 arguments.' }) },
  { name: 'replace-uri', rulesets: HTTP_REQ, status: RULES, parse: (a) => (a.length === 2 ? { value: [...a] } : { error: 'expects exactly 2 arguments.' }) },
  { name: 'set-path', rulesets: HTTP_REQ, status: RULES, parse: oneFmt },
  { name: 'set-pathq', rulesets: HTTP_REQ, status: RULES, parse: oneFmt },
  { name: 'set-query', rulesets: HTTP_REQ, status: RULES, parse: oneFmt },
  { name: 'set-uri', rulesets: HTTP_REQ, status: RULES, parse: oneFmt },
  { name: 'set-method', rulesets: HTTP_REQ, status: RULES, parse: oneFmt },
  {
    name: 'set-status',
    rulesets: HTTP_RES,
    status: RULES,
    parse: (a) => {
      const n = Number(a[0]);
      if (!Number.isInteger(n) || n < 100 || n > 999) return { error: `expects an HTTP status code between 100 and 999` };
      return { value: { status: n, reason: a[1] === 'reason' ? a[2] ?? '' : null } };
    },
  },
  { name: 'set-log-level', rulesets: EVERY, status: RULES },
  { name: 'set-nice', rulesets: EVERY, status: RULES },
  { name: 'set-tos', rulesets: EVERY, status: RULES },
  { name: 'set-mark', rulesets: EVERY, status: RULES },
  { name: 'set-src', rulesets: [...TCP_REQ, 'http-request'], status: RULES },
  { name: 'set-src-port', rulesets: [...TCP_REQ, 'http-request'], status: RULES },
  { name: 'set-dst', rulesets: [...TCP_REQ, 'http-request'], status: RULES },
  { name: 'set-dst-port', rulesets: [...TCP_REQ, 'http-request'], status: RULES },
  { name: 'set-var()', rulesets: EVERY, status: RULES, parse: setVar },
  { name: 'set-var-fmt()', rulesets: EVERY, status: RULES, parse: setVarFmt },
  { name: 'unset-var()', rulesets: EVERY, status: RULES, parse: (a, c) => (a.length ? { error: `unexpected argument '${a[0]}'` } : { value: c.param ?? '' }) },
  { name: 'capture', rulesets: ['http-request', 'http-response', 'tcp-request content'], status: RULES },
  { name: 'auth', rulesets: HTTP_REQ, status: RULES, parse: (a) => (a.length === 0 || (a[0] === 'realm' && a.length === 2) ? { value: a[1] ?? null } : { error: `expects 'realm' for 'auth'` }) },
  { name: 'use-service', rulesets: ['http-request', 'tcp-request content'], status: RULES },
  { name: 'silent-drop', rulesets: EVERY, status: RULES, parse: none },
  { name: 'early-hint', rulesets: HTTP_REQ, status: RULES },
  { name: 'normalize-uri', rulesets: HTTP_REQ, status: RULES },
  { name: 'wait-for-body', rulesets: ['http-request', 'http-response'], status: RULES },
  { name: 'wait-for-handshake', rulesets: HTTP_REQ, status: RULES },
  { name: 'disable-l7-retry', rulesets: HTTP_REQ, status: RULES },
  { name: 'strict-mode', rulesets: HTTP_ALL, status: RULES },
  { name: 'set-timeout', rulesets: HTTP_REQ, status: RULES },
  { name: 'cache-use', rulesets: HTTP_REQ, status: pending('cache') },
  { name: 'cache-store', rulesets: ['http-response'], status: pending('cache') },
  { name: 'do-resolve()', rulesets: ['http-request', 'tcp-request content'], status: pending('resolvers') },
  { name: 'set-priority-class', rulesets: ['http-request', 'tcp-request content'], status: RULES },
  { name: 'set-priority-offset', rulesets: ['http-request', 'tcp-request content'], status: RULES },
  { name: 'switch-mode', rulesets: ['tcp-request content'], status: RULES },
  { name: 'expect-proxy', rulesets: ['tcp-request connection'], status: RULES },
  { name: 'expect-netscaler-cip', rulesets: ['tcp-request connection'], status: RULES },
  { name: 'send-spoe-group', rulesets: EVERY, status: pending('other') },
  { name: 'add-acl()', rulesets: EVERY, status: RULES },
  { name: 'del-acl()', rulesets: EVERY, status: RULES },
  { name: 'set-map()', rulesets: EVERY, status: RULES },
  { name: 'del-map()', rulesets: EVERY, status: RULES },
  ...[0, 1, 2].map((n): ActionRow => ({ name: `track-sc${n}`, rulesets: [...TCP_REQ, 'http-request', 'http-response'], status: STICK, parse: track })),
  ...['sc-inc-gpc0()', 'sc-inc-gpc1()', 'sc-inc-gpc()'].map((name): ActionRow => ({ name, rulesets: EVERY, status: STICK })),
  { name: 'sc-set-gpt0()', rulesets: EVERY, status: STICK },
  { name: 'sc-set-gpt()', rulesets: EVERY, status: STICK },
];

/**
 * A row is ready when the runtime implements it in every rule set it is accepted in
 * (src/rules/runtime/actions-http.ts, actions-tcp.ts).
 */
function implemented(row: ActionRow): boolean {
  return row.rulesets.every((rs) => (rs.startsWith('http-') ? HTTP_ACTION_IMPLS : TCP_ACTION_IMPLS).has(row.name));
}

export const ACTIONS: readonly ActionRow[] = rows.map((r) => (r.status !== 'ready' && implemented(r) ? { ...r, status: 'ready' } : r));

/** Find the row for an action word in a rule set: exact name, or 'name(param)'. */
export function findAction(rowsByName: ReadonlyMap<string, ActionRow>, word: string): { row: ActionRow; param: string | undefined } | undefined {
  const exact = rowsByName.get(word);
  if (exact) return { row: exact, param: undefined };
  const m = /^([a-z0-9-]+)\((.*)\)$/.exec(word);
  if (m) {
    const row = rowsByName.get(`${m[1]}()`);
    if (row) return { row, param: m[2] };
  }
  return undefined;
}
