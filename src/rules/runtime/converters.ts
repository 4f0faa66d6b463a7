// Converter implementations (manual 7.3.1), keyed by the catalog's names; a name listed here is
// `ready` in src/rules/catalog/converters.ts. Each receives a sample already cast to the
// converter's input type (the catalog's `in`). Facts checked against haproxy 2.6.12 are in
// test/rules-runtime.test.ts; the notable ones:
//  - add/sub/mul saturate at the 64-bit limits; div by 0 gives INT64_MAX, mod by 0 gives 0;
//    division truncates toward 0; an operand may be a variable name;
//  - lower/upper only change ASCII letters;
//  - url_dec fails on a bad %-sequence and turns '+' into ' ' only after a '?' (or always
//    with a non-zero argument); url_enc keeps A-Z a-z 0-9 - . _ ~ and %-encodes the rest;
//  - json escapes '"' '\' '/' and control characters; "ascii" escapes each byte >= 0x80 as
//    \u00XX, the utf8 variants decode UTF-8 (utf8: fail on errors, utf8s: drop them, utf8p:
//    fix overlong forms and fail on other errors, utf8ps: both);
//  - field counts empty fields, word skips them; an index past the end fails;
//  - strcmp gives the difference of the first differing bytes, else of the lengths;
//  - concat appends nothing for a missing variable; bytes past the end give an empty binary;
//  - ipmask turns a v4-mapped IPv6 address into IPv4 first; IPv6 without mask6 fails;
//  - regsub replaces the first match (every match with "g"); \N in the replacement is group N;
//  - maps: see match.ts for which entry wins; a missing default fails the conversion.

import { createHash, createHmac } from 'node:crypto';
import { RuleCompileError, type CompileCtx, type ConverterFn, type ConverterImpl } from './context.js';
import { INT64_MAX, INT64_MIN, clamp64, bin, bool, cast, parseIpv4, parseIpv6, sint, str, toStr, type Sample } from './sample.js';
import { crc32, crc32c, djb2, fullHash, sdbm, wt6 } from './hash.js';
import { applyMask, asciiLower, buildPatternSet, compileRegex, type LookupMethod } from './match.js';
import { readMapFile } from './files.js';
import { expandBackrefs } from './regex-subst.js';
import { getVar, setVar, unsetVar, parseVarSpec } from './vars.js';
import type { Txn } from './txn.js';

const VAR_RE = /^(proc|sess|txn|req|res|check)\.[A-Za-z0-9_.]+$/;

function intArg(args: readonly string[], i: number, dflt: bigint): bigint {
  const a = args[i];
  if (a === undefined || a === '') return dflt;
  if (!/^[+-]?[0-9]+$/.test(a)) throw new RuleCompileError(`'${a}' is not an integer`);
  return BigInt(a);
}

/** An integer-or-variable operand of the arithmetic converters. */
function operand(args: readonly string[], ctx: CompileCtx): (txn: Txn) => bigint | null {
  const a = args[0] ?? '';
  if (VAR_RE.test(a)) {
    return (txn) => {
      const v = getVar(txn, ctx.procVars, a);
      if (!v) return null;
      const c = cast(v, 'sint');
      return c && c.type === 'sint' ? c.value : null;
    };
  }
  const n = a === '' ? 0n : BigInt(a.replace(/^\+/, ''));
  return () => n;
}

const intIn = (s: Sample): bigint => (s.type === 'sint' ? s.value : s.type === 'bool' ? (s.value ? 1n : 0n) : 0n);
const strIn = (s: Sample): string => toStr(s) ?? '';
const binIn = (s: Sample): Buffer => (s.type === 'bin' ? s.value : Buffer.from(strIn(s), 'latin1'));

function arith(op: (a: bigint, b: bigint) => bigint): ConverterImpl {
  return (args, ctx) => {
    const b = operand(args, ctx);
    return (s, txn) => {
      const v = b(txn);
      return v === null ? null : sint(op(intIn(s), v));
    };
  };
}

function hashConv(h: (b: Uint8Array) => number): ConverterImpl {
  return (args) => {
    const avalanche = intArg(args, 0, 0n) !== 0n;
    return (s) => {
      const v = h(binIn(s));
      return sint(avalanche ? fullHash(v) : v);
    };
  };
}

