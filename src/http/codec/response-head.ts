// HTTP/1 response head parser. Errors carry 502, what HAProxy 2.6 answers the client when a
// server's response head is invalid.
//
// Recorded against haproxy 2.6.12 (a backend sending crafted responses):
// - leading empty lines are skipped; the status line is a version token (uppercase letters,
//   "/", DIGIT "." DIGIT: "RTSP/1.0" passes, "http/1.1" is 502), SP/HTAB runs, a status code,
//   then an optional reason (any bytes but CR/LF; may be empty, "HTTP/1.1 200\r\n" passes);
// - header lines as for requests; a bad name or space before ':' is 502; obs-fold is joined;
// - Transfer-Encoding must end with a single chunked and hold nothing else (gzip, identity or
//   "gzip, chunked" are all 502 on responses), otherwise the Content-Length rules apply; with
//   both, Content-Length is dropped; neither means the body runs until the server closes;
// - 1xx, 204, 304 and responses to HEAD have no body; HAProxy strips CL/TE from a 204;
// - a 101 without an Upgrade header is 502, so is a 101 to a request that asked for no
//   upgrade, and a 101 to a WebSocket request without Sec-WebSocket-Accept.
// Status codes must be exactly three digits here; HAProxy 2.6.12 also lets "20" or "2000" by.

import { CR, LF, SP, HTAB, listHasToken } from './chars.js';
import { HeaderList } from './headers.js';
import { analyzeHeaders, valueAt } from './framing.js';
import { NEED_MORE, BAD, bad, scanError, scanHeaderLines, skipLeadingEmptyLines } from './head-lines.js';
import { HEAD_COST_PER_HEADER, type HttpLimits } from './limits.js';
import {
  FRAMING_CHUNKED,
  FRAMING_CLOSE,
  FRAMING_NONE,
  INCOMPLETE,
  headError,
  type Framing,
  type HeadResult,
  type ResponseHead,
} from './types.js';

/** What the response parser needs to know about the request it answers, beyond its method. */
export interface ResponseContext {
  /** The request's `upgrade` (null: it asked for none). Undefined: 101 is not cross-checked. */
  requestUpgrade?: string | null;
}

function tooLarge(len: number, limits: HttpLimits): HeadResult<ResponseHead> {
  return len >= limits.maxHeadBytes ? headError(502, 'response head too large') : INCOMPLETE;
}

/**
 * Matches the status line from `p`: version, status, reason, line end. Returns the offset after
 * the line end, NEED_MORE or BAD, and fills `out`.
 */
function matchStatusLine(
  buf: Buffer,
  p: number,
  out: { isHttp: boolean; major: number; minor: number; status: number; rs: number; re: number; vlen: number },
): number {
  const len = buf.length;
  const ts = p;
  while (p < len && buf[p]! >= 0x41 && buf[p]! <= 0x5a) p++;
  if (p >= len) return NEED_MORE;
  if (p === ts || buf[p] !== 0x2f) return bad('invalid version in status line');
  out.isHttp = p - ts === 4 && buf[ts] === 0x48 && buf[ts + 1] === 0x54 && buf[ts + 2] === 0x54 && buf[ts + 3] === 0x50;
  p++;
  if (p + 3 > len) return NEED_MORE;
  const a = buf[p]!;
  const dot = buf[p + 1]!;
  const b = buf[p + 2]!;
  if (a < 0x30 || a > 0x39 || dot !== 0x2e || b < 0x30 || b > 0x39) return bad('invalid version in status line');
  out.major = a - 0x30;
  out.minor = b - 0x30;
  p += 3;
  out.vlen = p - ts;
  if (p >= len) return NEED_MORE;
  let c = buf[p]!;
  if (c !== SP && c !== HTAB) return bad('invalid version in status line');
  while (p < len && ((c = buf[p]!) === SP || c === HTAB)) p++;
  let status = 0;
  const ss = p;
  while (p < len && (c = buf[p]!) >= 0x30 && c <= 0x39) {
    status = status * 10 + (c - 0x30);
    p++;
  }
  if (p >= len) return NEED_MORE;
  if (p - ss !== 3 || status < 100 || (c !== SP && c !== HTAB && c !== CR && c !== LF)) {
    return bad('invalid status code');
  }
  out.status = status;
  while (p < len && ((c = buf[p]!) === SP || c === HTAB)) p++;
  out.rs = p;
  while (p < len && (c = buf[p]!) !== CR && c !== LF) p++;
  if (p >= len) return NEED_MORE;
  out.re = p;
  if (c === LF) return p + 1;
  if (p + 1 >= len) return NEED_MORE;
  if (buf[p + 1] !== LF) return bad('bare CR in status line');
  return p + 2;
}

/** The status line's fields, as matchStatusLine fills them (reused by every parse). */
const STATUS_LINE = { isHttp: false, major: 0, minor: 0, status: 0, rs: 0, re: 0, vlen: 0 };

