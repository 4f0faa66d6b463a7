// Sample fetches reading the HTTP message (manual 7.3.6), with HAProxy 2.6's semantics
// (checked against haproxy 2.6.12, see test/rules-runtime.test.ts):
//  - hdr(name[,occ]) splits values at commas; in an expression it returns the last value (or
//    occurrence occ: 1 = first, -1 = last), in an ACL every value is tried; without a name an
//    expression gets nothing while an ACL tries every value of every header;
//  - fhdr() is the same without splitting; *_cnt count values (fhdr_cnt: lines);
//  - *_val convert the value to an integer (leading digits), *_ip to an address (IPv4 with an
//    optional ":port", or IPv6), skipping values that are no address;
//  - hdr() and cookie() read the rule set's direction; hdr_* ACL keywords are request ones;
//  - cook(name) gives the last cookie of that name, without a name the first cookie; an ACL
//    tries them all; res.cook reads the first pair of each Set-Cookie line;
//  - url_param(name[,delim]) reads the query string after the first <delim> ('?' when not
//    given); parameters are separated by '&', ';' or <delim>; the first one named <name>
//    (the first one when no name) wins, an ACL tries them all; values are not decoded;
//  - path/pathq skip the scheme and authority of an absolute-form target; base is the first
//    Host line plus the path (or just one of them); base32/url32 are sdbm with avalanche;
//  - req.body* read the body bytes the stream holds when the rule runs (chunk framing
//    removed, at most what HAProxy's buffer holds); req.body_param parses them like a query
//    string with '&' as its delimiter (';' separates too), values not decoded.

import { single, RuleCompileError, type CompiledFetch, type FetchImpl } from './context.js';
import { headerValues, parseCookies, pickOccurrence, type Cookie } from './headers.js';
import { parseIpv4, parseIpv6, readInt64, sint, str, bool, bin, type Sample } from './sample.js';
import { pathAndQuery, uriPath, uriQuery } from './uri.js';
import { fullHash, sdbm } from './hash.js';
import type { HeaderAccess, RequestBody, Txn } from './txn.js';

type Dir = 'req' | 'res';

const headersOf = (txn: Txn, dir: Dir): HeaderAccess | null => (dir === 'req' ? txn.req?.headers : txn.res?.headers) ?? null;

function occArg(args: readonly string[]): number {
  const a = args[1];
  if (a === undefined || a === '') return 0;
  if (!/^[+-]?[0-9]+$/.test(a)) throw new RuleCompileError(`'${a}' is not an integer`);
  return Number(a);
}

/** Values of a header with expression/ACL semantics, mapped through `conv` (null = skip). */
function headerFetch(dir: Dir | 'ctx', full: boolean, conv: (v: string) => Sample | null): FetchImpl {
  return (args, ctx) => {
    const d: Dir = dir === 'ctx' ? ctx.dir : dir;
    const name = args[0] ? args[0].toLowerCase() : null;
    const occ = occArg(args);
    const values = (txn: Txn): string[] => {
      const h = headersOf(txn, d);
      return h ? headerValues(h, name, full) : [];
    };
    return {
      one(txn) {
        if (name === null && occ === 0) return null;
        const v = pickOccurrence(values(txn), occ === 0 ? -1 : occ);
        return v === undefined ? null : conv(v);
      },
      all(txn) {
        const vs = values(txn);
        const picked = occ === 0 ? vs : [pickOccurrence(vs, occ)].filter((x): x is string => x !== undefined);
        const out: Sample[] = [];
        for (const v of picked) {
          const s = conv(v);
          if (s) out.push(s);
        }
        return out;
      },
    };
  };
}

function countFetch(dir: Dir | 'ctx', full: boolean): FetchImpl {
  return (args, ctx) => {
    const d: Dir = dir === 'ctx' ? ctx.dir : dir;
    const name = args[0] ? args[0].toLowerCase() : null;
    return single((txn) => {
      const h = headersOf(txn, d);
      return h ? sint(headerValues(h, name, full).length) : null;
    });
  };
}

function namesFetch(dir: Dir): FetchImpl {
  return (args) => {
    const delim = args[0] ? args[0][0]! : ',';
    return single((txn) => {
      const h = headersOf(txn, dir);
      if (!h) return null;
      const names: string[] = [];
      for (let i = 0; i < h.count; i++) names.push(h.name(i).toLowerCase());
      return str(names.join(delim));
    });
  };
}

const asStr = (v: string): Sample => str(v);
const asInt = (v: string): Sample => sint(v === '' ? 0n : readInt64(v));

