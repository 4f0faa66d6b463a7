// Layer-6 fetches (manual 7.3.5): what a TCP-mode stream has buffered, read by tcp-request /
// tcp-response content rules, use_backend and use-server. The TCP session keeps the bytes in
// Txn.l4 (src/dataplane/tcp-inspect.ts); HTTP-mode transactions have none.
//
// Facts (haproxy 2.6.12, src/payload.c's behaviour; test/tcp-rules.test.ts runs the same
// configs through both):
//  - a fetch that lacks bytes fails "for now" (SMP_F_MAY_CHANGE): while the rules are not
//    final the condition cannot decide and the rules wait for more data; once final (delay
//    over, buffer full, input closed, or no inspect-delay) it simply fails;
//  - req.len always "may change"; payload(o,0) (to the end) may change while input may come;
//    payload(o,l) with l > 0 and the TLS/RDP parsers decide as soon as their bytes are there;
//  - malformed input (not a TLS record, no such cookie) fails at once: the rules go on;
//  - the TLS parsers want the handshake message's length from the record start (not counting
//    the 4-byte handshake header), as HAProxy checks it;
//  - in HTTP mode the payload fetches find nothing (HAProxy: "meaningless for HTX buffers"),
//    and req.len/res.len, which HAProxy approximates from its HTX block sizes, are refused.

import { single, RuleCompileError, type CompiledFetch, type FetchImpl } from './context.js';
import { bin, bool, readInt64, sint, str, type Sample } from './sample.js';
import type { L4Content, Txn } from './txn.js';

type Dir = 'req' | 'res';

/** The fetch cannot decide yet: mark the evaluation undecided unless it is the final one. */
function undecided(l4: L4Content): null {
  if (!l4.final) l4.miss = true;
  return null;
}

const dataOf = (l4: L4Content, dir: Dir): Buffer => (dir === 'req' ? l4.req : l4.res);
const openOf = (l4: L4Content, dir: Dir): boolean => (dir === 'req' ? l4.reqOpen : l4.resOpen);

/** A fetch over one channel's bytes; null in HTTP mode. */
function onChannel(dir: Dir, f: (d: Buffer, l4: L4Content) => Sample | null): CompiledFetch {
  return single((txn: Txn) => (txn.l4 ? f(dataOf(txn.l4, dir), txn.l4) : null));
}

/** An unsigned argument as HAProxy reads a negative one: huge, so out of any buffer. */
function uintArg(args: readonly string[], i: number): number {
  const a = args[i] ?? '';
  if (!/^[+-]?[0-9]+$/.test(a)) throw new RuleCompileError(`'${a}' is not an integer`);
  const v = Number(a);
  return v < 0 ? Number.MAX_SAFE_INTEGER : v;
}

function len(name: string, dir: Dir): FetchImpl {
  return (_a, ctx) => {
    if (ctx.proxy.mode === 'http') throw new RuleCompileError(`fetch '${name}' is not implemented yet in HTTP mode`);
    return onChannel(dir, (d, l4) => {
      undecided(l4); // the length can always still grow
      return sint(d.length);
    });
  };
}

function payload(dir: Dir | null): FetchImpl {
  return (args, ctx) => {
    const off = uintArg(args, 0);
    const size = uintArg(args, 1);
    return onChannel(dir ?? ctx.dir, (d, l4) => {
      if (size > l4.bufsize || off + size > l4.bufsize) return null; // can never match
      if (off + size > d.length) return undecided(l4);
      if (size === 0 && openOf(l4, dir ?? ctx.dir)) undecided(l4);
      return bin(d.subarray(off, size ? off + size : d.length));
    });
  };
}

