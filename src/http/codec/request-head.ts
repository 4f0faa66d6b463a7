// HTTP/1 request head parser, as strict as HAProxy 2.6's request-smuggling defences.
//
// Recorded behaviour it reproduces (haproxy 2.6.12; test/fixtures/http-hostile/corpus.json):
// - leading empty lines (CRLF or LF) are skipped; leading SP/HTAB or a bare CR is 400;
// - request line: tchar+ method, then SP/HTAB runs around the URI (tabs and double spaces
//   pass), then exactly "HTTP/" DIGIT "." DIGIT and the line end. Lowercase "http/", "HTTP/1",
//   "HTTP/1.10", other protocols, a missing version (HTTP/0.9) and trailing whitespace are 400.
//   HTTP/2.0, HTTP/1.2, HTTP/3.0 ... are accepted and forwarded as HTTP/1.1; HTTP/0.x as 1.0;
// - URI bytes: see URI_OK (controls, 8-bit, '#' are 400);
// - Content-Length/Transfer-Encoding/Host rules: see framing.ts. TE with codings before
//   chunked is 422, TE not ending in chunked 400 (HTTP/1.0 with TE is accepted);
// - a URI not starting with '/' or '*' yields an authority (after "scheme://", minus userinfo,
//   up to the first '/'; or the whole text up to '/' without a scheme) that must equal the Host
//   header when both are present (case-insensitive, default port of http/https and an empty
//   port ignored); CONNECT needs host:port;
// - "Connection: upgrade" + "Upgrade: websocket" without a Sec-WebSocket-Key is 400;
// - limits (limits.ts) are 400.
// The exceptions, where this parser is stricter than HAProxy 2.6.12, are listed in the test.

import { CR, LF, SP, HTAB, TCHAR, URI_OK, listHasToken, strEqLower } from './chars.js';
import { HeaderList } from './headers.js';
import { analyzeHeaders, valueAt } from './framing.js';
import { NEED_MORE, BAD, scanError, scanHeaderLines, skipLeadingEmptyLines } from './head-lines.js';
import { HEAD_COST_PER_HEADER, type HttpLimits } from './limits.js';
import {
  FRAMING_CHUNKED,
  FRAMING_NONE,
  INCOMPLETE,
  headError,
  type Framing,
  type HeadResult,
  type RawLine,
  type RequestHead,
} from './types.js';

const METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'] as const;

/** The method as a string; common ones come from constants so no string is built per request. */
function methodString(buf: Buffer, s: number, e: number): string {
  const n = e - s;
  for (const m of METHODS) {
    if (m.length !== n) continue;
    let k = 0;
    while (k < n && buf[s + k] === m.charCodeAt(k)) k++;
    if (k === n) return m;
  }
  return buf.toString('latin1', s, e);
}

/**
 * Matches "HTTP/" DIGIT "." DIGIT and a line ending at `p`. Returns the offset after the line
 * ending, NEED_MORE when the bytes so far could still match, or BAD.
 */
function matchRequestVersion(buf: Buffer, p: number): number {
  const len = buf.length;
  const want = 'HTTP/';
  for (let k = 0; k < 5; k++) {
    if (p + k >= len) return NEED_MORE;
    if (buf[p + k] !== want.charCodeAt(k)) return BAD;
  }
  for (let k = 5; k < 8; k++) {
    if (p + k >= len) return NEED_MORE;
    const c = buf[p + k]!;
    if (k === 6 ? c !== 0x2e : c < 0x30 || c > 0x39) return BAD;
  }
  if (p + 8 >= len) return NEED_MORE;
  const c = buf[p + 8];
  if (c === LF) return p + 9;
  if (c !== CR) return BAD;
  if (p + 9 >= len) return NEED_MORE;
  return buf[p + 9] === LF ? p + 10 : BAD;
}

