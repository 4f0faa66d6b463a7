// An ordered header list for the HTTP/1 codec. Parsed entries are offsets into the receive
// buffer; strings are sliced only when someone asks for them, and untouched entries are
// copied byte-for-byte by the serializer. Edited or added entries hold strings.
//
// The received Buffer is referenced, not copied: whoever owns it must not overwrite it while
// the list (or a head holding it) is in use.

import { LOWER, bytesEqLower, strEqLower, forEachListElement, CR, LF, SP, HTAB } from './chars.js';

/** Headers RFC 9110 §7.6.1 lists as connection-specific, besides those named by Connection. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer'] as const;
/**
 * Never removed because Connection names them: the proxy re-emits framing itself (and must
 * keep Transfer-Encoding: chunked when it re-chunks), and Host is not a connection option.
 */
const NEVER_CONNECTION_OPTION = new Set(['transfer-encoding', 'content-length', 'host']);

/**
 * In `off`, a name or value end of -1: the entry's string is its content (edited, added or
 * folded), not the received bytes. A string cached by name()/value() leaves the offsets alone,
 * so an entry only read is still copied byte for byte when serialized.
 */
const EDITED = -1;

export class HeaderList {
  /** Buffer that raw entries point into. */
  private src: Buffer | null = null;
  /** 4 numbers per entry: name start, name end, value start, value end (in `src`). */
  private off: number[] = [];
  /** Authoritative string when non-null (edited/added/folded entries, or cached slices). */
  private nm: (string | null)[] = [];
  private vl: (string | null)[] = [];

  /** A list from [name, value] pairs. */
  static from(pairs: Iterable<readonly [string, string]>): HeaderList {
    const h = new HeaderList();
    for (const [n, v] of pairs) h.add(n, v);
    return h;
  }

  /** Codec internal: bind a fresh list to the buffer its raw entries will point into. */
  static _overBuffer(src: Buffer): HeaderList {
    const h = new HeaderList();
    h.src = src;
    return h;
  }

  /** Codec internal: append an entry whose name and value are byte ranges of the bound buffer. */
  _pushRaw(ns: number, ne: number, vs: number, ve: number): void {
    this.off.push(ns, ne, vs, ve);
    this.nm.push(null);
    this.vl.push(null);
  }

  /**
   * Codec internal: extend entry i's value over an obs-fold continuation ending at `contEnd`
   * (exclusive, before its line ending). Like HAProxy, every CR and LF inside the folded value
   * becomes a space and the fold's leading whitespace is kept; OWS at either end is trimmed.
   */
  _fold(i: number, contEnd: number): void {
    const src = this.src as Buffer;
    const vs = this.off[4 * i + 2]!;
    const bytes = Buffer.from(src.subarray(vs, contEnd));
    for (let k = 0; k < bytes.length; k++) if (bytes[k] === CR || bytes[k] === LF) bytes[k] = SP;
    let a = 0;
    let e = bytes.length;
    // An empty first line leaves the fold's own whitespace in front: still leading OWS.
    while (a < e && (bytes[a] === SP || bytes[a] === HTAB)) a++;
    while (e > a && (bytes[e - 1] === SP || bytes[e - 1] === HTAB)) e--;
    this.off[4 * i + 3] = EDITED;
    this.vl[i] = bytes.toString('latin1', a, e);
  }

  get count(): number {
    return this.nm.length;
  }

  name(i: number): string {
    const s = this.nm[i];
    if (s !== null && s !== undefined) return s;
    if (s === undefined) throw new RangeError(`no header at ${i}`);
    const v = (this.src as Buffer).toString('latin1', this.off[4 * i]!, this.off[4 * i + 1]!);
    this.nm[i] = v;
    return v;
  }

  value(i: number): string {
    const s = this.vl[i];
    if (s !== null && s !== undefined) return s;
    if (s === undefined) throw new RangeError(`no header at ${i}`);
    const v = (this.src as Buffer).toString('latin1', this.off[4 * i + 2]!, this.off[4 * i + 3]!);
    this.vl[i] = v;
    return v;
  }

