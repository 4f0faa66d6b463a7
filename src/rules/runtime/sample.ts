// Typed sample values and HAProxy 2.6's implicit casts between them (the matrix of
// ../casts.ts, here with the conversions themselves). Strings are byte strings: one JS char
// per byte (latin1), as header values arrive from the codec; `bin` is a Buffer.
//
// Facts (checked against haproxy 2.6.12, see test/rules-runtime.test.ts):
//  - integers are signed 64-bit; arithmetic saturates (add/sub/mul) rather than wrapping;
//  - str -> sint reads an optional sign then digits and stops at the first other byte
//    ("12ab" -> 12, "0x10" -> 0); an empty string does not convert;
//  - sint/bool -> bin is 8 bytes big-endian; ipv4 -> sint is the 32-bit address;
//  - bin -> str stops at the first NUL byte;
//  - ipv6 -> str is inet_ntop's form ("::1.2.3.4", "::ffff:0:102:304", "1:0:0:1::1");
//  - ipv6 -> ipv4 works for v4-mapped (::ffff:a.b.c.d) and 6to4 (2002:AABB:CCDD::) addresses.

import type { SampleType } from '../types.js';

export type Sample =
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'sint'; readonly value: bigint }
  | { readonly type: 'ipv4'; readonly value: Buffer }
  | { readonly type: 'ipv6'; readonly value: Buffer }
  | { readonly type: 'str'; readonly value: string }
  | { readonly type: 'bin'; readonly value: Buffer }
  | { readonly type: 'meth'; readonly value: string };

export const INT64_MAX = (1n << 63n) - 1n;
export const INT64_MIN = -(1n << 63n);

export const str = (value: string): Sample => ({ type: 'str', value });
export const sint = (value: bigint | number): Sample => ({ type: 'sint', value: typeof value === 'bigint' ? value : BigInt(Math.trunc(value)) });
export const bool = (value: boolean): Sample => ({ type: 'bool', value });
export const bin = (value: Buffer): Sample => ({ type: 'bin', value });
export const TRUE: Sample = bool(true);
export const FALSE: Sample = bool(false);

/** Clamp to the signed 64-bit range (HAProxy's capped arithmetic). */
export function clamp64(v: bigint): bigint {
  return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : v;
}

/** read_int64(): optional sign, then decimal digits up to the first other byte. */
export function readInt64(s: string): bigint {
  let i = 0;
  let neg = false;
  if (s[0] === '-') {
    neg = true;
    i = 1;
  } else if (s[0] === '+') {
    i = 1;
  }
  let v = 0n;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    v = BigInt.asIntN(64, v * 10n + BigInt(c));
  }
  return neg ? BigInt.asIntN(64, -v) : v;
}

// ---------------------------------------------------------------------------------------------
// IP addresses

/** inet_pton(AF_INET): four decimal octets, no leading zeros. */
export function parseIpv4(s: string): Buffer | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = Buffer.alloc(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/** inet_pton(AF_INET6), with an optional trailing dotted IPv4. */
export function parseIpv6(s: string): Buffer | null {
  if (s.length < 2 || !/^[0-9A-Fa-f:.]+$/.test(s)) return null;
  let tail: Buffer | null = null;
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.') >= 0) {
    tail = parseIpv4(s.slice(lastColon + 1));
    if (!tail) return null;
    // Keep a trailing '::'; a single trailing ':' only separates the IPv4 part.
    const head = s.slice(0, lastColon + 1);
    text = head.endsWith('::') ? head : head.slice(0, -1);
  }
  const dbl = text.indexOf('::');
  if (dbl >= 0 && text.indexOf('::', dbl + 1) >= 0) return null;
  const groupsWanted = tail ? 6 : 8;
  const parseGroups = (t: string): number[] | null => {
    if (t === '') return [];
    const out: number[] = [];
    for (const g of t.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = parseGroups(text.slice(0, dbl));
    const rest = parseGroups(text.slice(dbl + 2));
    if (!head || !rest || head.length + rest.length > groupsWanted - 1) return null;
    groups = [...head, ...new Array<number>(groupsWanted - head.length - rest.length).fill(0), ...rest];
  } else {
    const all = parseGroups(text);
    if (!all || all.length !== groupsWanted) return null;
    groups = all;
  }
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  if (tail) tail.copy(out, 12);
  return out;
}

export function formatIpv4(b: Buffer): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** inet_ntop(AF_INET6), glibc's form. */
export function formatIpv6(b: Buffer): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(b.readUInt16BE(i * 2));
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else curLen++;
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else {
      curBase = -1;
      curLen = 0;
    }
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      out += formatIpv4(b.subarray(12, 16));
      break;
    }
    out += w[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

const MAPPED_PREFIX = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);

/** IPv4 -> v4-mapped IPv6. */
export function v4tov6(b: Buffer): Buffer {
  return Buffer.concat([MAPPED_PREFIX, b]);
}