function payloadLv(dir: Dir | null): FetchImpl {
  return (args, ctx) => {
    const lenOff = uintArg(args, 0);
    const lenSize = uintArg(args, 1);
    // The third argument: absolute, or relative to the data after the length when signed.
    const third = args[2] ?? '';
    const rel = third.startsWith('+') || third.startsWith('-');
    const shift = third === '' ? null : Number(readInt64(third));
    return onChannel(dir ?? ctx.dir, (d, l4) => {
      if (lenOff + lenSize > d.length) return undecided(l4);
      let size = 0;
      for (let i = 0; i < lenSize; i++) size = size * 256 + d[lenOff + i]!;
      let off = lenOff + lenSize;
      if (shift !== null) off = rel ? off + shift : shift;
      if (!size || size > l4.bufsize || off + size > l4.bufsize) return null;
      if (off + size > d.length) return undecided(l4);
      return bin(d.subarray(off, off + size));
    });
  };
}

// ---------------------------------------------------------------------------------------------
// TLS ClientHello

type Parse<T> = T | 'short' | 'not';

/**
 * Walk a ClientHello's extensions as HAProxy's parsers do: `visit(type, at, len, left)` gets
 * each extension (at: its header's offset, left: the list bytes from it on) and returns a
 * result to stop, 'not' for a malformed one, or undefined to go on.
 */
function helloExtensions<T>(d: Buffer, visit: (type: number, at: number, len: number, left: number) => Parse<T> | undefined): Parse<T> {
  const b = (i: number): number => d[i] ?? 0;
  if (d.length < 1) return 'short';
  if (b(0) !== 0x16) return 'not';
  if (d.length < 3) return 'short';
  if (b(1) < 0x03) return 'not';
  if (d.length < 5) return 'short';
  if (((b(3) << 8) | b(4)) < 47) return 'not'; // too short to hold an extension
  let left = d.length - 5;
  let p = 5;
  if (left < 1) return 'short';
  if (b(p) !== 0x01) return 'not'; // ClientHello
  if (left < 4) return 'short';
  let hs = (b(p + 1) << 16) | (b(p + 2) << 8) | b(p + 3);
  if (hs < 45) return 'not';
  if (left < hs) return 'short';
  p += 4;
  if (b(p) < 0x03 || b(p + 1) < 0x01) return 'not'; // TLSv1 minimum
  let n = b(p + 34); // session id
  if (n > 32 || n > hs - 35) return 'not';
  hs -= 35 + n;
  p += 35 + n;
  if (hs < 4 || (n = (b(p) << 8) | b(p + 1)) < 2 || n > hs) return 'not'; // cipher suites
  hs -= 2 + n;
  p += 2 + n;
  n = b(p); // compression methods
  if (hs < 2 || n < 1 || n > hs) return 'not';
  hs -= 1 + n;
  p += 1 + n;
  if (hs < 2 || (n = (b(p) << 8) | b(p + 1)) > hs - 2) return 'not';
  hs = n;
  p += 2;
  while (hs >= 4) {
    const type = (b(p) << 8) | b(p + 1);
    const len = (b(p + 2) << 8) | b(p + 3);
    if (len > hs - 4) return 'not';
    const r = visit(type, p, len, hs);
    if (r !== undefined) return r;
    hs -= 4 + len;
    p += 4 + len;
  }
  return 'not';
}

/** A parse result as a sample: 'short' may change, 'not' fails for good. */
function settle(r: Parse<Sample>, l4: L4Content): Sample | null {
  if (r === 'short') return undecided(l4);
  return r === 'not' ? null : r;
}

const latin1 = (d: Buffer, from: number, to: number): string => d.toString('latin1', from, Math.min(to, d.length));

function sni(d: Buffer): Parse<Sample> {
  return helloExtensions(d, (type, p, len, left) => {
    if (type !== 0) return undefined;
    if (len < 2) return 'not';
    const list = (d[p + 4]! << 8) | d[p + 5]!;
    if (list < 4 || list > left - 6) return 'not';
    if (d[p + 6] !== 0) return undefined; // not a host_name entry
    return str(latin1(d, p + 9, p + 9 + ((d[p + 7]! << 8) | d[p + 8]!)));
  });
}

