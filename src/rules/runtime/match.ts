// ACL match methods and the pattern sets shared with the map converters, with HAProxy 2.6's
// semantics (checked against haproxy 2.6.12, see test/rules-runtime.test.ts):
//  - found: a value exists; bool: the value cast to an integer is not 0 (patterns ignored);
//  - int: patterns "N", "A:B", ":B", "A:", each optionally preceded by an operator word
//    (eq ge gt le lt) that stays in effect for the following patterns;
//  - len: the same patterns against the string length;
//  - ip: "addr[/mask]" (bits or dotted mask, IPv6 with bits); an IPv4 sample also matches
//    v4-mapped IPv6 patterns, and a v4-mapped/6to4 IPv6 sample matches IPv4 patterns;
//  - bin: hex patterns compared with the whole binary sample;
//  - str/beg/end/sub: exact/prefix/suffix/substring, ASCII case-insensitive with -i;
//  - reg: a regular expression searched anywhere, -i makes it case-insensitive;
//  - dir/dom: the pattern (its own leading/trailing delimiters stripped) must appear between
//    delimiters or the string's ends: '/' and '?' for dir, '/', '?', '.' and ':' for dom;
//  - the `method` fetch: a pattern naming a well-known method (GET HEAD POST PUT DELETE
//    CONNECT OPTIONS TRACE) matches that method exactly; other patterns only match other
//    methods, by string (-i honoured), so "-i get" never matches GET.
// Map lookups: str returns the first entry with that key, beg and ip the longest matching
// prefix, the other methods the first matching entry in file order.

import type { MatchMethod } from '../types.js';
import { RuleCompileError } from './context.js';
import { cast, parseIpv4, parseIpv6, toStr, v4tov6, v6tov4, type Sample } from './sample.js';

export type LookupMethod = MatchMethod | 'regm';

export interface PatternOpts {
  readonly icase: boolean;
}

export interface Hit<V> {
  readonly value: V;
  /** For reg/regm: the match groups ([0] = whole match). */
  readonly groups?: RegExpExecArray;
}

export interface PatternSet<V> {
  lookup(s: Sample): Hit<V> | undefined;
  readonly size: number;
}

export interface Entry<V> {
  readonly pattern: string;
  readonly value: V;
}

const KNOWN_METHODS: ReadonlySet<string> = new Set(['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT']);

export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

// ---------------------------------------------------------------------------------------------
// Regular expressions

/**
 * Compile a PCRE pattern into a JS RegExp. The common syntax is shared; the PCRE-only anchors
 * \A, \z and \Z are translated, other PCRE-only constructs are refused here.
 */