// ---------------------------------------------------------------------------------------------
// URL encoding

function urlDecode(s: string, inForm: boolean): string | null {
  let out = '';
  let query = inForm;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '?') query = true;
    if (c === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(h)) return null;
      out += String.fromCharCode(parseInt(h, 16));
      i += 2;
    } else if (c === '+' && query) out += ' ';
    else out += c;
  }
  return out;
}

function urlEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (/[A-Za-z0-9._~-]/.test(c)) out += c;
    else out += '%' + s.charCodeAt(i).toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON

const hex4 = (n: number): string => '\\u' + n.toString(16).padStart(4, '0');

function jsonEscapeChar(code: number): string {
  switch (code) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x2f:
      return '\\/';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
  }
  return code < 0x20 || code > 0x7e ? hex4(code) : String.fromCharCode(code);
}

type Utf8Result = { code: number; len: number } | { error: 'bad' | 'range' | 'overlong'; len: number; code?: number };

function decodeUtf8(b: string, i: number): Utf8Result {
  const c = b.charCodeAt(i);
  let n: number;
  let code: number;
  if (c < 0x80) return { code: c, len: 1 };
  if ((c & 0xe0) === 0xc0) {
    n = 1;
    code = c & 0x1f;
  } else if ((c & 0xf0) === 0xe0) {
    n = 2;
    code = c & 0x0f;
  } else if ((c & 0xf8) === 0xf0) {
    n = 3;
    code = c & 0x07;
  } else return { error: 'bad', len: 1 };
  for (let k = 1; k <= n; k++) {
    const cc = i + k < b.length ? b.charCodeAt(i + k) : -1;
    if (cc < 0 || (cc & 0xc0) !== 0x80) return { error: 'bad', len: k };
    code = (code << 6) | (cc & 0x3f);
  }
  const min = [0, 0x80, 0x800, 0x10000][n]!;
  if (code < min) return { error: 'overlong', len: n + 1, code };
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return { error: 'range', len: n + 1 };
  return { code, len: n + 1 };
}

function jsonEncode(s: string, mode: string): string | null {
  let out = '';
  if (mode === '' || mode === 'ascii') {
    for (let i = 0; i < s.length; i++) out += jsonEscapeChar(s.charCodeAt(i));
    return out;
  }
  const permissive = mode.includes('p');
  const silent = mode.endsWith('s');
  for (let i = 0; i < s.length; ) {
    const r = decodeUtf8(s, i);
    let code: number | null = null;
    if ('error' in r) {
      if (r.error === 'overlong' && permissive && r.code !== undefined) code = r.code;
      else if (!silent) return null;
    } else code = r.code;
    i += r.len;
    if (code === null) continue;
    if (code > 0xffff) {
      if (silent) continue;
      return null;
    }
    out += code < 0x80 ? jsonEscapeChar(code) : hex4(code);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// field / word

function splitFields(s: string, delims: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || delims.includes(s[i]!)) {
      out.push({ text: s.slice(start, i), start, end: i });
      start = i + 1;
    }
  }
  return out;
}

function fieldOrWord(words: boolean): ConverterImpl {
  return (args) => {
    const index = Number(intArg(args, 0, 1n));
    const delims = args[1] ?? '';
    const count = Number(intArg(args, 2, 1n));
    return (smp) => {
      const s = strIn(smp);
      let parts = splitFields(s, delims);
      if (words) parts = parts.filter((p) => p.text !== '');
      const n = parts.length;
      let first: number;
      let last: number;
      if (index > 0) {
        first = index - 1;
        if (first >= n) return null;
        last = count === 0 ? n - 1 : Math.min(n - 1, first + count - 1);
      } else {
        last = n + index;
        if (last < 0) return null;
        first = count === 0 ? 0 : Math.max(0, last - count + 1);
      }
      return str(s.slice(parts[first]!.start, parts[last]!.end));
    };
  };
}

// ---------------------------------------------------------------------------------------------
// maps

type MapOut = 'str' | 'int' | 'ip';

