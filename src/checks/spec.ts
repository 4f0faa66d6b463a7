// The parsed form of `tcp-check` / `http-check` rules: plain JSON (it lives in the config
// model), with HAProxy 2.6's grammar and error texts (tcpcheck.c parse_tcpcheck_*; the
// caller wraps them as "'tcp-check expect' : <text>."). Log-format variants (send-lf,
// string-lf, uri-lf, %[...] in on-success/on-error/hdr) and sample expressions (port EXPR,
// status-code) are refused by the keyword rows, not parsed here.

import type { Json } from '../config/model.js';
import type { Area } from '../config/status.js';

export type Family = 'tcp-check' | 'http-check';

export interface ConnectSpec {
  readonly [k: string]: Json;
  readonly action: 'connect';
  readonly port: number | null;
  /** `addr IP[:PORT]`. */
  readonly addr: string | null;
  readonly addrPort: number | null;
  readonly sendProxy: boolean;
  /** `default`: the server's check settings apply to this connect. */
  readonly default: boolean;
  readonly linger: boolean;
  readonly comment: string | null;
}

export interface SendSpec {
  readonly [k: string]: Json;
  readonly action: 'send';
  readonly type: 'string' | 'binary';
  /** The bytes as a latin1 string (binary: already decoded from hex). */
  readonly data: string;
  readonly comment: string | null;
}

export interface HttpSendSpec {
  readonly [k: string]: Json;
  readonly action: 'send';
  readonly type: 'http';
  readonly meth: string | null;
  readonly uri: string | null;
  readonly ver: string | null;
  readonly hdrs: [string, string][];
  readonly body: string | null;
  readonly comment: string | null;
}

export type ExpectType = 'string' | 'rstring' | 'binary' | 'rbinary' | 'status' | 'rstatus' | 'hdr' | 'body' | 'rbody';
export type HdrMatch = 'str' | 'beg' | 'end' | 'sub' | 'reg';

export interface ExpectSpec {
  readonly [k: string]: Json;
  readonly action: 'expect';
  readonly type: ExpectType;
  /** string/binary (latin1 bytes), regex source, or the status list text. */
  readonly pattern: string;
  readonly inverse: boolean;
  readonly minRecv: number;
  readonly okStatus: string | null;
  readonly errorStatus: string | null;
  readonly toutStatus: string | null;
  readonly onSuccess: string | null;
  readonly onError: string | null;
  readonly comment: string | null;
  /** hdr/fhdr: name and optional value patterns with their methods; `full` for fhdr. */
  readonly hdr: { name: string; nameMatch: HdrMatch; value: string | null; valueMatch: HdrMatch; full: boolean } | null;
}

export interface CommentSpec {
  readonly [k: string]: Json;
  readonly action: 'comment';
  readonly comment: string;
}

export type RuleSpec = ConnectSpec | SendSpec | HttpSendSpec | ExpectSpec | CommentSpec;

export type Parsed<T> = { ok: true; spec: T } | { ok: false; error: string; pending?: string; area?: Area };

const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });
/** Known to HAProxy, not implemented here: the keyword row reports it as not implemented. */
/** Valid, but not implemented yet: refused naming `what` and the area that brings it. */
const pendingPart = <T>(what: string, area: Area = 'check-vars'): Parsed<T> => ({ ok: false, error: '', pending: what, area });

/** HAProxy's parse_binary: an even number of hex digits. */
export function parseHex(text: string): { ok: true; bytes: string } | { ok: false; error: string } {
  if (text.length % 2 !== 0) return { ok: false, error: 'an even number of hex digit is expected' };
  if (!/^[0-9a-fA-F]*$/.test(text)) {
    const bad = text.search(/[^0-9a-fA-F]/);
    return { ok: false, error: `invalid char in binary string at position ${bad}` };
  }
  return { ok: true, bytes: Buffer.from(text, 'hex').toString('latin1') };
}

/** `port N` and `addr IP[:PORT]` values, as both connect rules and server options take them. */
export function splitAddr(text: string): { host: string; port: number | null } | undefined {
  const v6 = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(text);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : null };
  const colons = text.split(':').length - 1;
  if (colons > 1) return /^[0-9a-fA-F:.]+$/.test(text) ? { host: text, port: null } : undefined;
  const [host, port] = text.split(':');
  if (!host || !/^[0-9A-Za-z.-]+$/.test(host)) return undefined;
  if (port !== undefined && !/^[0-9]+$/.test(port)) return undefined;
  return { host, port: port === undefined ? null : Number(port) };
}

