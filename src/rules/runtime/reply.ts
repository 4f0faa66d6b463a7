// Replies built by deny / tarpit / return (manual 4.2 "http-request return"), compiled once:
// bodies from files are read at compile time, lf-strings and hdr values compiled. A reply is
// either HAProxy's built-in error page for a status, or a message with its header lines in
// the order HAProxy sends them.
//
// Facts (haproxy 2.6.12, see test/rules-runtime.test.ts):
//  - deny with no reply argument (or only deny_status) means "default-errorfiles": the
//    proxy's errorfile for the status if any, else the built-in page; such statuses must be
//    one HAProxy has a page for (config refused otherwise);
//  - `return` with no body answers "content-length: 0" only (content-type ignored);
//  - with a body: the hdr lines first, then content-length, then content-type;
//  - an errorfile is sent as written (header names lower-cased), no content-length added;
//  - reason phrases come from HAProxy's table (REASONS below, e.g. 302 "Moved Temporarily",
//    418 "I'm a teapot", unknown codes get their class: "Success", "Client Error" ...).

import type { ConfigModel, Directive, Json, ProxyModel } from '../../config/model.js';
import { RuleCompileError, type CompileCtx } from './context.js';
import { compileLogFormat, type LogFormatFn } from './logformat.js';
import { readText } from './files.js';
import type { Txn } from './txn.js';

export type Reply =
  /** HAProxy's built-in page for `status` (src/http/error-pages.ts renders it). */
  | { readonly kind: 'builtin'; readonly status: number }
  | {
      readonly kind: 'message';
      readonly status: number;
      readonly reason: string;
      /** The status line's HTTP/1.x (an errorfile may say HTTP/1.0); 1 when absent. */
      readonly versionMinor?: 0 | 1;
      /** Header lines in wire order, content-length included when HAProxy sends one. */
      readonly headers: readonly (readonly [string, string])[];
      readonly body: Buffer;
    };

/** Statuses with a built-in page (the only ones errorfile / default-errorfiles accept). */
export const ERRMSG_CODES: readonly number[] = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504];

const REASONS: Readonly<Record<number, string>> = {
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 210: 'Content Different', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 310: 'Too many Redirects',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Time-out',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Request Entity Too Large',
  414: 'Request-URI Too Long', 415: 'Unsupported Media Type', 416: 'Requested range unsatisfiable',
  417: 'Expectation failed', 418: "I'm a teapot", 421: 'Misdirected Request', 422: 'Unprocessable Content',
  423: 'Locked', 424: 'Method failure', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 449: 'Retry With',
  450: 'Blocked by Windows Parental Controls', 451: 'Unavailable For Legal Reasons', 456: 'Unrecoverable Error',
  499: 'client has closed connection', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway or Proxy Error', 503: 'Service Unavailable', 504: 'Gateway Time-out',
  505: 'HTTP Version not supported', 506: 'Variant also negotiate', 507: 'Insufficient storage', 508: 'Loop detected',
  509: 'Bandwidth Limit Exceeded', 510: 'Not extended', 511: 'Network authentication required',
  520: 'Web server is returning an unknown error',
};

/** HAProxy's reason phrase for a status (http_get_reason). */
export function reasonFor(status: number): string {
  const r = REASONS[status];
  if (r) return r;
  if (status >= 100 && status < 200) return 'Informational';
  if (status >= 200 && status < 300) return 'Success';
  if (status >= 300 && status < 400) return 'Redirection';
  if (status >= 400 && status < 500) return 'Client Error';
  if (status >= 500 && status < 600) return 'Server Error';
  return 'Other';
}

