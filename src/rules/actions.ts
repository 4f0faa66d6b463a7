// Rule-set actions (`http-request deny`, `tcp-request connection reject` ...). A row validates
// the action's own words (those before `if`/`unless`) and returns plain data. Rows for actions
// whose arguments we do not check yet still name the action so nothing passes unnoticed.

import type { Json } from '../config/model.js';
import type { Status } from './types.js';
import { pending } from '../config/status.js';
import { parseLogFormat } from '../log/logformat.js';
import { parseSampleExpr, type SampleRegistries } from './sample-expr.js';

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

/** deny/tarpit/return share HAProxy's reply options. */
function replyOptions(args: readonly string[], which: string, allowStatus: 'deny_status' | 'status'): { value: Json } | { error: string } {
  const out: Record<string, Json> = {};
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const v = args[i + 1];
    switch (w) {
      case 'deny_status':
      case 'status': {
        if (w !== allowStatus) return { error: `'${which}' : unexpected keyword '${w}'` };
        const n = Number(v);
        if (!Number.isInteger(n) || n < 200 || n > 599) return { error: `'${w}' ${STATUS_MSG} ('${v ?? ''}')` };
        out['status'] = n;
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
  return { value: out };
}

const redirect: ActionRow['parse'] = (args) => {
  const type = args[0];
  if (type !== 'location' && type !== 'prefix' && type !== 'scheme') {
    return { error: `expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query' or 'append-slash' (was '${type ?? ''}')` };
  }
  if (args[1] === undefined) return { error: `missing argument after '${type}'` };
  const out: Record<string, Json> = { type, target: args[1] };
  for (let i = 2; i < args.length; i++) {
    const w = args[i]!;
    if (w === 'code') {
      const n = Number(args[++i]);
      if (![301, 302, 303, 307, 308].includes(n)) return { error: `'code': unsupported HTTP code '${args[i] ?? ''}' (must be one of 301, 302, 303, 307 or 308)` };
      out['code'] = n;
    } else if (w === 'drop-query' || w === 'append-slash' || w === 'ignore-empty') {
      out[w] = true;
    } else if (w === 'set-cookie' || w === 'clear-cookie') {
      out[w] = args[++i] ?? '';
    } else {
      return { error: `expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query' or 'append-slash' (was '${w}')` };
    }
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
  const e = expr(args[0], ctx);
  return e ? { error: e } : { value: { var: ctx.param, expr: args[0]! } };
};

const rows: ActionRow[] = [
  { name: 'allow', rulesets: EVERY, status: RULES, parse: none },
  { name: 'deny', rulesets: [...HTTP_ALL], status: RULES, parse: (a) => replyOptions(a, 'deny', 'deny_status') },
  { name: 'tarpit', rulesets: HTTP_REQ, status: RULES, parse: (a) => replyOptions(a, 'tarpit', 'deny_status') },
  { name: 'return', rulesets: HTTP_ALL, status: RULES, parse: (a) => replyOptions(a, 'return', 'status') },
  { name: 'reject', rulesets: [...TCP_REQ, 'tcp-response content', 'http-request'], status: RULES, parse: none },
  { name: 'accept', rulesets: [...TCP_REQ, 'tcp-response content'], status: RULES, parse: none },
  { name: 'close', rulesets: ['tcp-response content'], status: RULES, parse: none },
  { name: 'redirect', rulesets: ['http-request', 'http-response'], status: RULES, parse: redirect },
  { name: 'set-header', rulesets: HTTP_ALL, status: RULES, parse: headerFmt },
  { name: 'add-header', rulesets: HTTP_ALL, status: RULES, parse: headerFmt },
  {
    name: 'del-header',
    rulesets: HTTP_ALL,
    status: RULES,
    parse: (a) => (a.length === 1 || (a.length === 3 && a[1] === '-m') ? { value: [...a] } : { error: 'expects exactly 1 argument.' }),
  },
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
  { name: 'set-var-fmt()', rulesets: EVERY, status: RULES },
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

export const ACTIONS: readonly ActionRow[] = rows;

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
