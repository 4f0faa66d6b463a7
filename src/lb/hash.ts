// The hash functions of `hash-type` (sdbm, djb2, wt6, crc32) and its `avalanche` modifier,
// giving the same unsigned 32-bit values as HAProxy 2.6 for the same bytes (checked against
// haproxy 2.6.12's sdbm/djb2/wt6/crc32 converters in test/lb.test.ts). `none` (the key's
// decimal digits used as the hash) is HAProxy 2.9's; the 2.6 parser refuses it, as we do.
//
// How each balancer derives its key (HAProxy 2.6, backend.c):
//  - `balance source` never calls the hash function: the key is the XOR of the client
//    address's 32-bit big-endian words, passed through the avalanche only when the modifier
//    is set — in map-based and consistent mode alike (`hash-type consistent` alone implies
//    sdbm + avalanche, hence the avalanche there). See `addressKey`.
//  - the string-keyed ones (uri, url_param, hdr, rdp-cookie, hash) hash the key bytes with
//    the chosen function, then apply the avalanche if set. See `hashKey`.
// The result is taken modulo the map size (map-based) or looked up on the ring (./chash.ts).

export type HashFunction = 'sdbm' | 'djb2' | 'wt6' | 'crc32' | 'none';
export type HashMethod = 'map-based' | 'consistent';

/** The backend's `hash-type` (the value the `hash-type` keyword row stores in the model). */
export type HashType = { readonly method: HashMethod; readonly function: HashFunction; readonly avalanche: boolean };

/** Without `hash-type`: map-based, sdbm, no avalanche. */
export const DEFAULT_HASH_TYPE: HashType = { method: 'map-based', function: 'sdbm', avalanche: false };

/** The functions HAProxy 2.6 accepts after `hash-type <method>`. */
export const HAPROXY_26_FUNCTIONS: readonly HashFunction[] = ['sdbm', 'djb2', 'wt6', 'crc32'];

/** A hash-type from a model value or balance spec, falling back to the default for missing parts. */
export function hashTypeOf(v: unknown): HashType {
  if (typeof v !== 'object' || v === null) return DEFAULT_HASH_TYPE;
  const o = v as Record<string, unknown>;
  const method: HashMethod = o['method'] === 'consistent' ? 'consistent' : 'map-based';
  const fn = typeof o['function'] === 'string' && Object.hasOwn(HASH_FUNCTIONS, o['function']) ? (o['function'] as HashFunction) : 'sdbm';
  return { method, function: fn, avalanche: o['avalanche'] === true };
}

export function sdbm(key: Uint8Array): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (key[i]! + (h << 6) + (h << 16) - h) >>> 0;
  return h;
}

export function djb2(key: Uint8Array): number {
  let h = 5381;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 33) + key[i]!) >>> 0;
  return h;
}

const rotl = (x: number, n: number): number => ((x << n) | (x >>> (32 - n))) >>> 0;

/** Willy Tarreau's wt6: two 32-bit states whose rotations are steered by the data. */
export function wt6(key: Uint8Array): number {
  let h0 = 0xa53c965a;
  let h1 = 0x5ca6953a;
  let r0 = 6;
  let r1 = 18;
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    h0 = ~(h0 ^ c) >>> 0;
    h1 = ~(h1 + c) >>> 0;
    // A rotation by 0 leaves the word as it is (x >>> 32 is x in JS, as on x86).
    const t = rotl(h1, r0);
    h1 = rotl(h0, r1);
    h0 = t;
    const s = ((h0 >>> 16) ^ h1) & 0xffff;
    r0 = s & 0x1f;
    r1 = s >>> 11;
  }
  return (h0 ^ h1) >>> 0;
}

const CRC_TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The usual CRC-32 (reflected polynomial 0xedb88320, as in gzip and PNG). */
export function crc32(key: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < key.length; i++) c = (c >>> 8) ^ CRC_TABLE[(c ^ key[i]!) & 0xff]!;
  return ~c >>> 0;
}

/**
 * `none` (HAProxy ≥ 2.9): the key is a decimal number, optionally signed; digits are read
 * until the first non-digit, saturating at the 64-bit limits; the hash is its low 32 bits.
 */
export function none(key: Uint8Array): number {
  let i = 0;
  let neg = false;
  if (key[0] === 0x2d) (neg = true), i++;
  else if (key[0] === 0x2b) i++;
  let v = 0n;
  const MAX = 0xffffffffffffffffn;
  for (; i < key.length && key[i]! >= 0x30 && key[i]! <= 0x39; i++) {
    v = v * 10n + BigInt(key[i]! - 0x30);
    if (v > MAX) v = MAX;
  }
  if (neg) v = v > 0x8000000000000000n ? -0x8000000000000000n : -v;
  else if (v > 0x7fffffffffffffffn) v = 0x7fffffffffffffffn;
  return Number(BigInt.asUintN(32, v));
}

export const HASH_FUNCTIONS: Readonly<Record<HashFunction, (key: Uint8Array) => number>> = { sdbm, djb2, wt6, crc32, none };

/**
 * The avalanche modifier (HAProxy's full_hash): one of Bob Jenkins' 32-bit integer mixes,
 * then a multiplication by 3221225473 to spread values over the whole 32-bit space.
 */
export function fullHash(a: number): number {
  a >>>= 0;
  a = (a + 0x7ed55d16 + (a << 12)) >>> 0;
  a = (a ^ 0xc761c23c ^ (a >>> 19)) >>> 0;
  a = (a + 0x165667b1 + (a << 5)) >>> 0;
  a = ((a + 0xd3a2646c) ^ (a << 9)) >>> 0;
  a = (a + 0xfd7046c5 + (a << 3)) >>> 0;
  a = (a ^ 0xb55a4f09 ^ (a >>> 16)) >>> 0;
  return Math.imul(a, 3221225473 | 0) >>> 0;
}

const utf8 = new TextEncoder();

/** A string-keyed balancer's hash: the key bytes through the function, then the avalanche if set. */
export function hashKey(key: Uint8Array | string, fn: HashFunction = 'sdbm', avalanche = false): number {
  const bytes = typeof key === 'string' ? utf8.encode(key) : key;
  const h = HASH_FUNCTIONS[fn](bytes);
  return avalanche ? fullHash(h) : h;
}

/** The 32-bit big-endian words of an address (4 or 16 bytes) XORed together. */
export function xorWords(src: Uint8Array): number {
  let h = 0;
  for (let i = 0; i + 4 <= src.length; i += 4) {
    h ^= (src[i]! << 24) | (src[i + 1]! << 16) | (src[i + 2]! << 8) | src[i + 3]!;
  }
  return h >>> 0;
}

/** `balance source`'s key: the XORed address words, through the avalanche if set (never the function). */
export function addressKey(src: Uint8Array, avalanche = false): number {
  const h = xorWords(src);
  return avalanche ? fullHash(h) : h;
}
