// The response side of compression: whether a response is compressed, and its new head.
//
// Rules recorded against haproxy 2.6.12 (an algorithm was negotiated on the request):
// - request and response both HTTP/1.1: an HTTP/1.0 client or server gets the body as is;
// - not for HEAD, and only for status 200, 201, 202 and 203;
// - the body's length must be known and non-zero: Content-Length above 0, or chunked (an empty
//   chunked body is still compressed); a body delimited by the server's close is left alone;
// - never when the response has a Content-Encoding, whatever its value ("identity" too);
// - never when a Cache-Control element is "no-transform" (any case; "no-transformx" is not);
// - never with an ETag that is not `"…"` or `W/"…"`, nor with more than one ETag header;
// - never when the first Content-Type starts with "multipart" (any case); with `compression
//   type` configured, the first Content-Type must start with one of the types, ignoring case
//   ("text/html" covers "TEXT/HTML", "text/html; charset=utf-8" and "text/htmlx"), and a
//   response without Content-Type is not compressed; without types, any type (or none) is.
// The decision is taken on the server's head, before the http-response rules run: a rule that
// changes Content-Type or removes Content-Encoding does not change it.
//
// A compressed response (identity included) loses its Content-Length, is sent chunked, gets a
// strong ETag made weak (`"x"` becomes `W/"x"`), then "Vary: Accept-Encoding" added at the end
// (even when a Vary is there already), then "Content-Encoding: <token>" unless identity.

import type { HeaderList } from '../codec/headers.js';
import type { RequestHead, ResponseHead } from '../codec/types.js';
import { FRAMING_CHUNKED } from '../codec/types.js';
import { listHasToken } from '../codec/chars.js';
import type { Algo } from './algos.js';

/** Whether the response may be compressed, `types` being the effective `compression type` list. */
export function compressible(types: readonly string[], req: RequestHead, res: ResponseHead): boolean {
  if (req.versionMinor !== 1 || res.versionMinor !== 1) return false;
  if (req.method === 'HEAD') return false;
  if (res.status < 200 || res.status > 203) return false;
  const f = res.framing;
  if (!(f.kind === 'chunked' || (f.kind === 'length' && f.length > 0))) return false;
  const h = res.headers;
  if (h.has('content-encoding')) return false;
  if (h.getAll('cache-control').some((v) => listHasToken(v, 'no-transform'))) return false;
  const etags = h.getAll('etag');
  if (etags.length > 1 || (etags.length === 1 && etagKind(etags[0]!) === 'invalid')) return false;
  const ctype = h.get('content-type');
  if (ctype === undefined) return types.length === 0;
  if (startsWithLower(ctype, 'multipart')) return false;
  return types.length === 0 || types.some((t) => startsWithLower(ctype, t));
}

/** Rewrite the head of a response that is being compressed with `algo`. */
export function rewriteHead(algo: Algo, res: ResponseHead): void {
  const h = res.headers;
  h.delete('content-length');
  if (res.framing.kind !== 'chunked') h.add('Transfer-Encoding', 'chunked');
  res.framing = FRAMING_CHUNKED;
  weakenEtag(h);
  h.add('Vary', 'Accept-Encoding');
  // RFC 9110: identity is only meaningful in Accept-Encoding, never sent as a Content-Encoding.
  if (algo.name !== 'identity') h.add('Content-Encoding', algo.token);
}

/** The compressed body is not byte-identical any more: a strong validator would lie. */
function weakenEtag(h: HeaderList): void {
  const i = h.indexOf('etag');
  if (i >= 0 && etagKind(h.value(i)) === 'strong') h.setValue(i, `W/${h.value(i)}`);
}

/** HAProxy's ETag check on the whole header value (a list `"a", "b"` counts as one strong tag). */
function etagKind(v: string): 'strong' | 'weak' | 'invalid' {
  if (v.length < 2 || !v.endsWith('"')) return 'invalid';
  if (v.startsWith('"')) return 'strong';
  return v.startsWith('W/"') ? 'weak' : 'invalid';
}

/** Whether `value` starts with `prefix` (lowercase), ignoring ASCII case. */
function startsWithLower(value: string, prefix: string): boolean {
  if (value.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    let c = value.charCodeAt(i);
    if (c >= 65 && c <= 90) c |= 0x20;
    if (c !== prefix.charCodeAt(i)) return false;
  }
  return true;
}