/** hdr_ip: IPv4 (optionally followed by ":port") or IPv6, else no value. */
function asIp(v: string): Sample | null {
  const m = /^([0-9.]+)(?::([0-9]{1,5}))?$/.exec(v);
  if (m && (m[2] === undefined || Number(m[2]) <= 65535)) {
    const b = parseIpv4(m[1]!);
    if (b) return { type: 'ipv4', value: b };
  }
  const b6 = parseIpv6(v);
  return b6 ? { type: 'ipv6', value: b6 } : null;
}

// ---------------------------------------------------------------------------------------------
// Cookies

function cookies(txn: Txn, dir: Dir): Cookie[] {
  const h = headersOf(txn, dir);
  if (!h) return [];
  const out: Cookie[] = [];
  for (const line of h.getAll(dir === 'req' ? 'cookie' : 'set-cookie')) out.push(...parseCookies(line, dir === 'req'));
  return out;
}

function cookieFetch(dir: Dir | 'ctx', conv: (v: string) => Sample | null): FetchImpl {
  return (args, ctx) => {
    const d: Dir = dir === 'ctx' ? ctx.dir : dir;
    const name = args[0] ?? '';
    return {
      one(txn) {
        const all = cookies(txn, d);
        const c = name === '' ? all[0] : all.filter((x) => x.name === name).pop();
        return c ? conv(c.value) : null;
      },
      all(txn) {
        const out: Sample[] = [];
        for (const c of cookies(txn, d)) {
          if (name !== '' && c.name !== name) continue;
          const s = conv(c.value);
          if (s) out.push(s);
        }
        return out;
      },
    };
  };
}

function cookieCount(dir: Dir): FetchImpl {
  return (args) => {
    const name = args[0] ?? '';
    return single((txn) => {
      const h = headersOf(txn, dir);
      if (!h) return null;
      return sint(cookies(txn, dir).filter((c) => name === '' || c.name === name).length);
    });
  };
}

// ---------------------------------------------------------------------------------------------
// URL parameters

function urlParams(uri: string, delim: string | null): { name: string; value: string | null }[] {
  // HAProxy's <delim> defaults to '?': it both starts the list and separates parameters.
  const d = delim ?? '?';
  const at = uri.indexOf(d);
  return at < 0 ? [] : paramList(uri, at + 1, d);
}

/** The parameters of `s` from `start`, separated by '&', ';' or `d`. */
function paramList(s: string, start: number, d: string): { name: string; value: string | null }[] {
  const out: { name: string; value: string | null }[] = [];
  let cur = start;
  const isSep = (c: string): boolean => c === '&' || c === ';' || c === d;
  for (let i = start; i <= s.length; i++) {
    if (i === s.length || isSep(s[i]!)) {
      const p = s.slice(cur, i);
      const eq = p.indexOf('=');
      out.push(eq < 0 ? { name: p, value: null } : { name: p.slice(0, eq), value: p.slice(eq + 1) });
      cur = i + 1;
    }
  }
  return out;
}

function urlParamFetch(conv: (v: string) => Sample | null): FetchImpl {
  return (args) => {
    const delim = args[1] ? args[1][0]! : null;
    return paramFetch(args[0] ?? '', conv, (txn) => (txn.req ? urlParams(txn.req.uri, delim) : []));
  };
}