function mapConverter(method: LookupMethod, out: MapOut): ConverterImpl {
  return (args, ctx) => {
    const file = args[0] ?? '';
    const entries = readMapFile(ctx, file).map((e) => ({ pattern: e.key, value: e.value }));
    const typed = (v: string): Sample | null => {
      if (out === 'str') return str(v);
      if (out === 'int') {
        if (!/^[+-]?[0-9]+$/.test(v)) return null;
        return sint(BigInt(v));
      }
      const v4 = parseIpv4(v);
      if (v4) return { type: 'ipv4', value: v4 };
      const v6 = parseIpv6(v);
      return v6 ? { type: 'ipv6', value: v6 } : null;
    };
    for (const e of entries) {
      if (typed(e.value) === null) throw new RuleCompileError(`map file '${file}': value '${e.value}' for key '${e.pattern}' is not a valid ${out === 'int' ? 'integer' : out === 'ip' ? 'IP address' : 'string'}`, ctx.loc);
    }
    let set;
    try {
      set = buildPatternSet(method, entries, { icase: false });
    } catch (e) {
      throw new RuleCompileError(`map file '${file}': ${e instanceof Error ? e.message : String(e)}`, ctx.loc);
    }
    const dflt = args.length > 1 ? typed(args[1]!) : null;
    if (args.length > 1 && dflt === null) throw new RuleCompileError(`map default value '${args[1]}' is not valid`, ctx.loc);
    return (s) => {
      const hit = set.lookup(s);
      if (!hit) return dflt;
      if (method === 'regm' && hit.groups) return typed(expandBackrefs(hit.value, hit.groups) ?? hit.value);
      return typed(hit.value);
    };
  };
}

function mapFamily(prefix: string, method: LookupMethod): Record<string, ConverterImpl> {
  return {
    [prefix]: mapConverter(method, 'str'),
    [`${prefix}_int`]: mapConverter(method, 'int'),
    [`${prefix}_ip`]: mapConverter(method, 'ip'),
  };
}

// ---------------------------------------------------------------------------------------------

/** hmac/digest/sha2 algorithm names are OpenSSL's: node's crypto shares them. */
function digestFn(alg: string): (b: Buffer) => Buffer {
  try {
    createHash(alg);
  } catch {
    throw new RuleCompileError(`algorithm '${alg}' is not supported by this build`);
  }
  return (b) => createHash(alg).update(b).digest();
}

function keyArg(args: readonly string[], ctx: CompileCtx): (txn: Txn) => Buffer | null {
  const k = args[1] ?? '';
  if (VAR_RE.test(k)) {
    return (txn) => {
      const v = getVar(txn, ctx.procVars, k);
      if (!v) return null;
      const t = toStr(v);
      return t === null ? null : Buffer.from(t, 'base64');
    };
  }
  const key = Buffer.from(k, 'base64');
  return () => key;
}

const lowerFn: ConverterFn = (s) => str(asciiLower(strIn(s)));
const upperFn: ConverterFn = (s) => {
  const t = strIn(s);
  return str(/[a-z]/.test(t) ? t.replace(/[a-z]+/g, (m) => m.toUpperCase()) : t);
};

