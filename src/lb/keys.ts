// The keys of `balance uri`, `url_param` and `hdr(name)` taken from request strings (one
// char per byte, as the HTTP codec gives them), the way HAProxy 2.6 takes them (backend.c
// get_server_uh / get_server_ph / get_server_hh). Checked against haproxy 2.6.12's choices
// in test/lb-keyed.test.ts. `undefined` means "no key": the balancer falls back to round robin.

import { TCHAR } from '../http/codec/chars.js';

export interface UriKeyOptions {
  /** `whole`: keep the query string (otherwise the key stops at the first '?'). */
  readonly whole: boolean;
  /** `path-only`: hash the path (and query) without scheme and authority. */
  readonly pathOnly: boolean;
  /** `len N`: at most N bytes are considered (0: no limit); applied before `depth`. */
  readonly len: number;
  /** `depth N`: stop before the (N+1)th '/' (0: no limit). */
  readonly depth: number;
}

/**
 * HAProxy's http_parse_path: origin-form is the path itself; '*' and '' have none; any other
 * target is "[scheme://]authority" followed by the path, which starts at the first '/' after
 * them (a target with nothing after the authority has no path). The query string is kept.
 */
export function pathOfTarget(uri: string): string {
  if (uri === '' || uri === '*') return '';
  if (uri.charCodeAt(0) === 0x2f) return uri;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(uri);
  const slash = uri.indexOf('/', scheme ? scheme[0].length : 0);
  return slash < 0 ? '' : uri.slice(slash);
}

/** `balance uri`: the request-target (or its path), cut by `len`, `depth` and the query string. */
export function uriKey(uri: string, o: UriKeyOptions): string {
  const src = o.pathOnly ? pathOfTarget(uri) : uri;
  const len = o.len > 0 && o.len < src.length ? o.len : src.length;
  let slashes = 0;
  let end = 0;
  for (; end < len; end++) {
    const c = src.charCodeAt(end);
    if (c === 0x2f) {
      if (++slashes === o.depth + 1 && o.depth > 0) break;
    } else if (c === 0x3f && !o.whole) break;
  }
  return src.slice(0, end);
}

/**
 * `balance url_param NAME`: the value of the first `NAME=` parameter of the query string
 * (after the first '?' of the target; parameters separated by '&', no decoding, '#' not
 * special). A parameter without '=' does not match; an empty value is a key ("").
 */
export function urlParamKey(uri: string, name: string): string | undefined {
  const q = uri.indexOf('?');
  if (q < 0) return undefined;
  let at = q + 1;
  while (uri.length - at > name.length) {
    if (uri.charCodeAt(at + name.length) === 0x3d && uri.startsWith(name, at)) {
      const start = at + name.length + 1;
      const amp = uri.indexOf('&', start);
      return uri.slice(start, amp < 0 ? uri.length : amp);
    }
    const amp = uri.indexOf('&', at);
    if (amp < 0) return undefined;
    at = amp + 1;
  }
  return undefined;
}

/**
 * `balance url_param NAME` on a POST whose query string has no NAME: the first `NAME=`
 * parameter of the body the request buffer holds (get_server_ph_post), parameters separated
 * by '&'. The value runs to the next '&' or the end of what is held; HAProxy tests only its
 * first byte: a token character keeps it, whitespace makes the key empty, anything else
 * means the body is no form (no key).
 */
export function urlParamPostKey(body: Buffer, name: string): Buffer | undefined {
  const plen = Buffer.byteLength(name, 'latin1');
  let at = 0;
  while (body.length - at > plen) {
    if (body[at + plen] === 0x3d && body.toString('latin1', at, at + plen) === name) {
      const start = at + plen + 1;
      const amp = body.indexOf(0x26, start);
      const end = amp < 0 ? body.length : amp;
      if (end === start) return body.subarray(start, start);
      const c = body[start]!;
      if (TCHAR[c]) return body.subarray(start, end);
      return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a ? body.subarray(start, start) : undefined;
    }
    const amp = body.indexOf(0x26, at);
    if (amp < 0) return undefined;
    at = amp + 1;
  }
  return undefined;
}

/**
 * `hdr(name) use_domain_only`: from the end, the label before the last dot ("example" of
 * "www.example.com", also of "example.com:8080"); a value whose only dot is its first byte,
 * or without any dot, is kept whole.
 */
export function domainKey(value: string): string {
  let end = value.length;
  let p = value.length;
  let inLabel = false;
  // HAProxy walks back from the end; the byte at index 0 is never tested as the dot.
  for (; p > 0; p--) {
    if (inLabel) {
      if (value.charCodeAt(p - 1) === 0x2e) break;
    } else if (p < value.length && value.charCodeAt(p) === 0x2e) {
      end = p;
      inLabel = true;
    }
  }
  return value.slice(p, end);
}