  /** Whether entry i's name equals `lowerName` ignoring case, without slicing a string. */
  nameIs(i: number, lowerName: string): boolean {
    const s = this.nm[i];
    if (s !== null && s !== undefined) return strEqLower(s, lowerName);
    return bytesEqLower(this.src as Buffer, this.off[4 * i]!, this.off[4 * i + 1]!, lowerName);
  }

  /** Byte length of entry i's name (cheap: no string for raw entries). */
  nameLength(i: number): number {
    const s = this.nm[i];
    return s !== null && s !== undefined ? s.length : this.off[4 * i + 1]! - this.off[4 * i]!;
  }

  valueLength(i: number): number {
    const s = this.vl[i];
    return s !== null && s !== undefined ? s.length : this.off[4 * i + 3]! - this.off[4 * i + 2]!;
  }

  /**
   * Entry i's received value as a plain decimal number (digits only, at most 2^53-1), or -1
   * when it is anything else or was edited (the caller then parses the string). Content-Length,
   * on every message, then costs no string.
   */
  decimal(i: number): number {
    const vs = this.off[4 * i + 2]!;
    const ve = this.off[4 * i + 3]!;
    if (ve === EDITED || ve <= vs) return -1;
    const src = this.src as Buffer;
    let n = 0;
    for (let k = vs; k < ve; k++) {
      const d = src[k]! - 48;
      if (d < 0 || d > 9 || (n = n * 10 + d) > Number.MAX_SAFE_INTEGER) return -1;
    }
    return n;
  }

  /** Index of the first entry named `lowerName` at or after `from`, or -1. */
  indexOf(lowerName: string, from = 0): number {
    const n = this.nm.length;
    for (let i = from; i < n; i++) if (this.nameIs(i, lowerName)) return i;
    return -1;
  }

  /** First value of `lowerName` (lowercase), or undefined. */
  get(lowerName: string): string | undefined {
    const i = this.indexOf(lowerName);
    return i < 0 ? undefined : this.value(i);
  }

  getAll(lowerName: string): string[] {
    const out: string[] = [];
    const n = this.nm.length;
    for (let i = 0; i < n; i++) if (this.nameIs(i, lowerName)) out.push(this.value(i));
    return out;
  }

  has(lowerName: string): boolean {
    return this.indexOf(lowerName) >= 0;
  }

  /** Append a header (name kept as given). */
  add(name: string, value: string): void {
    this.off.push(0, EDITED, 0, EDITED);
    this.nm.push(name);
    this.vl.push(value);
  }

  /** Replace every header of that name by one (at the first one's place), or append it. */
  set(name: string, value: string): void {
    const lower = name.toLowerCase();
    const first = this.indexOf(lower);
    if (first < 0) {
      this.add(name, value);
      return;
    }
    this.nm[first] = name;
    this.vl[first] = value;
    this.off[4 * first + 1] = EDITED;
    this.off[4 * first + 3] = EDITED;
    for (let i = this.nm.length - 1; i > first; i--) if (this.nameIs(i, lower)) this.deleteAt(i);
  }

  /** Replace entry i's value. */
  setValue(i: number, value: string): void {
    if (i < 0 || i >= this.nm.length) throw new RangeError(`no header at ${i}`);
    this.vl[i] = value;
    this.off[4 * i + 3] = EDITED;
  }

  deleteAt(i: number): void {
    if (i < 0 || i >= this.nm.length) throw new RangeError(`no header at ${i}`);
    this.off.splice(4 * i, 4);
    this.nm.splice(i, 1);
    this.vl.splice(i, 1);
  }

  /** Remove every header named `lowerName`; returns how many went. */
  delete(lowerName: string): number {
    let removed = 0;
    for (let i = this.nm.length - 1; i >= 0; i--) {
      if (this.nameIs(i, lowerName)) {
        this.deleteAt(i);
        removed++;
      }
    }
    return removed;
  }