export function compileRegex(src: string, icase: boolean, global = false, where = 'regex'): RegExp {
  let s = src;
  let flags = icase ? 'i' : '';
  if (s.startsWith('(?i)')) {
    s = s.slice(4);
    flags = 'i';
  }
  s = s.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  try {
    return new RegExp(s, flags + (global ? 'g' : ''));
  } catch (e) {
    throw new RuleCompileError(`${where} '${src}' : ${e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Integers

interface Range {
  readonly min: bigint | null;
  readonly max: bigint | null;
}

function parseIntWord(w: string, what: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(w)) throw new RuleCompileError(`'${what}' is not a valid integer pattern`);
  return BigInt(w);
}

/** Parse int/len patterns with their operator words. */
export function parseIntPatterns(words: readonly string[]): Range[] {
  const out: Range[] = [];
  let op: 'eq' | 'ge' | 'gt' | 'le' | 'lt' = 'eq';
  for (const w of words) {
    if (w === 'eq' || w === 'ge' || w === 'gt' || w === 'le' || w === 'lt') {
      op = w;
      continue;
    }
    const colon = w.indexOf(':');
    if (colon >= 0) {
      const a = w.slice(0, colon);
      const b = w.slice(colon + 1);
      out.push({ min: a === '' ? null : parseIntWord(a, w), max: b === '' ? null : parseIntWord(b, w) });
      continue;
    }
    const v = parseIntWord(w, w);
    switch (op) {
      case 'eq':
        out.push({ min: v, max: v });
        break;
      case 'ge':
        out.push({ min: v, max: null });
        break;
      case 'gt':
        out.push({ min: v + 1n, max: null });
        break;
      case 'le':
        out.push({ min: null, max: v });
        break;
      case 'lt':
        out.push({ min: null, max: v - 1n });
        break;
    }
  }
  return out;
}

const inRange = (r: Range, v: bigint): boolean => (r.min === null || v >= r.min) && (r.max === null || v <= r.max);

// ---------------------------------------------------------------------------------------------
// IP networks

interface Net {
  readonly v6: boolean;
  readonly addr: Buffer;
  readonly bits: number;
}

function maskBits(b: Buffer): number | null {
  let bits = 0;
  let seenZero = false;
  for (const byte of b) {
    for (let i = 7; i >= 0; i--) {
      if (byte & (1 << i)) {
        if (seenZero) return null;
        bits++;
      } else seenZero = true;
    }
  }
  return bits;
}

export function parseNet(p: string): Net {
  const slash = p.indexOf('/');
  const host = slash < 0 ? p : p.slice(0, slash);
  const mask = slash < 0 ? null : p.slice(slash + 1);
  const v4 = parseIpv4(host);
  if (v4) {
    let bits = 32;
    if (mask !== null) {
      if (/^[0-9]{1,2}$/.test(mask) && Number(mask) <= 32) bits = Number(mask);
      else {
        const m = parseIpv4(mask);
        const b = m ? maskBits(m) : null;
        if (b === null) throw new RuleCompileError(`'${p}' is not a valid IPv4 or IPv6 address`);
        bits = b;
      }
    }
    return { v6: false, addr: applyMask(v4, bits), bits };
  }
  const v6 = parseIpv6(host);
  if (v6) {
    let bits = 128;
    if (mask !== null) {
      if (!/^[0-9]{1,3}$/.test(mask) || Number(mask) > 128) throw new RuleCompileError(`'${p}' is not a valid IPv4 or IPv6 address`);
      bits = Number(mask);
    }
    return { v6: true, addr: applyMask(v6, bits), bits };
  }
  throw new RuleCompileError(`'${p}' is not a valid IPv4 or IPv6 address`);
}

export function applyMask(addr: Buffer, bits: number): Buffer {
  const out = Buffer.from(addr);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = out[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

function netContains(n: Net, addr: Buffer): boolean {
  return applyMask(addr, n.bits).equals(n.addr);
}

// ---------------------------------------------------------------------------------------------
// Words (dir, dom)

const DIR_DELIMS = '/?';
const DOM_DELIMS = '/?.:';

function stripDelims(p: string, delims: string): string {
  let a = 0;
  let b = p.length;
  while (a < b && delims.includes(p[a]!)) a++;
  while (b > a && delims.includes(p[b - 1]!)) b--;
  return p.slice(a, b);
}

/** The pattern appears in `s`, starting at its beginning or after a delimiter, and ending at
 * its end or before a delimiter. `pat` is already stripped (and lower-cased with icase). */
function matchWord(s: string, pat: string, delims: string, icase: boolean): boolean {
  if (pat === '' || pat.length > s.length) return false;
  const hay = icase ? asciiLower(s) : s;
  let mayMatch = true;
  const last = hay.length - pat.length;
  for (let i = 0; i <= last; i++) {
    const c = hay[i]!;
    if (delims.includes(c)) {
      mayMatch = true;
      continue;
    }
    if (!mayMatch) continue;
    if (hay.startsWith(pat, i) && (i === last || delims.includes(hay[i + pat.length]!))) return true;
    mayMatch = false;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

function hexPattern(p: string): Buffer {
  if (p.length % 2 || !/^[0-9A-Fa-f]*$/.test(p)) throw new RuleCompileError(`'${p}' is not a valid binary (hex) pattern`);
  return Buffer.from(p, 'hex');
}

/**
 * Build a pattern set. `entries` are in file/declaration order; int/len entries may include
 * operator words (ACLs only: pass them as entries, their value is ignored).
 */
export function buildPatternSet<V>(method: LookupMethod, entries: readonly Entry<V>[], opts: PatternOpts): PatternSet<V> {
  const icase = opts.icase;
  const size = entries.length;
  switch (method) {
    case 'found':
      return { size, lookup: () => (entries.length ? { value: entries[0]!.value } : undefined) };
    case 'bool':
      return {
        size,
        lookup: (s) => {
          const b = cast(s, 'bool');
          return b && b.type === 'bool' && b.value && entries.length ? { value: entries[0]!.value } : undefined;
        },
      };
    case 'int':
    case 'len': {
      const ranges: { range: Range; value: V }[] = [];
      let pendingOps: string[] = [];
      for (const e of entries) {
        if (['eq', 'ge', 'gt', 'le', 'lt'].includes(e.pattern)) {
          pendingOps = [e.pattern];
          continue;
        }
        const [range] = parseIntPatterns([...pendingOps, e.pattern]);
        ranges.push({ range: range!, value: e.value });
      }
      return {
        size,
        lookup: (s) => {
          let v: bigint;
          if (method === 'len') {
            const t = toStr(s);
            if (t === null) return undefined;
            v = BigInt(t.length);
          } else {
            const c = cast(s, 'sint');
            if (!c || c.type !== 'sint') return undefined;
            v = c.value;
          }
          for (const r of ranges) if (inRange(r.range, v)) return { value: r.value };
          return undefined;
        },
      };
    }
    case 'ip': {
      const nets = entries.map((e) => ({ net: parseNet(e.pattern), value: e.value }));
      return {
        size,
        lookup: (s) => {
          const a = cast(s, 'addr');
          if (!a || (a.type !== 'ipv4' && a.type !== 'ipv6')) return undefined;
          const as4 = a.type === 'ipv4' ? a.value : v6tov4(a.value);
          const as6 = a.type === 'ipv6' ? a.value : v4tov6(a.value);
          let best: { bits: number; value: V } | undefined;
          for (const n of nets) {
            const hit = n.net.v6 ? netContains(n.net, as6) : as4 !== null && netContains(n.net, as4);
            if (hit && (!best || n.net.bits > best.bits)) best = { bits: n.net.bits, value: n.value };
          }
          return best ? { value: best.value } : undefined;
        },
      };
    }
    case 'bin': {
      const pats = entries.map((e) => ({ b: hexPattern(e.pattern), value: e.value }));
      return {
        size,
        lookup: (s) => {
          const b = cast(s, 'bin');
          if (!b || b.type !== 'bin') return undefined;
          const p = pats.find((x) => x.b.equals(b.value));
          return p ? { value: p.value } : undefined;
        },
      };
    }
    case 'reg':
    case 'regm': {
      const res = entries.map((e) => ({ re: compileRegex(e.pattern, icase), value: e.value }));
      return {
        size,
        lookup: (s) => {
          const t = toStr(s);
          if (t === null) return undefined;
          for (const r of res) {
            const m = r.re.exec(t);
            if (m) return { value: r.value, groups: m };
          }
          return undefined;
        },
      };
    }
    case 'str': {
      const exact = new Map<string, V>();
      for (const e of entries) {
        const k = icase ? asciiLower(e.pattern) : e.pattern;
        if (!exact.has(k)) exact.set(k, e.value);
      }
      return {
        size,
        lookup: (s) => {
          if (s.type === 'meth') return methodLookup(entries, s.value, icase);
          const t = toStr(s);
          if (t === null) return undefined;
          const k = icase ? asciiLower(t) : t;
          return exact.has(k) ? { value: exact.get(k)! } : undefined;
        },
      };
    }
    case 'beg':
    case 'end':
    case 'sub':
    case 'dir':
    case 'dom': {
      const delims = method === 'dir' ? DIR_DELIMS : DOM_DELIMS;
      const pats = entries.map((e) => {
        let p = icase ? asciiLower(e.pattern) : e.pattern;
        if (method === 'dir' || method === 'dom') p = stripDelims(p, delims);
        return { p, value: e.value };
      });
      return {
        size,
        lookup: (s) => {
          const raw = toStr(s);
          if (raw === null) return undefined;
          if (method === 'dir' || method === 'dom') {
            for (const x of pats) if (matchWord(raw, x.p, delims, icase)) return { value: x.value };
            return undefined;
          }
          const t = icase ? asciiLower(raw) : raw;
          if (method === 'beg') {
            let best: { len: number; value: V } | undefined;
            for (const x of pats) if (t.startsWith(x.p) && (!best || x.p.length > best.len)) best = { len: x.p.length, value: x.value };
            return best ? { value: best.value } : undefined;
          }
          for (const x of pats) {
            if (method === 'end' ? t.endsWith(x.p) : t.includes(x.p)) return { value: x.value };
          }
          return undefined;
        },
      };
    }
  }
}

function methodLookup<V>(entries: readonly Entry<V>[], meth: string, icase: boolean): Hit<V> | undefined {
  const known = KNOWN_METHODS.has(meth);
  for (const e of entries) {
    if (KNOWN_METHODS.has(e.pattern)) {
      if (e.pattern === meth) return { value: e.value };
      continue;
    }
    if (known) continue;
    if (icase ? asciiLower(e.pattern) === asciiLower(meth) : e.pattern === meth) return { value: e.value };
  }
  return undefined;
}

/** The sample type a method reads, for callers that cast before matching. */
export function isStringMethod(m: LookupMethod): boolean {
  return m === 'str' || m === 'beg' || m === 'end' || m === 'sub' || m === 'dir' || m === 'dom' || m === 'reg' || m === 'regm' || m === 'len';
}