/** The usual reason of the most frequent statuses: received as such, no string is made. */
const USUAL_REASONS = new Map<number, string>([
  [200, 'OK'],
  [204, 'No Content'],
  [206, 'Partial Content'],
  [301, 'Moved Permanently'],
  [302, 'Found'],
  [304, 'Not Modified'],
  [404, 'Not Found'],
]);

function reasonString(buf: Buffer, rs: number, re: number, status: number): string {
  const usual = USUAL_REASONS.get(status);
  if (usual !== undefined && usual.length === re - rs) {
    let k = 0;
    while (k < usual.length && buf[rs + k] === usual.charCodeAt(k)) k++;
    if (k === usual.length) return usual;
  }
  return buf.toString('latin1', rs, re);
}

/**
 * Parses a response head. `requestMethod` decides bodiless responses (HEAD, CONNECT 2xx).
 * For 1xx other than 101 the caller parses the next head after `consumed`.
 */
export function parseResponseHead(
  buf: Buffer,
  limits: HttpLimits,
  requestMethod: string,
  ctx: ResponseContext = {},
): HeadResult<ResponseHead> {
  const len = buf.length;
  let p = skipLeadingEmptyLines(buf);
  if (p === BAD) return headError(502, scanError());
  if (p === NEED_MORE) return tooLarge(len, limits);
  // Read synchronously below, before any other parse can run: one object per thread.
  const sl = STATUS_LINE;
  const lineStart = p;
  p = matchStatusLine(buf, p, sl);
  if (p === NEED_MORE) return tooLarge(len, limits);
  if (p === BAD) return headError(502, scanError());

  const headers = HeaderList._overBuffer(buf);
  const end = scanHeaderLines(buf, p, headers);
  if (end === NEED_MORE) return tooLarge(len, limits);
  if (end === BAD) return headError(502, scanError());
  if (end > limits.maxHeadBytes) return headError(502, 'response head too large');

  const sem = analyzeHeaders(headers);
  if (sem.error !== null) return headError(502, sem.error);
  const n = headers.count;
  if (n > limits.maxHeaders) return headError(502, 'too many headers');
  if (limits.maxHeadCost !== undefined) {
    // Status line: version token + 3-digit status + reason.
    let cost = sl.vlen + 3 + (sl.re - sl.rs);
    for (let i = 0; i < n; i++) cost += headers.nameLength(i) + headers.valueLength(i) + HEAD_COST_PER_HEADER;
    if (cost > limits.maxHeadCost) return headError(502, 'response head too large');
  }
  if (sem.te && (!sem.chunked || sem.teOther)) return headError(502, 'unsupported Transfer-Encoding');

  const status = sl.status;
  let upgrade: string | null = sem.connUpgrade && sem.upgradeIdx >= 0 ? valueAt(headers, sem.upgradeIdx) : null;
  if (status === 101) {
    const offered = valueAt(headers, sem.upgradeIdx);
    if (offered === null) return headError(502, '101 without Upgrade');
    upgrade = offered;
    if (ctx.requestUpgrade === null) return headError(502, '101 to a request that asked for no upgrade');
    if (ctx.requestUpgrade !== undefined && listHasToken(ctx.requestUpgrade, 'websocket')) {
      const accept = valueAt(headers, sem.wsAcceptIdx);
      if (accept === null || accept === '') return headError(502, 'WebSocket 101 without Sec-WebSocket-Accept');
    }
  }

  let framing: Framing;
  const bodiless =
    status < 200 ||
    status === 204 ||
    status === 304 ||
    requestMethod === 'HEAD' ||
    (requestMethod === 'CONNECT' && status >= 200 && status < 300);
  if (bodiless) {
    framing = FRAMING_NONE;
    if (status === 204) {
      headers.delete('content-length');
      headers.delete('transfer-encoding');
    }
  } else if (sem.chunked) framing = FRAMING_CHUNKED;
  else if (sem.contentLength >= 0) framing = { kind: 'length', length: sem.contentLength };
  else framing = FRAMING_CLOSE;

  const versionMinor: 0 | 1 = sl.isHttp && (sl.major > 1 || (sl.major === 1 && sl.minor >= 1)) ? 1 : 0;
  let keepAlive = versionMinor === 1 ? !sem.connClose : sem.connKeepAlive && !sem.connClose;
  if (framing.kind === 'close' || sem.clAndTe) keepAlive = false;

  const reason = reasonString(buf, sl.rs, sl.re, status);
  // Already "HTTP/1.x SP status SP reason CRLF", as HAProxy writes it: copied while unchanged.
  const canonical =
    sl.isHttp && sl.major === 1 && sl.minor <= 1 && buf[lineStart + 8] === SP && buf[lineStart + 12] === SP && sl.rs === lineStart + 13 && buf[sl.re] === CR;
  return {
    state: 'done',
    head: {
      status,
      reason,
      versionMinor,
      headers,
      framing,
      keepAlive,
      upgrade,
      raw: canonical ? { src: buf, start: lineStart, end: sl.re + 2, a: status, b: reason } : undefined,
    },
    consumed: end,
  };
}