/** The first parameter named `name` (any with a value when no name), or all of them for an ACL. */
function paramFetch(name: string, conv: (v: string) => Sample | null, params: (txn: Txn) => { name: string; value: string | null }[]): CompiledFetch {
  const matching = (txn: Txn): string[] =>
    params(txn)
      .filter((p) => p.value !== null && (name === '' || p.name === name))
      .map((p) => p.value!);
  return {
    one(txn) {
      const v = matching(txn)[0];
      return v === undefined ? null : conv(v);
    },
    all(txn) {
      const out: Sample[] = [];
      for (const v of matching(txn)) {
        const s = conv(v);
        if (s) out.push(s);
      }
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The request body (7.3.6 req.body*): what the stream holds of it when the rule runs, all of
// it with `option http-buffer-request` (src/http/request-body.ts).

const bodyFetch = (f: (b: RequestBody) => Sample | null): FetchImpl => () =>
  single((txn) => {
    const b = txn.reqBody?.();
    return b ? f(b) : null;
  });

/** req.body_param(name): the body read as a query string ('&' and ';' separate), values not decoded. */
const bodyParamFetch: FetchImpl = (args) =>
  paramFetch(args[0] ?? '', asStr, (txn) => {
    const b = txn.reqBody?.();
    return b ? paramList(b.data.toString('latin1'), 0, '&') : [];
  });

// ---------------------------------------------------------------------------------------------

const req = (f: (txn: Txn & { req: NonNullable<Txn['req']> }) => Sample | null): FetchImpl => () =>
  single((txn) => (txn.req ? f(txn as Txn & { req: NonNullable<Txn['req']> }) : null));

function baseOf(txn: Txn, withQuery: boolean): string | null {
  if (!txn.req) return null;
  const host = txn.req.headers.getAll('host')[0];
  const pq = pathAndQuery(txn.req.uri);
  let p: string | null = pq;
  if (pq !== null && !withQuery) {
    const q = pq.indexOf('?');
    p = q < 0 ? pq : pq.slice(0, q);
  }
  if (host === undefined) return p;
  return host.trim() + (p ?? '');
}

const hash32 = (s: string): Sample => sint(fullHash(sdbm(Buffer.from(s, 'latin1'))));

const hdrStr = headerFetch('req', false, asStr);
const resHdrStr = headerFetch('res', false, asStr);

export const HTTP_FETCHES: Readonly<Record<string, FetchImpl>> = {
  method: req((t) => ({ type: 'meth', value: t.req.method })),
  path: req((t) => {
    const p = uriPath(t.req.uri);
    return p === null ? null : str(p);
  }),
  pathq: req((t) => {
    const p = pathAndQuery(t.req.uri);
    return p === null ? null : str(p);
  }),
  query: req((t) => {
    const q = uriQuery(t.req.uri);
    return q === null ? null : str(q);
  }),
  url: req((t) => str(t.req.uri)),
  base: req((t) => {
    const b = baseOf(t, false);
    return b === null ? null : str(b);
  }),
  baseq: req((t) => {
    const b = baseOf(t, true);
    return b === null ? null : str(b);
  }),
  base32: req((t) => {
    const b = baseOf(t, false);
    return b === null ? null : hash32(b);
  }),
  url32: req((t) => {
    const host = t.req.headers.getAll('host')[0];
    return hash32((host !== undefined ? host.trim() : '') + t.req.uri);
  }),
  'req.ver': req((t) => str(`1.${t.req.versionMinor}`)),
  req_ver: req((t) => str(`1.${t.req.versionMinor}`)),
  'req.proto_http': req(() => bool(true)),
  req_proto_http: req(() => bool(true)),
  'res.ver': () => single((txn) => (txn.res ? str(`1.${txn.res.versionMinor}`) : null)),
  resp_ver: () => single((txn) => (txn.res ? str(`1.${txn.res.versionMinor}`) : null)),
  status: () => single((txn) => (txn.res ? sint(txn.res.status) : null)),
  // headers
  hdr: headerFetch('ctx', false, asStr),
  'req.hdr': hdrStr,
  'res.hdr': resHdrStr,
  shdr: resHdrStr,
  'req.fhdr': headerFetch('req', true, asStr),
  'res.fhdr': headerFetch('res', true, asStr),
  hdr_cnt: countFetch('req', false),
  'req.hdr_cnt': countFetch('req', false),
  'res.hdr_cnt': countFetch('res', false),
  shdr_cnt: countFetch('res', false),
  'req.fhdr_cnt': countFetch('req', true),
  'res.fhdr_cnt': countFetch('res', true),
  hdr_val: headerFetch('req', false, asInt),
  'req.hdr_val': headerFetch('req', false, asInt),
  'res.hdr_val': headerFetch('res', false, asInt),
  shdr_val: headerFetch('res', false, asInt),
  hdr_ip: headerFetch('req', false, asIp),
  'req.hdr_ip': headerFetch('req', false, asIp),
  'res.hdr_ip': headerFetch('res', false, asIp),
  shdr_ip: headerFetch('res', false, asIp),
  'req.hdr_names': namesFetch('req'),
  'res.hdr_names': namesFetch('res'),
  // cookies
  cook: cookieFetch('req', asStr),
  'req.cook': cookieFetch('req', asStr),
  cookie: cookieFetch('ctx', asStr),
  'res.cook': cookieFetch('res', asStr),
  scook: cookieFetch('res', asStr),
  cook_cnt: cookieCount('req'),
  'req.cook_cnt': cookieCount('req'),
  'res.cook_cnt': cookieCount('res'),
  scook_cnt: cookieCount('res'),
  cook_val: cookieFetch('req', asInt),
  'req.cook_val': cookieFetch('req', asInt),
  'res.cook_val': cookieFetch('res', asInt),
  scook_val: cookieFetch('res', asInt),
  // URL parameters
  url_param: urlParamFetch(asStr),
  urlp: urlParamFetch(asStr),
  urlp_val: urlParamFetch(asInt),
  // request body
  'req.body': bodyFetch((b) => bin(b.data)),
  'req.body_len': bodyFetch((b) => sint(b.data.length)),
  'req.body_size': bodyFetch((b) => sint(b.size)),
  'req.body_param': bodyParamFetch,
};