export function parseConnect(args: readonly string[]): Parsed<ConnectSpec> {
  let port: number | null = null;
  let addr: string | null = null;
  let addrPort: number | null = null;
  let sendProxy = false;
  let dflt = false;
  let linger = false;
  let comment: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const v = args[i + 1];
    switch (w) {
      case 'default':
        dflt = true;
        break;
      case 'addr': {
        if (v === undefined) return fail(`'addr' expects <ipv4|ipv6> as argument.`);
        const a = splitAddr(v);
        if (!a) return fail(`'addr' : invalid address: '${v}'.`);
        addr = a.host;
        addrPort = a.port;
        i++;
        break;
      }
      case 'port': {
        if (v === undefined) return fail(`'port' expects a port number or a sample expression as argument.`);
        if (!/^[0-9]+$/.test(v)) return pendingPart(`'port' with a sample expression`);
        const n = Number(v);
        if (n < 1 || n > 65535) return fail(`expects a valid TCP port (from range 1 to 65535) or a sample expression, got ${v}.`);
        port = n;
        i++;
        break;
      }
      case 'comment':
        if (v === undefined) return fail(`'comment' expects a string as argument.`);
        comment = v;
        i++;
        break;
      case 'linger':
        linger = true;
        break;
      case 'send-proxy':
        sendProxy = true;
        break;
      case 'ssl':
      case 'sni':
      case 'alpn':
        return pendingPart(`'${w}'`, 'tls');
      case 'proto':
        return pendingPart(`'${w}'`, 'h2');
      case 'via-socks4':
        return pendingPart(`'${w}'`, 'other');
      default:
        return fail(
          `expects 'comment', 'port', 'addr', 'send-proxy', 'ssl', 'sni', 'alpn' or 'via-socks4', 'linger', 'default' but got '${w}' as argument.`,
        );
    }
  }
  return { ok: true, spec: { action: 'connect', port, addr, addrPort, sendProxy, default: dflt, linger, comment } };
}

export function parseSend(kind: string, args: readonly string[]): Parsed<SendSpec> {
  if (kind === 'send-lf' || kind === 'send-binary-lf') return pendingPart(`'tcp-check ${kind}'`);
  const binary = kind === 'send-binary';
  const data = args[0];
  if (data === undefined || data === '') return fail(`'${binary ? 'binary string' : 'string'}' expects a ${kind} as argument`);
  let comment: string | null = null;
  for (let i = 1; i < args.length; i++) {
    if (args[i] === 'comment') {
      if (args[i + 1] === undefined) return fail(`'comment' expects a string as argument.`);
      comment = args[++i]!;
    } else return fail(`expects 'comment' but got '${args[i]}' as argument.`);
  }
  if (binary) {
    const h = parseHex(data);
    if (!h.ok) return fail(`'${data}' invalid binary string (${h.error}).\n`);
    return { ok: true, spec: { action: 'send', type: 'binary', data: h.bytes, comment } };
  }
  return { ok: true, spec: { action: 'send', type: 'string', data, comment } };
}

export function parseHttpSend(args: readonly string[]): Parsed<HttpSendSpec> {
  let meth: string | null = null;
  let uri: string | null = null;
  let ver: string | null = null;
  let body: string | null = null;
  let comment: string | null = null;
  const hdrs: [string, string][] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const v = args[i + 1];
    if (w === 'meth' || w === 'uri' || w === 'ver' || w === 'body' || w === 'comment') {
      if (v === undefined || v === '') return fail(`'${w}' expects a string as argument.`);
      if (w === 'meth') meth = v;
      else if (w === 'uri') uri = v;
      else if (w === 'ver') ver = v;
      else if (w === 'body') body = v;
      else comment = v;
      i++;
    } else if (w === 'uri-lf' || w === 'body-lf') {
      return pendingPart(`'http-check send ${w}'`);
    } else if (w === 'hdr') {
      const n = args[i + 1];
      const val = args[i + 2];
      if (!n || val === undefined) return fail(`'hdr' expects <name> and <value> as arguments`);
      if (/^host$/i.test(n) && hdrs.some(([x]) => /^host$/i.test(x))) {
        return fail(`'hdr' header already defined (previous value is '${hdrs.find(([x]) => /^host$/i.test(x))![1]}')`);
      }
      // The value is a log-format string in HAProxy: only literal values are supported here.
      if (val.includes('%')) return pendingPart(`a log-format value in 'http-check send hdr'`);
      hdrs.push([n, val]);
      i += 2;
    } else {
      return fail(`expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '${w}' as argument.`);
    }
  }
  return { ok: true, spec: { action: 'send', type: 'http', meth, uri, ver, hdrs, body, comment } };
}

