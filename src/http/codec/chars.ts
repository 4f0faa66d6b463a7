// Byte classes and small byte-level helpers shared by the HTTP/1 codec. Lookup tables keep
// the per-byte work of the hot loops to one indexed load, with no regex and no allocation.

export const CR = 13;
export const LF = 10;
export const SP = 32;
export const HTAB = 9;
export const COLON = 58;
export const COMMA = 44;
export const SEMI = 59;

/** tchar (RFC 9110 §5.6.2): what HAProxy accepts in methods and header names. */
export const TCHAR = new Uint8Array(256);
/**
 * Bytes HAProxy accepts in a request URI by default: 0x21..0x7e except '#'. HAProxy 2.6 lets
 * '"', '<', '>', '\\', '^', '`', '{', '|', '}' through unless told otherwise (recorded), rejects
 * controls, space and 8-bit bytes, and rejects '#' (fragments). DEL is rejected here although
 * HAProxy 2.6.12's word-at-a-time scan misses it in some positions (see the corpus).
 */
export const URI_OK = new Uint8Array(256);
/** Hex digit value, or -1. */
export const HEXVAL = new Int8Array(256).fill(-1);
/** ASCII lowercase map for bytes (identity elsewhere). */
export const LOWER = new Uint8Array(256);

for (let c = 0; c < 256; c++) LOWER[c] = c >= 65 && c <= 90 ? c | 0x20 : c;
for (let c = 0x30; c <= 0x39; c++) {
  TCHAR[c] = 1;
  HEXVAL[c] = c - 0x30;
}
for (let c = 0x41; c <= 0x5a; c++) {
  TCHAR[c] = 1;
  TCHAR[c | 0x20] = 1;
}
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;
for (let c = 0; c < 6; c++) {
  HEXVAL[0x41 + c] = 10 + c;
  HEXVAL[0x61 + c] = 10 + c;
}
for (let c = 0x21; c < 0x7f; c++) URI_OK[c] = 1;
URI_OK[0x23] = 0;

/** Whether buf[s, e) equals `lower` ignoring ASCII case (`lower` must be lowercase ASCII). */
export function bytesEqLower(buf: Buffer, s: number, e: number, lower: string): boolean {
  if (e - s !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    if (LOWER[buf[s + i]!] !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** ASCII case-insensitive string equality, without allocating. */
export function strEqLower(a: string, lower: string): boolean {
  if (a.length !== lower.length) return false;
  for (let i = 0; i < a.length; i++) {
    let c = a.charCodeAt(i);
    if (c >= 65 && c <= 90) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

function isOws(c: number): boolean {
  return c === SP || c === HTAB;
}

/** Trims SP/HTAB from both ends of a string (String#trim would also eat other whitespace). */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isOws(s.charCodeAt(a))) a++;
  while (b > a && isOws(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * Calls `fn` for each comma-separated element of a header value, OWS-trimmed, in order.
 * Empty elements are reported, except a single trailing one after the last comma: HAProxy 2.6
 * accepts "chunked," but rejects ",chunked" and "chunked,,", which this split reproduces.
 * `fn` returns false to stop early.
 */
export function forEachListElement(value: string, fn: (elem: string) => boolean): void {
  let start = 0;
  const n = value.length;
  for (;;) {
    let comma = value.indexOf(',', start);
    if (comma < 0) comma = n;
    const elem = trimOws(value.slice(start, comma));
    const isLast = comma >= n;
    if (!(isLast && elem.length === 0 && start > 0)) {
      if (!fn(elem)) return;
    }
    if (isLast) return;
    start = comma + 1;
  }
}

/** Whether a comma-separated header value holds `lowerToken` (ASCII case-insensitive). */
export function listHasToken(value: string, lowerToken: string): boolean {
  let found = false;
  forEachListElement(value, (e) => {
    if (strEqLower(e, lowerToken)) found = true;
    return !found;
  });
  return found;
}
