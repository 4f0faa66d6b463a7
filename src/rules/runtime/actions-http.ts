// http-request / http-response / http-after-response actions compiled into closures. A rule is
// `(txn) => Verdict | null` (null: go on with the next rule); the list stops at the first
// final verdict. Values come from the action rows of src/rules/actions.ts (plain data).
//
// Facts (haproxy 2.6.12, see test/rules-runtime.test.ts):
//  - set-header evaluates its value first, then removes every line of that name and appends
//    one; header names are sent lower-case (HAProxy's HTX stores them so);
//  - a missing sample in a value prints nothing (the header is still set, empty);
//  - replace-header matches the whole value of each line (replace-value: each comma-separated
//    value), case-sensitively, and replaces a matching value entirely with the expansion;
//  - replace-path works on the path only, replace-pathq on path+query, replace-uri on the
//    whole target; set-query keeps an existing '?' even when the new query is empty;
//  - redirect: "prefix" + path (with its query unless drop-query; prefix "/" adds nothing),
//    "scheme" + "://" + first Host + path ("/" when there is none or it is "*"), "location"
//    as is; append-slash appends '/' to the whole location when it does not end with one;
//    an empty location with ignore-empty skips the rule; the reply is
//    "content-length: 0", "location", "cache-control: no-cache" (302/303/307 only) then
//    "set-cookie" (NAME[=v]"; path=/;" or NAME"=; path=/; Max-Age=0;");
//  - legacy `redirect` lines use their location literally (no log-format).

import type { Json } from '../../config/model.js';
import type { Condition } from '../acl.js';
import { RuleCompileError, type CompileCtx } from './context.js';
import { compileCondition, type AclResolver } from './acl.js';
import { compileExpr } from './expr.js';
import { parseSampleExpr, type SampleExpr } from '../sample-expr.js';
import { compileLogFormat, type LogFormatFn } from './logformat.js';
import { compileRegex } from './match.js';
import { listCommas } from './headers.js';
import { expandBackrefs } from './regex-subst.js';
import { compileReply, reasonFor, type Reply, type ReplyEnv } from './reply.js';
import { str } from './sample.js';
import { pathAndQuery, uriPath, withPath, withPathQuery, withQuery } from './uri.js';
import { parseVarSpec, setVar, unsetVar } from './vars.js';
import { ALLOW, REJECT, type Verdict } from './verdict.js';
import type { HeaderAccess, Txn } from './txn.js';

export type HttpRuleSet = 'http-request' | 'http-response' | 'http-after-response';
export type RuleFn = (txn: Txn) => Verdict | null;

/** Actions with a runtime implementation (keys of the action rows in src/rules/actions.ts). */
export const HTTP_ACTION_IMPLS: ReadonlySet<string> = new Set([
  'allow', 'deny', 'tarpit', 'return', 'reject', 'redirect',
  'set-header', 'add-header', 'del-header', 'replace-header', 'replace-value',
  'set-path', 'set-pathq', 'set-query', 'set-uri', 'set-method',
  'replace-path', 'replace-pathq', 'replace-uri', 'set-status',
  'set-var()', 'set-var-fmt()', 'unset-var()',
]);

export interface RuleEnv extends ReplyEnv {
  readonly acls: AclResolver;
}