/** Every ALPN protocol name, in the client's order (HAProxy iterates them). */
function alpn(d: Buffer): Parse<Sample[]> {
  return helloExtensions<Sample[]>(d, (type, p, len) => {
    if (type !== 16) return undefined;
    if (len < 3) return 'not';
    const names: Sample[] = [];
    for (let at = 6; ; ) {
      const n = d[p + at] ?? 0;
      if (n + at - 3 > len) return names.length ? names : 'not';
      names.push(str(latin1(d, p + at + 1, p + at + 1 + n)));
      if (n + at - 3 >= len) return names;
      at += n + 1;
    }
  });
}

function helloType(d: Buffer): Parse<Sample> {
  if (d.length < 1) return 'short';
  if (!((d[0]! >= 0x14 && d[0]! <= 0x17) || d[0] === 0xff)) return 'not';
  if (d.length < 9) return 'short';
  if (((d[1]! << 16) | d[2]!) < 0x30000) return 'not';
  if (((d[3]! << 8) | d[4]!) < 4) return 'not';
  const len = (d[6]! << 16) | (d[7]! << 8) | d[8]!;
  return d.length < 9 + len ? 'short' : sint(d[5]!);
}

/** The ClientHello's version (SSLv3+ records, or an SSLv2-format hello), once the whole record is in. */
function sslVersion(d: Buffer, limit: number): Parse<Sample> {
  const b = (i: number): number => d[i] ?? 0;
  let left = d.length;
  if (!left) return 'short';
  let version: number;
  let msgLen: number;
  if ((b(0) >= 0x14 && b(0) <= 0x17) || b(0) === 0xff) {
    if (left < 11) return 'short';
    if (((b(1) << 16) | b(2)) < 0x30000) return 'not';
    msgLen = (b(3) << 8) | b(4);
    if (msgLen < 6 || msgLen > (1 << 14) + 2048) return 'not';
    left -= 5;
    version = (b(9) << 16) | b(10); // the hello's version, not the record layer's
  } else {
    let p: number;
    let rlen: number;
    let plen: number;
    if (b(0) & 0x80) {
      if (left < 3) return 'short';
      rlen = ((b(0) & 0x7f) << 8) | b(1);
      plen = 0;
      left -= 2;
      p = 2;
    } else {
      if (left < 4) return 'short';
      rlen = ((b(0) & 0x3f) << 8) | b(1);
      plen = b(2);
      left -= 3;
      p = 3;
    }
    if (b(p) !== 0x01) return 'not';
    left--;
    p++;
    if (left < 8) return 'short';
    version = (b(p) << 16) | b(p + 1);
    const ci = (b(p + 2) << 8) | b(p + 3);
    const si = (b(p + 4) << 8) | b(p + 5);
    const ch = (b(p + 6) << 8) | b(p + 7);
    left -= 8;
    if (ci % 3 !== 0 || (si && si !== 16) || ch < 16 || ch > 32 || rlen !== 9 + ci + si + ch) return 'not';
    msgLen = ci + si + ch + plen;
  }
  // Only what the buffer can hold is waited for.
  return left < Math.min(msgLen, limit) ? 'short' : sint(version);
}

// ---------------------------------------------------------------------------------------------
// RDP cookie: "Cookie: NAME=VALUE\r\n" after the 11-byte TPKT + X.224 headers.

function rdpCookie(d: Buffer, name: string): Parse<Sample> {
  let p = 11;
  let left = d.length - 11;
  if (d.length <= 11 || left <= 7) return 'short';
  if (latin1(d, p, p + 7).toLowerCase() !== 'cookie:') return 'not';
  p += 7;
  left -= 7;
  while (left > 0 && d[p] === 0x20) {
    p++;
    left--;
  }
  if (name) {
    if (left <= name.length) return 'short';
    if (d[p + name.length] !== 0x3d || latin1(d, p, p + name.length).toLowerCase() !== name.toLowerCase()) return 'not';
    p += name.length + 1;
    left -= name.length + 1;
  } else {
    while (left > 0 && d[p] !== 0x3d) {
      if (d[p] === 0x0d || d[p] === 0x0a) return 'not';
      p++;
      left--;
    }
    if (left < 1) return 'short';
    p++;
    left--;
  }
  const start = p;
  while (left > 0 && d[p] !== 0x0d) {
    p++;
    left--;
  }
  if (left < 2) return 'short';
  if (d[p + 1] !== 0x0a) return 'not';
  return str(latin1(d, start, p));
}

