// HTTP-side proxy keywords: cookie persistence, compression, error files, connection reuse,
// monitor-uri and http-send-name-header (`monitor fail` has a condition: src/rules/keywords.ts).

import type { KwContext, SectionKeyword } from '../config/keyword.js';
import type { Json } from '../config/model.js';
import { ALL, DEF_BE, DEF_FE } from '../config/caps.js';
import { notImplemented, pending } from '../config/status.js';
import { existsSync } from 'node:fs';
import { ERRMSG_CODES } from '../rules/runtime/reply.js';
import { replyOptions } from '../rules/actions.js';

const COOKIE_FLAGS = ['rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'preserve', 'httponly', 'secure', 'dynamic'];
const COOKIE_VALUED = ['domain', 'maxidle', 'maxlife', 'attr'];

function cookie(ctx: KwContext): Json | undefined {
  const [name, ...rest] = ctx.args;
  if (name === undefined) return ctx.fail(`'cookie' expects <cookie_name> as argument.`, 'E_MISSING_ARG');
  const out: Record<string, Json> = { name };
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (w === 'dynamic') {
      // Needs `dynamic-cookie-key` and server addresses hashed into the value: not built yet.
      return ctx.fail(notImplemented(`'cookie ... dynamic'`, pending('persistence')), 'E_NOT_IMPLEMENTED');
    }
    if (COOKIE_FLAGS.includes(w)) out[w] = true;
    else if (COOKIE_VALUED.includes(w)) {
      if (rest[i + 1] === undefined) return ctx.fail(`'cookie' : '${w}' expects an argument.`);
      const v = rest[++i]!;
      const tight = (m: string): undefined => {
        ctx.diag.alert('E_BAD_ARG', ctx.loc, m, undefined, 'tight');
        return undefined;
      };
      if (w === 'maxidle' || w === 'maxlife') {
        const bad = /^[0-9]+(?:us|ms|s|m|h|d)?$/.test(v) ? null : (/^[0-9]*(?:us|ms|s|m|h|d)?(.)/.exec(v)?.[1] ?? v[0]);
        if (bad) return tight(`unexpected character '${bad}' in argument to <${w}>.`);
      }
      if (w === 'attr' && /[\x00-\x1f\x7f;]/.test(v)) {
        const c = /[\x00-\x1f\x7f;]/.exec(v)![0];
        return tight(`character '%x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}' is not permitted in attribute value.`);
      }
      if (w === 'domain' && !v.slice(1).includes('.')) {
        ctx.diag.warning('W_CONFIG', ctx.loc, `domain '${v}' contains no embedded dot, this configuration may not work properly (see RFC6265#5.2.3).`, undefined, 'tight');
      }
      // `domain` and `attr` may be repeated: each adds an attribute to the inserted cookie.
      if (w === 'domain' || w === 'attr') out[w] = [...((out[w] as string[] | undefined) ?? []), v];
      else out[w] = v;
    } else {
      return ctx.fail(`'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'attr' and 'maxlife' options.`);
    }
  }
  const modes = ['rewrite', 'insert', 'prefix'].filter((m) => out[m]);
  if (modes.length > 1) return ctx.fail(`'cookie' : '${modes[0]}' and '${modes[1]}' options are incompatible.`);
  if (out['preserve'] && !out['insert'] && !out['indirect']) return ctx.fail(`cookie 'preserve' requires at least 'insert' or 'indirect'.`);
  return out;
}

/** `errorloc|errorloc302|errorloc303 <code> <url>`: a redirect in place of that error page. */
function errorloc(ctx: KwContext): Json | undefined {
  const [code, url] = ctx.args;
  if (code === undefined || url === undefined) return ctx.fail(`${ctx.key} : expects <status_code> and <url> as arguments.`, 'E_MISSING_ARG');
  if (!ERRMSG_CODES.includes(Number(code))) return ctx.fail(`${ctx.key} : status code '${code}' not handled.`);
  return { code: Number(code), url };
}

/**
 * `http-error status <code> [content-type T] [default-errorfiles|errorfile F|errorfiles N|file F|
 * lf-file F|string S|lf-string FMT] [hdr NAME FMT]*`: the reply options of `http-request
 * return`, for one of the codes HAProxy has an error page for (messages recorded).
 */
function httpError(ctx: KwContext): Json | undefined {
  const [kw, code, ...rest] = ctx.args;
  if (kw !== 'status' || code === undefined) return ctx.fail(`http-error : expects at least a <status> as arguments.\n`, 'E_MISSING_ARG');
  const n = Number(code);
  if (!Number.isInteger(n) || n < 200 || n > 599) return ctx.fail(`http-error : Unexpected status code '${code}'`);
  if (!ERRMSG_CODES.includes(n)) return ctx.fail(`http-error: status code '${code}' not handled.`);
  const r = replyOptions(rest, 'http-error', false);
  if ('error' in r) {
    const unknown = /but got '(.*)'$/.exec(r.error);
    return ctx.fail(`http-error : ${unknown ? `unknown keyword '${unknown[1]}'.` : r.error.replace(/\.$/, '')}`);
  }
  const o = r.value as Record<string, Json>;
  // No payload: the proxy's (or HAProxy's) page for that code.
  const bodyless = !['errorfile', 'errorfiles', 'file', 'lf-file', 'string', 'lf-string'].some((k) => o[k] !== undefined);
  return { ...o, status: n, ...(bodyless && o['hdr'] === undefined ? { 'default-errorfiles': true } : {}) };
}