export const CONVERTER_IMPLS: Readonly<Record<string, ConverterImpl>> = {
  // strings
  lower: () => lowerFn,
  upper: () => upperFn,
  length: () => (s) => sint(strIn(s).length),
  hex: () => (s) => str(binIn(s).toString('hex').toUpperCase()),
  base64: () => (s) => str(binIn(s).toString('base64')),
  b64dec: () => (s) => {
    const t = strIn(s);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) return null;
    return bin(Buffer.from(t, 'base64'));
  },
  ub64enc: () => (s) => str(binIn(s).toString('base64url')),
  ub64dec: () => (s) => {
    const t = strIn(s);
    if (!/^[A-Za-z0-9_-]*={0,2}$/.test(t) || t.replace(/=+$/, '').length % 4 === 1) return null;
    return bin(Buffer.from(t, 'base64url'));
  },
  url_dec: (args) => {
    const inForm = intArg(args, 0, 0n) !== 0n;
    return (s) => {
      const d = urlDecode(strIn(s), inForm);
      return d === null ? null : str(d);
    };
  },
  url_enc: () => (s) => str(urlEncode(strIn(s))),
  json: (args) => {
    const mode = args[0] ?? '';
    return (s) => {
      const j = jsonEncode(strIn(s), mode);
      return j === null ? null : str(j);
    };
  },
  field: fieldOrWord(false),
  word: fieldOrWord(true),
  regsub: (args) => {
    const flags = args[2] ?? '';
    const re = compileRegex(args[0] ?? '', flags.includes('i'), true);
    const global = flags.includes('g');
    const subst = args[1] ?? '';
    return (s) => {
      const t = strIn(s);
      let out = '';
      let pos = 0;
      re.lastIndex = 0;
      for (;;) {
        const m = re.exec(t);
        if (!m) break;
        const rep = expandBackrefs(subst, m);
        if (rep === null) return null;
        out += t.slice(pos, m.index) + rep;
        pos = m.index + m[0].length;
        if (m[0].length === 0) {
          if (m.index < t.length) out += t[m.index];
          pos = m.index + 1;
          re.lastIndex = pos;
        }
        if (!global || pos > t.length) break;
      }
      return str(pos > t.length ? out : out + t.slice(pos));
    };
  },
  concat: (args, ctx) => {
    const start = args[0] ?? '';
    const v = args[1] ?? '';
    const end = args[2] ?? '';
    return (s, txn) => {
      let mid = '';
      if (v !== '') {
        const x = getVar(txn, ctx.procVars, v);
        mid = x ? toStr(x) ?? '' : '';
      }
      return str(strIn(s) + start + mid + end);
    };
  },
  strcmp: (args, ctx) => {
    const v = args[0] ?? '';
    return (s, txn) => {
      const x = getVar(txn, ctx.procVars, v);
      const right = x ? toStr(x) : null;
      if (right === null) return null;
      const left = strIn(s);
      const n = Math.min(left.length, right.length);
      for (let i = 0; i < n; i++) {
        const d = left.charCodeAt(i) - right.charCodeAt(i);
        if (d !== 0) return sint(d);
      }
      return sint(left.length - right.length);
    };
  },
  bytes: (args) => {
    const off = Number(intArg(args, 0, 0n));
    const len = args[1] !== undefined && args[1] !== '' ? Number(intArg(args, 1, 0n)) : null;
    return (s) => {
      const b = binIn(s);
      if (off >= b.length) return bin(Buffer.alloc(0));
      return bin(b.subarray(off, len === null ? b.length : Math.min(b.length, off + len)));
    };
  },
  ltrim: (args) => {
    const set = args[0] ?? '';
    return (s) => {
      const t = strIn(s);
      let i = 0;
      while (i < t.length && set.includes(t[i]!)) i++;
      return str(t.slice(i));
    };
  },
  rtrim: (args) => {
    const set = args[0] ?? '';
    return (s) => {
      const t = strIn(s);
      let i = t.length;
      while (i > 0 && set.includes(t[i - 1]!)) i--;
      return str(t.slice(0, i));
    };
  },
  cut_crlf: () => (s) => {
    const t = strIn(s);
    const i = t.search(/[\r\n]/);
    return str(i < 0 ? t : t.slice(0, i));
  },
  add_item: (args, ctx) => {
    // input, then <delim> when the input is not empty and something follows, then the
    // variable's contents (nothing when it is not set), then <suff>
    const delim = args[0] ?? '';
    const v = args[1] ?? '';
    const suffix = args[2] ?? '';
    return (s, txn) => {
      let varText = '';
      if (v !== '') {
        const x = getVar(txn, ctx.procVars, v);
        if (x) varText = toStr(x) ?? '';
      }
      const t = strIn(s);
      const tail = varText + suffix;
      return str(t !== '' && tail !== '' ? t + delim + tail : t + tail);
    };
  },
  // integers
  add: arith((a, b) => clamp64(a + b)),
  sub: arith((a, b) => clamp64(a - b)),
  mul: arith((a, b) => clamp64(a * b)),
  div: arith((a, b) => (b === 0n ? INT64_MAX : a === INT64_MIN && b === -1n ? INT64_MAX : a / b)),
  mod: arith((a, b) => (b === 0n || (a === INT64_MIN && b === -1n) ? 0n : a % b)),
  and: arith((a, b) => BigInt.asIntN(64, a & b)),
  or: arith((a, b) => BigInt.asIntN(64, a | b)),
  xor: arith((a, b) => BigInt.asIntN(64, a ^ b)),
  neg: () => (s) => sint(clamp64(-intIn(s))),
  cpl: () => (s) => sint(BigInt.asIntN(64, ~intIn(s))),
  bool: () => (s) => bool(intIn(s) !== 0n),
  not: () => (s) => bool(intIn(s) === 0n),
  even: () => (s) => bool((intIn(s) & 1n) === 0n),
  odd: () => (s) => bool((intIn(s) & 1n) === 1n),
  htonl: () => (s) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(Number(BigInt.asUintN(32, intIn(s))));
    return bin(b);
  },
  hex2i: () => (s) => {
    const t = strIn(s);
    const m = /^[0-9A-Fa-f]*/.exec(t)![0];
    return sint(m === '' ? 0n : BigInt.asIntN(64, BigInt('0x' + m)));
  },
  // hashes
  crc32: hashConv(crc32),
  crc32c: hashConv(crc32c),
  djb2: hashConv(djb2),
  sdbm: hashConv(sdbm),
  wt6: hashConv(wt6),
  sha1: () => {
    const d = digestFn('sha1');
    return (s) => bin(d(binIn(s)));
  },
  sha2: (args) => {
    const bits = Number(intArg(args, 0, 256n));
    const d = digestFn(`sha${bits}`);
    return (s) => bin(d(binIn(s)));
  },
  digest: (args) => {
    const d = digestFn(args[0] ?? '');
    return (s) => bin(d(binIn(s)));
  },
  hmac: (args, ctx) => {
    const alg = args[0] ?? '';
    digestFn(alg);
    const key = keyArg(args, ctx);
    return (s, txn) => {
      const k = key(txn);
      return k === null ? null : bin(createHmac(alg, k).update(binIn(s)).digest());
    };
  },
  // addresses
  ipmask: (args) => {
    const m4 = args[0] ?? '';
    const bits4 = /^[0-9]+$/.test(m4) ? Number(m4) : maskLen(parseIpv4(m4));
    const m6 = args[1];
    const bits6 = m6 === undefined || m6 === '' ? null : /^[0-9]+$/.test(m6) ? Number(m6) : maskLen(parseIpv6(m6));
    if (bits4 === null || bits4 > 32 || (bits6 !== null && bits6 > 128)) throw new RuleCompileError('invalid mask');
    return (s) => {
      if (s.type === 'ipv4') return { type: 'ipv4', value: applyMask(s.value, bits4) };
      if (s.type !== 'ipv6') return null;
      const mapped = s.value.subarray(0, 12).equals(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
      if (mapped) return { type: 'ipv4', value: applyMask(Buffer.from(s.value.subarray(12)), bits4) };
      if (bits6 === null) return null;
      return { type: 'ipv6', value: applyMask(s.value, bits6) };
    };
  },
  // variables
  'set-var': (args, ctx) => {
    const spec = parseVarSpec([args[0] ?? '', ...args.slice(1)].join(','));
    if ('error' in spec) throw new RuleCompileError(spec.error, ctx.loc);
    return (s, txn) => {
      setVar(txn, ctx.procVars, spec.name, s, spec.conds);
      return s;
    };
  },
  'unset-var': (args, ctx) => {
    const name = args[0] ?? '';
    return (s, txn) => {
      unsetVar(txn, ctx.procVars, name);
      return s;
    };
  },
  // maps
  ...mapFamily('map_str', 'str'),
  map: mapConverter('str', 'str'),
  ...mapFamily('map_beg', 'beg'),
  ...mapFamily('map_sub', 'sub'),
  ...mapFamily('map_dir', 'dir'),
  ...mapFamily('map_dom', 'dom'),
  ...mapFamily('map_end', 'end'),
  ...mapFamily('map_reg', 'reg'),
  ...mapFamily('map_int', 'int'),
  ...mapFamily('map_ip', 'ip'),
  map_regm: mapConverter('regm', 'str'),
};

function maskLen(b: Buffer | null): number | null {
  if (!b) return null;
  let bits = 0;
  let zero = false;
  for (const byte of b) {
    for (let i = 7; i >= 0; i--) {
      if (byte & (1 << i)) {
        if (zero) return null;
        bits++;
      } else zero = true;
    }
  }
  return bits;
}