  /**
   * RFC 9110 hop-by-hop removal: Connection, Keep-Alive, Proxy-Connection, TE, Trailer, and
   * every header a Connection token names. Transfer-Encoding, Content-Length and Host stay
   * even when named: framing is re-emitted by the proxy from the parsed Framing, and a chunked
   * re-encode needs its Transfer-Encoding header. Upgrade stays too (unless Connection names
   * it): a proxy relaying an upgrade re-adds "Connection: upgrade" itself.
   * NOTE: HAProxy 2.6 does NOT do this by default (recorded: it forwards Keep-Alive, TE,
   * Trailer, Proxy-Connection and Connection-named headers); see stripKeepAliveTokens().
   * Returns the number of entries removed.
   */
  removeHopByHop(): number {
    const named: string[] = [];
    const n = this.nm.length;
    for (let i = 0; i < n; i++) {
      if (!this.nameIs(i, 'connection')) continue;
      forEachListElement(this.value(i), (e) => {
        if (e.length > 0) {
          const l = e.toLowerCase();
          if (!NEVER_CONNECTION_OPTION.has(l)) named.push(l);
        }
        return true;
      });
    }
    let removed = 0;
    for (let i = this.nm.length - 1; i >= 0; i--) {
      let drop = false;
      for (const h of HOP_BY_HOP) if (this.nameIs(i, h)) drop = true;
      if (!drop) for (const h of named) if (this.nameIs(i, h)) drop = true;
      if (drop) {
        this.deleteAt(i);
        removed++;
      }
    }
    return removed;
  }

  /**
   * What HAProxy 2.6 does to Connection headers it forwards (recorded): the "close" and
   * "keep-alive" tokens are removed, the remaining tokens are re-joined with ",", and a
   * Connection header left empty is removed. Other headers are untouched.
   */
  stripKeepAliveTokens(): void {
    for (let i = this.nm.length - 1; i >= 0; i--) {
      if (!this.nameIs(i, 'connection')) continue;
      const keep: string[] = [];
      let changed = false;
      forEachListElement(this.value(i), (e) => {
        if (strEqLower(e, 'close') || strEqLower(e, 'keep-alive') || e.length === 0) changed = true;
        else keep.push(e);
        return true;
      });
      if (keep.length === 0) this.deleteAt(i);
      else if (changed) {
        this.vl[i] = keep.join(',');
        this.off[4 * i + 3] = EDITED;
      }
    }
  }

  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.nm.length; i++) yield [this.name(i), this.value(i)];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** An independent copy (raw entries still point into the same received buffer). */
  clone(): HeaderList {
    const h = new HeaderList();
    h.src = this.src;
    h.off = this.off.slice();
    h.nm = this.nm.slice();
    h.vl = this.vl.slice();
    return h;
  }

  /** Codec internal: bytes that _writeTo will produce ("name: value\r\n" per entry). */
  _byteLength(): number {
    let total = 0;
    const n = this.nm.length;
    for (let i = 0; i < n; i++) total += this.nameLength(i) + this.valueLength(i) + 4;
    return total;
  }

  /**
   * Codec internal: write every entry as "name: value\r\n" at `pos`; returns the new position.
   * Names are lowercased unless `preserveCase` (HAProxy emits lowercase names: its internal
   * representation stores them that way). Strings are written as latin1.
   */
  _writeTo(out: Buffer, pos: number, preserveCase: boolean): number {
    const src = this.src as Buffer;
    const off = this.off;
    const n = this.nm.length;
    for (let i = 0; i < n; i++) {
      const ne = off[4 * i + 1]!;
      if (ne === EDITED) {
        const ns = this.nm[i]!;
        pos += out.write(preserveCase ? ns : ns.toLowerCase(), pos, 'latin1');
      } else {
        const s = off[4 * i]!;
        if (preserveCase) for (let k = s; k < ne; k++) out[pos++] = src[k]!;
        else for (let k = s; k < ne; k++) out[pos++] = LOWER[src[k]!]!;
      }
      out[pos++] = 0x3a;
      out[pos++] = SP;
      const ve = off[4 * i + 3]!;
      if (ve === EDITED) {
        pos += out.write(this.vl[i]!, pos, 'latin1');
      } else {
        const s = off[4 * i + 2]!;
        // Native copy pays a fixed call cost; short values are cheaper to move in JS.
        if (ve - s > 48) pos += src.copy(out, pos, s, ve);
        else for (let k = s; k < ve; k++) out[pos++] = src[k]!;
      }
      out[pos++] = CR;
      out[pos++] = LF;
    }
    return pos;
  }
}