/**
 * The request line as a RawLine when it is already what HAProxy writes: "METHOD SP URI SP
 * HTTP/1.x CRLF" with one space each time and a 1.0 or 1.1 version (others are rewritten).
 */
function rawLine(buf: Buffer, ms: number, me: number, us: number, ue: number, vp: number, end: number, method: string, uri: string): RawLine | undefined {
  if (us !== me + 1 || buf[me] !== SP || vp !== ue + 1 || buf[ue] !== SP) return undefined;
  if (buf[vp + 5] !== 0x31 || buf[vp + 7]! > 0x31 || end !== vp + 10) return undefined;
  return { src: buf, start: ms, end, a: method, b: uri };
}

/** Lowercased authority without userinfo, an empty port, or the scheme's default port. */
function normAuthority(a: string, defaultPort: string): string {
  let s = a.toLowerCase();
  if (s.endsWith(':')) s = s.slice(0, -1);
  else if (defaultPort !== '' && s.endsWith(defaultPort)) s = s.slice(0, -defaultPort.length);
  return s;
}

/** The authority a non-origin-form request target carries, and the scheme's default port. */
function uriAuthority(uri: string): { authority: string; defaultPort: string } {
  const sep = uri.indexOf('://');
  let rest = uri;
  let defaultPort = '';
  if (sep >= 0) {
    const scheme = uri.slice(0, sep).toLowerCase();
    defaultPort = scheme === 'http' ? ':80' : scheme === 'https' ? ':443' : '';
    rest = uri.slice(sep + 3);
  }
  const slash = rest.indexOf('/');
  let authority = slash < 0 ? rest : rest.slice(0, slash);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  return { authority, defaultPort };
}