/** The RDP cookie value `balance rdp-cookie(NAME)` hashes, when the request has one. */
export function rdpCookieValue(d: Buffer, name: string): string | null {
  const r = rdpCookie(d, name);
  return typeof r === 'object' && r.type === 'str' && r.value !== '' ? r.value : null;
}

// ---------------------------------------------------------------------------------------------

function tls(dir: Dir, parse: (d: Buffer) => Parse<Sample>): FetchImpl {
  return () => onChannel(dir, (d, l4) => settle(parse(d), l4));
}

function alpnFetch(): CompiledFetch {
  const all = (txn: Txn): Sample[] => {
    const l4 = txn.l4;
    if (!l4) return [];
    const r = alpn(l4.req);
    if (r === 'short') undecided(l4);
    return typeof r === 'string' ? [] : r;
  };
  return { one: (txn) => all(txn)[0] ?? null, all };
}

function rdp(count: boolean): FetchImpl {
  return (args) => {
    const name = args[0] ?? '';
    return single((txn) => {
      const l4 = txn.l4;
      // HTTP mode: no cookie, so the count is a plain 0 (HAProxy's answer on HTX streams).
      if (!l4) return count ? sint(0) : null;
      const r = rdpCookie(l4.req, name);
      if (r === 'short') return undecided(l4);
      if (!count) return r === 'not' ? null : r;
      return sint(r === 'not' ? 0 : 1);
    });
  };
}

const helloTypeFetch = (dir: Dir): FetchImpl => tls(dir, helloType);
const sniFetch = tls('req', sni);
const verFetch: FetchImpl = () => onChannel('req', (d, l4) => settle(sslVersion(d, l4.limit), l4));
const ecExt = tls('req', (d) => helloExtensions(d, (t) => (t === 10 ? bool(true) : undefined)));
const stExt = tls('req', (d) => helloExtensions(d, (t, _p, l) => (t === 35 ? sint(l > 0 ? 2 : 1) : undefined)));

export const PAYLOAD_FETCHES: Readonly<Record<string, FetchImpl>> = {
  'req.len': len('req.len', 'req'),
  req_len: len('req_len', 'req'),
  'res.len': len('res.len', 'res'),
  payload: payload(null),
  'req.payload': payload('req'),
  'res.payload': payload('res'),
  payload_lv: payloadLv(null),
  'req.payload_lv': payloadLv('req'),
  'res.payload_lv': payloadLv('res'),
  'req.ssl_hello_type': helloTypeFetch('req'),
  req_ssl_hello_type: helloTypeFetch('req'),
  'res.ssl_hello_type': helloTypeFetch('res'),
  rep_ssl_hello_type: helloTypeFetch('res'),
  'req.ssl_sni': sniFetch,
  req_ssl_sni: sniFetch,
  'req.ssl_ver': verFetch,
  req_ssl_ver: verFetch,
  'req.ssl_alpn': alpnFetch,
  'req.ssl_ec_ext': ecExt,
  'req.ssl_st_ext': stExt,
  'req.rdp_cookie': rdp(false),
  rdp_cookie: rdp(false),
  'req.rdp_cookie_cnt': rdp(true),
  rdp_cookie_cnt: rdp(true),
  // True once the rules are final: makes them wait for the whole inspect-delay.
  wait_end: () => single((txn) => (txn.l4 && !txn.l4.final ? undecided(txn.l4) : bool(true))),
};