const asObj = (v: Json): Record<string, Json> => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const asStrings = (v: Json): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function headersFor(txn: Txn, rs: HttpRuleSet): HeaderAccess | null {
  return (rs === 'http-request' ? txn.req?.headers : txn.res?.headers) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Redirects

const REDIRECT_REASONS: Readonly<Record<number, string>> = {
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
};

export interface RedirectSpec {
  readonly type: 'location' | 'prefix' | 'scheme';
  readonly target: string;
  readonly code?: number;
  readonly 'drop-query'?: boolean;
  readonly 'append-slash'?: boolean;
  readonly 'ignore-empty'?: boolean;
  readonly 'set-cookie'?: string;
  readonly 'clear-cookie'?: string;
}

/** Compile a redirect; `literal` for the legacy keyword (no log-format in the target). */
export function compileRedirect(spec: RedirectSpec, ctx: CompileCtx, literal: boolean): RuleFn {
  const target: LogFormatFn = literal ? () => spec.target : compileLogFormat(spec.target, ctx);
  const status = spec.code ?? 302;
  const dropQuery = spec['drop-query'] === true;
  const appendSlash = spec['append-slash'] === true;
  const ignoreEmpty = spec['ignore-empty'] === true && !literal;
  let cookie: string | undefined;
  if (spec['set-cookie'] !== undefined) cookie = `${spec['set-cookie']}; path=/;`;
  else if (spec['clear-cookie'] !== undefined) cookie = `${spec['clear-cookie']}; path=/; Max-Age=0;`;
  const reason = REDIRECT_REASONS[status] ?? reasonFor(status);
  const noCache = status === 302 || status === 303 || status === 307;
  const pathOf = (txn: Txn): string => {
    const uri = txn.req?.uri ?? '';
    let p = pathAndQuery(uri);
    if (p === null || p === '*') p = '/';
    if (dropQuery) {
      const q = p.indexOf('?');
      if (q >= 0) p = p.slice(0, q);
    }
    return p;
  };
  return (txn) => {
    const t = target(txn);
    if (ignoreEmpty && t === '') return null;
    let location: string;
    switch (spec.type) {
      case 'location':
        location = t;
        break;
      case 'prefix':
        location = t === '/' ? pathOf(txn) : t + pathOf(txn);
        break;
      case 'scheme': {
        const host = txn.req?.headers.getAll('host')[0]?.trim() ?? '';
        location = `${t}://${host}${pathOf(txn)}`;
        break;
      }
    }
    if (appendSlash && !location.endsWith('/')) location += '/';
    const headers: [string, string][] = [['content-length', '0'], ['location', location]];
    if (noCache) headers.push(['cache-control', 'no-cache']);
    if (cookie !== undefined) headers.push(['set-cookie', cookie]);
    const reply: Reply = { kind: 'message', status, reason, headers, body: Buffer.alloc(0) };
    return cookie !== undefined ? { kind: 'redirect', status, location, setCookie: cookie, reply } : { kind: 'redirect', status, location, reply };
  };
}

// ---------------------------------------------------------------------------------------------
// Header rewriting

/** Rewrite every line of `lname` whose value `f` changes (null: unchanged). */
function rewriteLines(h: HeaderAccess, lname: string, f: (v: string) => string | null): void {
  if (h.setValue) {
    for (let i = 0; i < h.count; i++) {
      if (h.name(i).toLowerCase() !== lname) continue;
      const nv = f(h.value(i));
      if (nv !== null) h.setValue(i, nv);
    }
    return;
  }
  const values = h.getAll(lname);
  const next = values.map((v) => f(v));
  if (next.every((v) => v === null)) return;
  h.delete(lname);
  values.forEach((v, i) => h.add(lname, next[i] ?? v));
}

/** Apply `f` to each comma-separated value of a line, keeping the separators as they were. */
function rewriteListValue(line: string, f: (v: string) => string | null): string | null {
  let out = '';
  let changed = false;
  let start = 0;
  const flush = (end: number): void => {
    const seg = line.slice(start, end);
    const lead = /^[ \t]*/.exec(seg)![0];
    const trail = /[ \t]*$/.exec(seg.slice(lead.length))![0];
    const core = seg.slice(lead.length, seg.length - trail.length);
    const nv = f(core);
    if (nv !== null) changed = true;
    out += lead + (nv ?? core) + trail;
  };
  for (const i of listCommas(line)) {
    flush(i);
    out += ',';
    start = i + 1;
  }
  flush(line.length);
  return changed ? out : null;
}

type NameMatch = (lname: string) => boolean;

function delHeaderMatcher(args: readonly string[], ctx: CompileCtx): NameMatch {
  const name = args[0] ?? '';
  const meth = args[1] === '-m' ? args[2] ?? '' : 'str';
  const lname = name.toLowerCase();
  switch (meth) {
    case 'str':
      return (n) => n === lname;
    case 'beg':
      return (n) => n.startsWith(lname);
    case 'end':
      return (n) => n.endsWith(lname);
    case 'sub':
      return (n) => n.includes(lname);
    case 'reg': {
      const re = compileRegex(name, false);
      return (n) => re.test(n);
    }
    default:
      throw new RuleCompileError(`'del-header' : unsupported matching method '${meth}' (expects 'str', 'beg', 'end', 'sub' or 'reg')`, ctx.loc);
  }
}

// ---------------------------------------------------------------------------------------------

export interface RuleData {
  readonly action: string;
  readonly args: Json;
  readonly cond: Json;
}

/** Compile one http-* rule. */
export function compileHttpRule(rs: HttpRuleSet, rule: RuleData, ctx: CompileCtx, env: RuleEnv): RuleFn {
  const cond = compileCondition(rule.cond as unknown as Condition | null, ctx, env.acls);
  const m = /^([a-z0-9-]+)(?:\((.*)\))?$/.exec(rule.action);
  const word = m ? m[1]! : rule.action;
  const param = m?.[2];
  const v = rule.args;
  const action = compileAction(rs, word, param, v, ctx, env);
  return (txn) => (cond(txn) ? action(txn) : null);
}

function compileAction(rs: HttpRuleSet, word: string, param: string | undefined, v: Json, ctx: CompileCtx, env: RuleEnv): RuleFn {
  switch (word) {
    case 'allow':
      return () => ALLOW;
    case 'reject':
      return () => REJECT;
    case 'deny': {
      const dflt = rs === 'http-request' ? 403 : 502;
      const reply = compileReply(v, dflt, true, ctx, env);
      const status = typeof asObj(v)['status'] === 'number' ? (asObj(v)['status'] as number) : dflt;
      return (txn) => ({ kind: 'deny', status, reply: reply(txn) });
    }
    case 'tarpit': {
      const reply = compileReply(v, 500, true, ctx, env);
      const status = typeof asObj(v)['status'] === 'number' ? (asObj(v)['status'] as number) : 500;
      return (txn) => ({ kind: 'tarpit', status, reply: reply(txn) });
    }
    case 'return': {
      const reply = compileReply(v, 200, false, ctx, env);
      return (txn) => ({ kind: 'return', reply: reply(txn) });
    }
    case 'redirect':
      return compileRedirect(asObj(v) as unknown as RedirectSpec, ctx, false);
    case 'set-header':
    case 'add-header': {
      const o = asObj(v);
      const name = String(o['name'] ?? '').toLowerCase();
      const fmt = compileLogFormat(String(o['value'] ?? ''), ctx);
      const replace = word === 'set-header';
      return (txn) => {
        const h = headersFor(txn, rs);
        if (!h) return null;
        const value = fmt(txn);
        if (replace) h.delete(name);
        h.add(name, value);
        return null;
      };
    }
    case 'del-header': {
      const args = asStrings(v);
      const match = delHeaderMatcher(args, ctx);
      const exact = args[1] !== '-m' || args[2] === 'str' ? (args[0] ?? '').toLowerCase() : null;
      return (txn) => {
        const h = headersFor(txn, rs);
        if (!h) return null;
        if (exact !== null) {
          h.delete(exact);
          return null;
        }
        const names = new Set<string>();
        for (let i = 0; i < h.count; i++) {
          const n = h.name(i).toLowerCase();
          if (match(n)) names.add(n);
        }
        for (const n of names) h.delete(n);
        return null;
      };
    }
    case 'replace-header':
    case 'replace-value': {
      const [name = '', regex = '', fmtText = ''] = asStrings(v);
      const lname = name.toLowerCase();
      const re = compileRegex(regex, false);
      const fmt = compileLogFormat(fmtText, ctx);
      const perValue = word === 'replace-value';
      return (txn) => {
        const h = headersFor(txn, rs);
        if (!h) return null;
        const repl = fmt(txn);
        const one = (val: string): string | null => {
          const mm = re.exec(val);
          return mm ? expandBackrefs(repl, mm) : null;
        };
        rewriteLines(h, lname, perValue ? (line) => rewriteListValue(line, one) : one);
        return null;
      };
    }
    case 'set-path':
    case 'set-pathq':
    case 'set-query':
    case 'set-uri':
    case 'set-method': {
      const fmt = compileLogFormat(typeof v === 'string' ? v : '', ctx);
      return (txn) => {
        const r = txn.req;
        if (!r) return null;
        const val = fmt(txn);
        switch (word) {
          case 'set-path':
            r.uri = withPath(r.uri, val);
            break;
          case 'set-pathq':
            r.uri = withPathQuery(r.uri, val);
            break;
          case 'set-query':
            r.uri = withQuery(r.uri, val);
            break;
          case 'set-uri':
            r.uri = val;
            break;
          default:
            r.method = val;
        }
        return null;
      };
    }
    case 'replace-path':
    case 'replace-pathq':
    case 'replace-uri': {
      const [regex = '', fmtText = ''] = asStrings(v);
      const re = compileRegex(regex, false);
      const fmt = compileLogFormat(fmtText, ctx);
      return (txn) => {
        const r = txn.req;
        if (!r) return null;
        const subject = word === 'replace-uri' ? r.uri : word === 'replace-path' ? uriPath(r.uri) : pathAndQuery(r.uri);
        if (subject === null) return null;
        const mm = re.exec(subject);
        if (!mm) return null;
        const out = expandBackrefs(fmt(txn), mm);
        if (out === null) return null;
        r.uri = word === 'replace-uri' ? out : word === 'replace-path' ? withPath(r.uri, out) : withPathQuery(r.uri, out);
        return null;
      };
    }
    case 'set-status': {
      const o = asObj(v);
      const status = Number(o['status']);
      const reason = typeof o['reason'] === 'string' ? o['reason'] : reasonFor(status);
      return (txn) => {
        if (txn.res) {
          txn.res.status = status;
          txn.res.reason = reason;
        }
        return null;
      };
    }
    case 'set-var':
    case 'set-var-fmt':
    case 'unset-var':
      return compileVarAction(word, param, v, ctx);
  }
  throw new RuleCompileError(`'${rs} ${word}' is not implemented yet`, ctx.loc);
}

/** set-var / set-var-fmt / unset-var: shared by every rule set. */
export function compileVarAction(word: 'set-var' | 'set-var-fmt' | 'unset-var', param: string | undefined, v: Json, ctx: CompileCtx): RuleFn {
  const spec = parseVarSpec(param ?? '');
  if ('error' in spec) throw new RuleCompileError(spec.error, ctx.loc);
  if (word === 'unset-var') {
    return (txn) => {
      unsetVar(txn, ctx.procVars, spec.name);
      return null;
    };
  }
  if (word === 'set-var-fmt') {
    const o = asObj(v);
    const text = typeof o['fmt'] === 'string' ? o['fmt'] : asStrings(v)[0] ?? '';
    const fmt = compileLogFormat(text, ctx);
    return (txn) => {
      setVar(txn, ctx.procVars, spec.name, str(fmt(txn)), spec.conds);
      return null;
    };
  }
  const e = compileExpr(parseExprText(String(asObj(v)['expr'] ?? ''), ctx), ctx);
  return (txn) => {
    const s = e.one(txn);
    if (s) setVar(txn, ctx.procVars, spec.name, s, spec.conds);
    return null;
  };
}

function parseExprText(text: string, ctx: CompileCtx): SampleExpr {
  const r = parseSampleExpr(text, ctx.registries);
  if (!r.ok) throw new RuleCompileError(`failed to parse sample expression <${text}> : ${r.error}.`, ctx.loc);
  return r.expr;
}