/** IPv6 -> IPv4 for v4-mapped and 6to4 addresses, else null. */
export function v6tov4(b: Buffer): Buffer | null {
  if (b.subarray(0, 12).equals(MAPPED_PREFIX)) return Buffer.from(b.subarray(12, 16));
  if (b[0] === 0x20 && b[1] === 0x02) return Buffer.from(b.subarray(2, 6));
  return null;
}

function sintToIpv4(v: bigint): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(Number(BigInt.asUintN(32, v)));
  return out;
}

function methodName(s: Sample): string | null {
  if (s.type === 'meth' || s.type === 'str') return s.value;
  if (s.type === 'bin') return s.value.toString('latin1');
  return null;
}

// ---------------------------------------------------------------------------------------------
// Casts

/** The printable form of a sample (its str cast), or null when it has none. */
export function toStr(s: Sample): string | null {
  switch (s.type) {
    case 'str':
    case 'meth':
      return s.value;
    case 'bool':
      return s.value ? '1' : '0';
    case 'sint':
      return s.value.toString();
    case 'ipv4':
      return formatIpv4(s.value);
    case 'ipv6':
      return formatIpv6(s.value);
    case 'bin': {
      const nul = s.value.indexOf(0);
      return (nul < 0 ? s.value : s.value.subarray(0, nul)).toString('latin1');
    }
  }
}

export function toInt(s: Sample): bigint | null {
  switch (s.type) {
    case 'sint':
      return s.value;
    case 'bool':
      return s.value ? 1n : 0n;
    case 'str':
      return s.value === '' ? null : readInt64(s.value);
    case 'ipv4':
      return BigInt(s.value.readUInt32BE(0));
    default:
      return null;
  }
}

export function toBin(s: Sample): Buffer | null {
  switch (s.type) {
    case 'bin':
      return s.value;
    case 'str':
    case 'meth':
      return Buffer.from(s.value, 'latin1');
    case 'ipv4':
    case 'ipv6':
      return s.value;
    case 'sint':
    case 'bool': {
      const out = Buffer.alloc(8);
      out.writeBigInt64BE(s.type === 'sint' ? s.value : s.value ? 1n : 0n);
      return out;
    }
  }
}

export function toIpv4(s: Sample): Buffer | null {
  switch (s.type) {
    case 'ipv4':
      return s.value;
    case 'ipv6':
      return v6tov4(s.value);
    case 'str':
      return parseIpv4(s.value);
    case 'sint':
      return sintToIpv4(s.value);
    default:
      return null;
  }
}

export function toIpv6(s: Sample): Buffer | null {
  switch (s.type) {
    case 'ipv6':
      return s.value;
    case 'ipv4':
      return v4tov6(s.value);
    case 'str':
      return parseIpv6(s.value);
    case 'sint':
      return v4tov6(sintToIpv4(s.value));
    default:
      return null;
  }
}

/** An address sample (ipv4 or ipv6): str tries IPv4 first, then IPv6. */
export function toAddr(s: Sample): Sample | null {
  switch (s.type) {
    case 'ipv4':
    case 'ipv6':
      return s;
    case 'str': {
      const v4 = parseIpv4(s.value);
      if (v4) return { type: 'ipv4', value: v4 };
      const v6 = parseIpv6(s.value);
      return v6 ? { type: 'ipv6', value: v6 } : null;
    }
    case 'sint':
      return { type: 'ipv4', value: sintToIpv4(s.value) };
    default:
      return null;
  }
}

/** Cast a sample to `to` as HAProxy's sample_casts[][] would, or null when it cannot. */
export function cast(s: Sample, to: SampleType): Sample | null {
  if (to === 'any' || s.type === to) return s;
  switch (to) {
    case 'str': {
      const v = toStr(s);
      return v === null ? null : { type: 'str', value: v };
    }
    case 'sint': {
      const v = toInt(s);
      return v === null ? null : { type: 'sint', value: v };
    }
    case 'bool': {
      const v = toInt(s);
      return v === null ? null : { type: 'bool', value: v !== 0n };
    }
    case 'bin': {
      const v = toBin(s);
      return v === null ? null : { type: 'bin', value: v };
    }
    case 'ipv4': {
      const v = toIpv4(s);
      return v === null ? null : { type: 'ipv4', value: v };
    }
    case 'ipv6': {
      const v = toIpv6(s);
      return v === null ? null : { type: 'ipv6', value: v };
    }
    case 'addr':
      return toAddr(s);
    case 'meth': {
      const v = methodName(s);
      return v === null ? null : { type: 'meth', value: v };
    }
  }
}

/** Is this sample "empty" for set-var's ifempty (only strings and binaries can be). */
export function isEmpty(s: Sample): boolean {
  return (s.type === 'str' || s.type === 'meth') ? s.value.length === 0 : s.type === 'bin' ? s.value.length === 0 : false;
}