/** Whether a CONNECT target is host:port (the only form HAProxy accepts there). */
function isAuthorityForm(uri: string): boolean {
  if (uri.indexOf('/') >= 0) return false;
  const colon = uri.lastIndexOf(':');
  if (colon <= 0 || colon === uri.length - 1) return false;
  for (let k = colon + 1; k < uri.length; k++) {
    const c = uri.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function tooLarge(len: number, limits: HttpLimits): HeadResult<RequestHead> {
  // HAProxy fails once its input buffer is full without a complete head.
  return len >= limits.maxHeadBytes ? headError(400, 'request head too large') : INCOMPLETE;
}

/**
 * Parses a request head from the bytes received so far (`buf` starts at the first byte of the
 * message; leading empty lines included). See HeadResult. On 'done', the head's header list
 * points into `buf`.
 */
export function parseRequestHead(buf: Buffer, limits: HttpLimits): HeadResult<RequestHead> {
  const len = buf.length;
  let p = skipLeadingEmptyLines(buf);
  if (p === BAD) return headError(400, scanError());
  if (p === NEED_MORE) return tooLarge(len, limits);

  const ms = p;
  let c = 0;
  while (p < len && TCHAR[buf[p]!] === 1) p++;
  if (p >= len) return tooLarge(len, limits);
  c = buf[p]!;
  if (p === ms) return headError(400, 'invalid request line');
  if (c !== SP && c !== HTAB) {
    return headError(400, c === CR || c === LF ? 'request line without URI' : 'invalid character in method');
  }
  const me = p;
  while (p < len && ((c = buf[p]!) === SP || c === HTAB)) p++;
  const us = p;
  while (p < len && URI_OK[buf[p]!] === 1) p++;
  if (p >= len) return tooLarge(len, limits);
  c = buf[p]!;
  if (c !== SP && c !== HTAB) {
    return headError(400, c === CR || c === LF ? 'missing HTTP version' : 'invalid character in URI');
  }
  const ue = p;
  while (p < len && ((c = buf[p]!) === SP || c === HTAB)) p++;
  const vp = p;
  p = matchRequestVersion(buf, vp);
  if (p === NEED_MORE) return tooLarge(len, limits);
  if (p === BAD) return headError(400, 'invalid HTTP version');
  const major = buf[vp + 5]! - 0x30;
  const minor = buf[vp + 7]! - 0x30;

  const headers = HeaderList._overBuffer(buf);
  const end = scanHeaderLines(buf, p, headers);
  if (end === NEED_MORE) return tooLarge(len, limits);
  if (end === BAD) return headError(400, scanError());
  if (end > limits.maxHeadBytes) return headError(400, 'request head too large');

  const sem = analyzeHeaders(headers);
  if (sem.error !== null) return headError(400, sem.error);
  const n = headers.count;
  if (n > limits.maxHeaders) return headError(400, 'too many headers');
  if (limits.maxHeadCost !== undefined) {
    let cost = me - ms + (ue - us) + 8;
    for (let i = 0; i < n; i++) cost += headers.nameLength(i) + headers.valueLength(i) + HEAD_COST_PER_HEADER;
    if (cost > limits.maxHeadCost) return headError(400, 'request head too large');
  }
  if (sem.te && !sem.chunked) return headError(400, 'Transfer-Encoding does not end with chunked');

  const method = methodString(buf, ms, me);
  const uri = buf.toString('latin1', us, ue);
  if (major === 2 && minor === 0 && method === 'PRI' && uri === '*') {
    // HAProxy switches such a connection to HTTP/2 (prior knowledge); this codec cannot.
    return headError(400, 'HTTP/2 connection preface');
  }

  const u0 = uri.charCodeAt(0);
  // Host is only compared with a CONNECT or absolute-form target: no string for origin-form.
  const host = method === 'CONNECT' || (u0 !== 0x2f && u0 !== 0x2a) ? valueAt(headers, sem.hostIdx) : null;
  if (method === 'CONNECT') {
    if (!isAuthorityForm(uri)) return headError(400, 'CONNECT target is not host:port');
    if (host !== null && host.toLowerCase() !== uri.toLowerCase()) {
      return headError(400, 'Host does not match the CONNECT target');
    }
  } else if (u0 !== 0x2f && u0 !== 0x2a && host !== null) {
    const { authority, defaultPort } = uriAuthority(uri);
    if (authority !== '' && normAuthority(authority, defaultPort) !== normAuthority(host, defaultPort)) {
      return headError(400, 'Host does not match the URI authority');
    }
  }
  if (sem.teOther) return headError(422, 'transfer codings other than chunked');

  let upgrade: string | null = null;
  if (sem.connUpgrade && sem.upgradeIdx >= 0) {
    upgrade = valueAt(headers, sem.upgradeIdx);
    if (upgrade !== null && listHasToken(upgrade, 'websocket')) {
      const key = valueAt(headers, sem.wsKeyIdx);
      if (key === null || key === '') return headError(400, 'WebSocket upgrade without Sec-WebSocket-Key');
    }
  }

  const versionMinor: 0 | 1 = major > 1 || (major === 1 && minor >= 1) ? 1 : 0;
  let keepAlive = versionMinor === 1 ? !sem.connClose : sem.connKeepAlive && !sem.connClose;
  // HAProxy closes after a request that carried both CL and TE (recorded: "connection: close").
  if (sem.clAndTe) keepAlive = false;

  let framing: Framing = FRAMING_NONE;
  if (sem.chunked) framing = FRAMING_CHUNKED;
  else if (sem.contentLength >= 0) framing = { kind: 'length', length: sem.contentLength };

  let expectContinue = false;
  if (versionMinor === 1 && sem.expectIdx >= 0) {
    const e = valueAt(headers, sem.expectIdx);
    expectContinue = e !== null && strEqLower(e, '100-continue');
  }

  return {
    state: 'done',
    head: { method, uri, versionMinor, headers, framing, keepAlive, upgrade, expectContinue, raw: rawLine(buf, ms, me, us, ue, vp, p, method, uri) },
    consumed: end,
  };
}