/** Parse an errorfile: a full HTTP/1 response, sent as written except for Connection. */
export function parseErrorFile(text: string, name: string, keyword = 'errorfile'): Extract<Reply, { kind: 'message' }> {
  const sep = /\r?\n\r?\n/.exec(text);
  const head = sep ? text.slice(0, sep.index) : text;
  const body = sep ? text.slice(sep.index + sep[0].length) : '';
  const [statusLine, ...lines] = head.split(/\r?\n/);
  const m = /^HTTP\/1\.([01]) +([0-9]{3})(?: +(.*))?$/.exec(statusLine ?? '');
  // HAProxy names the offset of the first byte its parser refused.
  const bad = (offset: number): RuleCompileError => new RuleCompileError(`${keyword} : '${name}': unable to parse headers (error offset: ${offset})`);
  if (!m) throw bad(/^HTTP\/1\.[01] +/.exec(statusLine ?? '')?.[0].length ?? 0);
  const headers: [string, string][] = [];
  let at = (statusLine ?? '').length + 2;
  for (const l of lines) {
    const c = l.indexOf(':');
    if (c <= 0) throw bad(at);
    at += l.length + 2;
    const n = l.slice(0, c).trim().toLowerCase();
    // The connection header is the HTTP/1 layer's business: it writes its own.
    if (n !== 'connection') headers.push([n, l.slice(c + 1).trim()]);
  }
  return { kind: 'message', status: Number(m[2]), reason: m[3] ?? '', versionMinor: m[1] === '0' ? 0 : 1, headers, body: Buffer.from(body, 'latin1') };
}

/** `errorloc` / `errorloc302` / `errorloc303`: a redirect in place of the error page. */
export function errorLocation(code: 302 | 303, url: string): Extract<Reply, { kind: 'message' }> {
  return {
    kind: 'message',
    status: code,
    reason: code === 302 ? 'Found' : 'See Other',
    headers: [
      ['cache-control', 'no-cache'],
      ['content-length', '0'],
      ['location', url],
    ],
    body: Buffer.alloc(0),
  };
}

/**
 * The proxy's error replies by status: `errorfile`, `errorfiles <section> [codes]` (http-errors
 * sections), `errorloc*` and `http-error` lines; later lines override earlier ones, the
 * defaults section's lines come first.
 */
export function proxyErrorFiles(proxy: ProxyModel, config: ConfigModel | undefined, ctx: CompileCtx): Map<number, ReplyFn> {
  const out = new Map<number, ReplyFn>();
  const fixed = (r: Reply): ReplyFn => () => r;
  const keys = ['errorfile', 'errorfiles', 'errorloc', 'errorloc302', 'errorloc303', 'http-error'];
  const dirs = keys.flatMap((k) => proxy.lists[k] ?? []).sort((a, b) => (a.loc.file === b.loc.file ? a.loc.line - b.loc.line : 0));
  for (const d of dirs) {
    try {
      errorDirective(d);
    } catch (e) {
      // Errors name the line that brought the file in.
      throw e instanceof RuleCompileError && !e.loc && !e.placed ? new RuleCompileError(e.message, d.loc) : e;
    }
  }
  return out;

  function errorDirective(d: Directive): void {
    const at = { ...ctx, loc: d.loc };
    if (d.key === 'errorfile') {
      const v = d.value as { code?: number; file?: string } | null;
      if (v && typeof v.code === 'number' && typeof v.file === 'string') {
        out.set(v.code, fixed(parseErrorFile(readText(at, v.file, 'error'), v.file)));
      }
    } else if (d.key.startsWith('errorloc')) {
      const [code, url] = d.args;
      if (code !== undefined && url !== undefined) out.set(Number(code), fixed(errorLocation(d.key === 'errorloc303' ? 303 : 302, url)));
    } else if (d.key === 'http-error') {
      const v = d.value as Record<string, Json> | null;
      if (v && typeof v['status'] === 'number') out.set(v['status'], compileReply(v, v['status'], true, at, { errorFiles: new Map(out), config }));
    } else {
      const [section, ...codes] = d.args;
      const sec = config?.sections.find((s) => s.type === 'http-errors' && s.name === section);
      if (!sec) throw new RuleCompileError(`proxy '${proxy.name}': unknown http-errors section '${section}' (at ${d.loc.file}:${d.loc.line}).`, undefined, true);
      for (const e of sec.directives) {
        if (e.key !== 'errorfile') continue;
        const [code, file] = e.args;
        const n = Number(code);
        if (file === undefined || (codes.length && !codes.includes(String(n)))) continue;
        out.set(n, fixed(parseErrorFile(readText({ ...ctx, loc: e.loc }, file, 'error'), file)));
      }
    }
  }
}