/** `errorfiles <http-errors section> [code…]`: the section is resolved when rules compile. */
function errorfiles(ctx: KwContext): Json | undefined {
  const [name, ...codes] = ctx.args;
  if (name === undefined) return ctx.fail(`errorfiles : expects <name> as argument.`, 'E_MISSING_ARG');
  for (const c of codes) if (!ERRMSG_CODES.includes(Number(c))) return ctx.fail(`errorfiles : status code '${c}' not handled.`);
  return [...ctx.args];
}

export function errorfile(ctx: KwContext): Json | undefined {
  const [code, file] = ctx.args;
  if (code === undefined || file === undefined || ctx.args.length > 2) {
    return ctx.fail(`'errorfile' expects <status_code> and <file> as arguments.`, 'E_MISSING_ARG');
  }
  const KNOWN = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504];
  if (!KNOWN.includes(Number(code))) {
    ctx.warn(`status code '${code}' not handled by 'errorfile', error customization will be ignored.`, 'W_IGNORED');
    return undefined;
  }
  if (!existsSync(file)) return ctx.fail(`error while loading file '${file}' : No such file or directory`, 'E_FILE');
  return { code: Number(code), file };
}

/**
 * `compression algo|type|offload`, with haproxy 2.6.12's messages (recorded). `algo` and
 * `type` accumulate (rows are `multi`); `offload` in a defaults section is warned about and
 * dropped, as HAProxy ignores it there; words after `offload` are ignored, as in HAProxy.
 */
function compression(ctx: KwContext): Json | undefined {
  const sub = ctx.key.split(' ')[1]!;
  if (sub === 'offload') {
    if (ctx.section.type === 'defaults') {
      ctx.warn(`'compression' : 'offload' ignored in 'defaults' section.`);
      return undefined;
    }
    return true;
  }
  if (ctx.args.length === 0) {
    // HAProxy prints the location twice for a missing algorithm, once for a missing type.
    const where = sub === 'algo' ? `parsing [${ctx.loc.file}:${ctx.loc.line}] : ` : '';
    return ctx.fail(`${where}'compression' expects <${sub === 'algo' ? 'algorithm' : 'type'}>.`, 'E_MISSING_ARG');
  }
  if (sub === 'algo') {
    for (const a of ctx.args) {
      if (!['identity', 'gzip', 'deflate', 'raw-deflate'].includes(a)) return ctx.fail(`'compression' : '${a}' is not a supported algorithm.`);
    }
  }
  return [...ctx.args];
}

export const HTTP_KEYWORDS: readonly SectionKeyword[] = [
  { name: 'cookie', caps: DEF_BE, misuse: 'warning', status: 'ready', parse: cookie },
  { name: 'errorfile', caps: ALL, multi: true, status: 'ready', parse: errorfile },
  { name: 'errorfiles', caps: ALL, multi: true, status: 'ready', parse: errorfiles },
  { name: 'errorloc', caps: ALL, multi: true, status: 'ready', parse: errorloc },
  { name: 'errorloc302', caps: ALL, multi: true, status: 'ready', parse: errorloc },
  { name: 'errorloc303', caps: ALL, multi: true, status: 'ready', parse: errorloc },
  { name: 'http-error', caps: ALL, multi: true, status: 'ready', parse: httpError },
  {
    name: 'http-reuse',
    caps: DEF_BE,
    misuse: 'warning',
    status: 'ready',
    parse: (ctx) =>
      ctx.args.length === 1 && ['never', 'safe', 'aggressive', 'always'].includes(ctx.args[0]!)
        ? ctx.args[0]!
        : ctx.fail(`'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'`),
  },
  {
    // Bare `compression` or an unknown sub-keyword (the longer rows catch the known ones).
    name: 'compression',
    caps: ALL,
    status: 'ready',
    parse: (ctx) => ctx.fail(`'compression' expects 'algo', 'type' or 'offload'`, ctx.args.length ? 'E_UNKNOWN_KEYWORD' : 'E_MISSING_ARG'),
  },
  { name: 'compression algo', caps: ALL, multi: true, status: 'ready', parse: compression },
  { name: 'compression type', caps: ALL, multi: true, status: 'ready', parse: compression },
  { name: 'compression offload', caps: ALL, status: 'ready', parse: compression },
  {
    // The last one wins; matched against the path when it starts with '/' (src/http/session.ts).
    name: 'monitor-uri',
    caps: DEF_FE,
    misuse: 'warning',
    status: 'ready',
    parse: (ctx) =>
      ctx.args.length === 0 || ctx.args[0] === ''
        ? ctx.fail(`'monitor-uri' expects an URI.`, 'E_MISSING_ARG')
        : ctx.args.length > 1
          ? ctx.fail(`'monitor-uri' cannot handle unexpected argument '${ctx.args[1]}'.`)
          : ctx.args[0]!,
  },
  {
    // HAProxy requires the name (the manual's brackets notwithstanding) and ignores extra words.
    name: 'http-send-name-header',
    caps: DEF_BE,
    misuse: 'warning',
    status: 'ready',
    parse: (ctx) => (ctx.args[0] === undefined || ctx.args[0] === '' ? ctx.fail(`'http-send-name-header' requires a header string.`, 'E_MISSING_ARG') : ctx.args[0]),
  },
  { name: 'filter', caps: ALL, multi: true, status: pending('other'), minArgs: 1 },
  { name: 'declare capture', caps: DEF_FE, multi: true, status: pending('logging'), minArgs: 3 },
];