const OK_STATUS: Record<string, string> = { L7OK: 'L7OK', L7OKC: 'L7OKC', L6OK: 'L6OK', L4OK: 'L4OK' };
const ERR_STATUS: Record<string, string> = { L7RSP: 'L7RSP', L7STS: 'L7STS', L7OKC: 'L7OKC', L6RSP: 'L6RSP', L4CON: 'L4CON' };
const TOUT_STATUS: Record<string, string> = { L7TOUT: 'L7TOUT', L6TOUT: 'L6TOUT', L4TOUT: 'L4TOUT' };
const HDR_METHODS: readonly HdrMatch[] = ['str', 'beg', 'end', 'sub', 'reg'];

function regexError(source: string): string | null {
  try {
    new RegExp(source);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export function parseExpect(family: Family, args: readonly string[]): Parsed<ExpectSpec> {
  const http = family === 'http-check';
  if (args.length === 0) return fail('expects at least a matching pattern as arguments');
  let type: ExpectType | null = null;
  let pattern = '';
  let inverse = false;
  let minRecv = -1;
  let okStatus: string | null = null;
  let errorStatus: string | null = null;
  let toutStatus: string | null = null;
  let onSuccess: string | null = null;
  let onError: string | null = null;
  let comment: string | null = null;
  let hdr: ExpectSpec['hdr'] = null;
  const badKw = (w: string): Parsed<ExpectSpec> =>
    http
      ? fail(`'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got '${w}' as argument.`)
      : fail(`'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf''[!]rbinary', '[!]binary-lf' or comment but got '${w}' as argument.`);
  const words = [...args];
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    let inPattern = false;
    if (w.startsWith('!')) {
      inPattern = true;
      while (w.startsWith('!')) {
        inverse = !inverse;
        w = w.slice(1);
      }
      if (w === '') {
        i++;
        if (i >= words.length) break;
        w = words[i]!;
      }
    }
    const v = words[i + 1];
    const option = (name: string): Parsed<ExpectSpec> | null => (inPattern ? fail(`[!] not supported with '${name}'`) : null);
    switch (w) {
      case 'min-recv': {
        const bad = option(w);
        if (bad) return bad;
        if (v === undefined) return fail(`'min-recv' expects a integer as argument`);
        const n = parseInt(v, 10) || 0;
        if (n < -1) return fail(`'min-recv' expects -1 or an integer from 0 to INT_MAX`);
        minRecv = n;
        i++;
        break;
      }
      case 'string':
      case 'rstring':
      case 'binary':
      case 'rbinary':
      case 'status':
      case 'rstatus': {
        if ((w === 'binary' || w === 'rbinary') && http) return badKw(w);
        if ((w === 'status' || w === 'rstatus') && !http) return badKw(w);
        if (type !== null) return fail('only on pattern expected');
        if (v === undefined || v === '') return fail(`'${w}' expects a <pattern> as argument`);
        type = http && w === 'string' ? 'body' : http && w === 'rstring' ? 'rbody' : (w as ExpectType);
        pattern = v;
        i++;
        break;
      }
      case 'string-lf':
      case 'binary-lf':
        if (w === 'binary-lf' && http) return badKw(w);
        return pendingPart(`'${family} expect ${w}'`);
      case 'custom':
        return badKw(w);
      case 'hdr':
      case 'fhdr': {
        if (!http) return badKw(w);
        if (type !== null) return fail('only on pattern expected');
        type = 'hdr';
        const orig = w;
        if (words[i + 1] === 'name-lf' || words[i + 1] === 'value-lf') return pendingPart(`'${family} expect ${orig} ${words[i + 1]}'`);
        if (words[i + 1] !== 'name' || words[i + 2] === undefined) {
          return fail(`'${orig}' expects at the name keyword as first argument followed by a pattern`);
        }
        i += 2;
        let nameMatch: HdrMatch = 'str';
        if (words[i] === '-m') {
          const m = words[i + 1];
          if (m === undefined) return fail(`'${orig}' : '-m' expects at a matching pattern ('str', 'beg', 'end', 'sub' or 'reg')`);
          if (!HDR_METHODS.includes(m as HdrMatch)) return fail(`'${orig}' : '-m' only supports 'str', 'beg', 'end', 'sub' or 'reg' (got '${m}')`);
          nameMatch = m as HdrMatch;
          i += 2;
        }
        const name = words[i];
        if (name === undefined) return fail(`'${orig}' expects at the name keyword as first argument followed by a pattern`);
        let value: string | null = null;
        let valueMatch: HdrMatch = 'str';
        if (words[i + 1] === 'value-lf') return pendingPart(`'${family} expect ${orig} value-lf'`);
        if (words[i + 1] === 'value') {
          i++;
          if (words[i + 1] === '-m') {
            const m = words[i + 2];
            if (m === undefined) return fail(`'${orig}' : '-m' expects at a matching pattern ('str', 'beg', 'end', 'sub' or 'reg')`);
            if (!HDR_METHODS.includes(m as HdrMatch)) return fail(`'${orig}' : '-m' only supports 'str', 'beg', 'end', 'sub' or 'reg' (got '${m}')`);
            valueMatch = m as HdrMatch;
            i += 2;
          }
          if (words[i + 1] === undefined || words[i + 1] === '') return fail(`'${orig}' expect a pattern with the value keyword`);
          value = words[++i]!;
        }
        for (const [src, m] of [[name, nameMatch], [value, valueMatch]] as const) {
          if (src !== null && m === 'reg') {
            const err = regexError(src);
            if (err) return fail(err);
          }
        }
        hdr = { name, nameMatch, value, valueMatch, full: orig === 'fhdr' };
        break;
      }
      case 'comment':
      case 'on-success':
      case 'on-error': {
        const bad = option(w);
        if (bad) return bad;
        if (v === undefined || v === '') return fail(`'${w}' expects a string as argument`);
        if (w !== 'comment' && v.includes('%')) return pendingPart(`a log-format '${w}' message`);
        if (w === 'comment') comment = v;
        else if (w === 'on-success') onSuccess = v;
        else onError = v;
        i++;
        break;
      }
      case 'ok-status':
      case 'error-status':
      case 'tout-status': {
        const bad = option(w);
        if (bad) return bad;
        if (v === undefined || v === '') return fail(`'${w}' expects a string as argument`);
        const up = v.toUpperCase();
        if (w === 'ok-status') {
          if (!OK_STATUS[up]) return fail(`'${w}' only supports 'L4OK', 'L6OK', 'L7OK' or 'L7OKC' status (got '${v}').`);
          okStatus = up;
        } else if (w === 'error-status') {
          if (!ERR_STATUS[up]) return fail(`'${w}' only supports 'L4CON', 'L6RSP', 'L7RSP' or 'L7STS' status (got '${v}').`);
          errorStatus = up;
        } else {
          if (!TOUT_STATUS[up]) return fail(`'${w}' only supports 'L4TOUT', 'L6TOUT' or 'L7TOUT' status (got '${v}').`);
          toutStatus = up;
        }
        i++;
        break;
      }
      case 'status-code': {
        const bad = option(w);
        if (bad) return bad;
        if (v === undefined || v === '') return fail(`'${w}' expects an expression as argument`);
        return pendingPart(`'${family} expect status-code'`);
      }
      default:
        return badKw(w);
    }
  }
  if (type === null) return fail('pattern not found');
  if (type === 'status') {
    const err = statusListError(pattern);
    if (err) return fail(err);
  } else if (type === 'binary') {
    const h = parseHex(pattern);
    if (!h.ok) return fail(`invalid binary string (${h.error})`);
    pattern = h.bytes;
  } else if (type === 'rstring' || type === 'rbinary' || type === 'rstatus' || type === 'rbody') {
    const err = regexError(pattern);
    if (err) return fail(err);
  }
  return {
    ok: true,
    spec: { action: 'expect', type, pattern, inverse, minRecv, okStatus, errorStatus, toutStatus, onSuccess, onError, comment, hdr },
  };
}

/** An expect spec with HAProxy's defaults for everything not given (builtin rulesets). */
export function expectSpec(spec: Partial<ExpectSpec> & Pick<ExpectSpec, 'type' | 'pattern'>): ExpectSpec {
  return {
    action: 'expect',
    inverse: false,
    minRecv: -1,
    okStatus: null,
    errorStatus: null,
    toutStatus: null,
    onSuccess: null,
    onError: null,
    comment: null,
    hdr: null,
    ...spec,
  };
}

/** `200-399,404`: HAProxy reads unsigned numbers, '-' ranges and ',' separators. */
function statusListError(text: string): string | null {
  for (const part of text.split(',')) {
    const m = /^([0-9]*)(?:-([0-9]*))?$/.exec(part);
    if (!m) {
      const bad = part.replace(/^[0-9]*(-[0-9]*)?/, '')[0] ?? ',';
      return `invalid character '${bad}' in the list of status codes`;
    }
    const a = Number(m[1] || 0);
    const b = m[2] === undefined ? a : Number(m[2] || 0);
    if (a > b) return `invalid range of status codes '${text}'`;
  }
  return null;
}

export function statusRanges(text: string): [number, number][] {
  return text.split(',').map((part) => {
    const [a, b] = part.split('-');
    const lo = Number(a || 0);
    return [lo, b === undefined ? lo : Number(b || 0)];
  });
}