export interface ReplyEnv {
  readonly errorFiles: ReadonlyMap<number, ReplyFn>;
  readonly config?: ConfigModel;
}

export type ReplyFn = (txn: Txn) => Reply;

function httpErrorsFile(config: ConfigModel | undefined, section: string, status: number, ctx: CompileCtx): Reply | null {
  const sec = config?.sections.find((s) => s.type === 'http-errors' && s.name === section);
  if (!sec) throw new RuleCompileError(`unknown http-errors section '${section}'`, ctx.loc);
  for (const e of sec.directives) {
    if (e.key === 'errorfile' && Number(e.args[0]) === status && e.args[1] !== undefined) {
      return parseErrorFile(readText(ctx, e.args[1], 'error'), e.args[1]);
    }
  }
  return null;
}

/**
 * Compile reply options (the `value` actions.ts gives deny/tarpit/return). `defaultStatus`:
 * 403 for http-request deny, 502 for http-response deny, 500 for tarpit, 200 for return.
 * `errmsgByDefault`: deny/tarpit use the proxy's error pages when no body is given.
 */
export function compileReply(opts: Json, defaultStatus: number, errmsgByDefault: boolean, ctx: CompileCtx, env: ReplyEnv): ReplyFn {
  const o = (opts && typeof opts === 'object' && !Array.isArray(opts) ? opts : {}) as Record<string, Json>;
  const status = typeof o['status'] === 'number' ? o['status'] : defaultStatus;
  const has = (k: string): boolean => o[k] !== undefined;
  // deny/tarpit with no argument, or deny_status alone, mean default-errorfiles.
  const implied = errmsgByDefault && Object.keys(o).every((k) => k === 'status' || k === 'deny_status') && (!has('status') || o['deny_status'] === true);
  const errmsg = has('default-errorfiles') || implied;
  if (errmsg) {
    const builtin: Reply = { kind: 'builtin', status };
    return env.errorFiles.get(status) ?? (() => builtin);
  }
  if (typeof o['errorfile'] === 'string') {
    const r = parseErrorFile(readText(ctx, o['errorfile'], 'error'), o['errorfile']);
    return () => r;
  }
  if (typeof o['errorfiles'] === 'string') {
    const r = httpErrorsFile(env.config, o['errorfiles'], status, ctx);
    if (r) return () => r;
    const builtin: Reply = { kind: 'builtin', status };
    return env.errorFiles.get(status) ?? (() => builtin);
  }
  const reason = reasonFor(status);
  const hdrs: [string, LogFormatFn][] = [];
  if (Array.isArray(o['hdr'])) {
    for (const h of o['hdr']) {
      if (Array.isArray(h) && typeof h[0] === 'string' && typeof h[1] === 'string') hdrs.push([h[0].toLowerCase(), compileLogFormat(h[1], ctx)]);
    }
  }
  const ctype = typeof o['content-type'] === 'string' ? o['content-type'] : null;
  let body: ((txn: Txn) => Buffer) | null = null;
  if (typeof o['string'] === 'string') {
    const b = Buffer.from(o['string'], 'latin1');
    body = () => b;
  } else if (typeof o['lf-string'] === 'string') {
    const f = compileLogFormat(o['lf-string'], ctx);
    body = (txn) => Buffer.from(f(txn, { status }), 'latin1');
  } else if (typeof o['file'] === 'string') {
    const b = Buffer.from(readText(ctx, o['file'], 'reply'), 'latin1');
    body = () => b;
  } else if (typeof o['lf-file'] === 'string') {
    const f = compileLogFormat(readText(ctx, o['lf-file'], 'reply'), ctx);
    body = (txn) => Buffer.from(f(txn, { status }), 'latin1');
  }
  const EMPTY = Buffer.alloc(0);
  return (txn) => {
    const headers: [string, string][] = hdrs.map(([n, f]) => [n, f(txn, { status })]);
    const b = body ? body(txn) : EMPTY;
    headers.push(['content-length', String(b.length)]);
    if (body && ctype !== null && b.length > 0) headers.push(['content-type', ctype]);
    return { kind: 'message', status, reason, headers, body: b };
  };
}
