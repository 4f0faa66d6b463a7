// Incremental chunked transfer-coding decoder and encoder.
//
// Rules recorded against haproxy 2.6.12 (request bodies; a bad chunked response body is 502):
// - chunk-size: one or more hex digits (any number of leading zeros), no sign, no "0x", no
//   leading whitespace; it may be followed by SP/HTAB, then either ';' and an extension or the
//   line end ("5 x" is an error);
// - extensions are skipped, any byte but CR/LF (they are not forwarded: HAProxy re-chunks);
// - lines end with CRLF or a bare LF; a CR not followed by LF is an error; the data must be
//   followed directly by a line end;
// - trailers: lines until an empty one; each needs a non-empty name before ':' (a line without
//   ':' or starting with ':' is an error) but the name is not otherwise checked (HAProxy passes
//   "x t: 1" and "x-t : a"); obs-fold is joined like header folds.
// Sizes above 2^53-1 are refused (HAProxy's own limit is about 2^56).

import { CR, LF, SP, HTAB, COLON, SEMI, HEXVAL, trimOws } from './chars.js';
import { HeaderList } from './headers.js';

export type ChunkedPushResult =
  | { data: Buffer[]; done: boolean; rest: Buffer | null }
  | { error: string };

const enum St {
  SizeFirst,
  Size,
  SizeWs,
  Ext,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerLineStart,
  TrailerName,
  TrailerValue,
  TrailerLf,
  EndLf,
  Done,
}

const CRLF = Buffer.from('\r\n', 'latin1');
/** The last chunk with no trailers: "0\r\n\r\n". */
export const LAST_CHUNK: Buffer = Buffer.from('0\r\n\r\n', 'latin1');

export interface ChunkedDecoderOptions {
  /** Bytes of trailer section allowed (HAProxy bounds it by its buffer). Default 16320. */
  maxTrailerBytes?: number;
}

export class ChunkedDecoder {
  private st = St.SizeFirst;
  private size = 0;
  private remaining = 0;
  private decoded = 0;
  private trailerParts: Buffer[] = [];
  private trailerBytes = 0;
  private trailerList: HeaderList | null = null;
  private readonly maxTrailer: number;

  constructor(opts: ChunkedDecoderOptions = {}) {
    this.maxTrailer = opts.maxTrailerBytes ?? 16320;
  }

  /** Payload bytes decoded so far. */
  get bytesDecoded(): number {
    return this.decoded;
  }

  get done(): boolean {
    return this.st === St.Done;
  }

  /** Payload bytes the chunk being read still announces (0 between chunks). */
  get chunkLeft(): number {
    return this.st === St.Data ? this.remaining : 0;
  }

  /** The trailer fields, once done (an empty list when there were none). */
  get trailers(): HeaderList | null {
    return this.trailerList;
  }

  /**
   * Feeds received bytes. `data` are views into `buf` (no copy). When the terminating empty
   * line is seen, done is true and `rest` holds the bytes after it (a pipelined next message),
   * or null if there are none. After an error the decoder must not be used again.
   */
  push(buf: Buffer): ChunkedPushResult {
    const data: Buffer[] = [];
    if (this.st === St.Done) return { data, done: true, rest: buf.length > 0 ? buf : null };
    const len = buf.length;
    let p = 0;
    // Where this push's part of the trailer section starts (-1: not in trailers yet).
    let trailerStart = this.st >= St.TrailerLineStart && this.st <= St.EndLf ? 0 : -1;
    while (p < len) {
      switch (this.st) {
        case St.SizeFirst: {
          const v = HEXVAL[buf[p]!]!;
          if (v < 0) return { error: 'invalid chunk size' };
          this.size = v;
          this.st = St.Size;
          p++;
          break;
        }
        case St.Size: {
          const c = buf[p]!;
          const v = HEXVAL[c]!;
          if (v >= 0) {
            const next = this.size * 16 + v;
            if (next > Number.MAX_SAFE_INTEGER) return { error: 'chunk size too large' };
            this.size = next;
          } else if (c === SP || c === HTAB) this.st = St.SizeWs;
          else if (c === SEMI) this.st = St.Ext;
          else if (c === CR) this.st = St.SizeLf;
          else if (c === LF) this.endSizeLine();
          else return { error: 'invalid chunk size' };
          p++;
          break;
        }
        case St.SizeWs: {
          const c = buf[p]!;
          if (c === SEMI) this.st = St.Ext;
          else if (c === CR) this.st = St.SizeLf;
          else if (c === LF) this.endSizeLine();
          else if (c !== SP && c !== HTAB) return { error: 'invalid chunk size' };
          p++;
          break;
        }
        case St.Ext: {
          // Skip the extension up to its line end; a bare CR is checked by SizeLf.
          while (p < len && buf[p] !== CR && buf[p] !== LF) p++;
          if (p < len) {
            if (buf[p] === CR) this.st = St.SizeLf;
            else this.endSizeLine();
            p++;
          }
          break;
        }
        case St.SizeLf:
          if (buf[p] !== LF) return { error: 'bare CR in chunk size line' };
          this.endSizeLine();
          p++;
          break;
        case St.Data: {
          const n = Math.min(this.remaining, len - p);
          data.push(buf.subarray(p, p + n));
          this.remaining -= n;
          this.decoded += n;
          p += n;
          if (this.remaining === 0) this.st = St.DataCr;
          break;
        }
        case St.DataCr: {
          const c = buf[p]!;
          if (c === CR) this.st = St.DataLf;
          else if (c === LF) this.st = St.SizeFirst;
          else return { error: 'chunk data not followed by a line end' };
          p++;
          break;
        }
        case St.DataLf:
          if (buf[p] !== LF) return { error: 'chunk data not followed by a line end' };
          this.st = St.SizeFirst;
          p++;
          break;
        case St.TrailerLineStart: {
          const c = buf[p]!;
          if (trailerStart < 0) trailerStart = p;
          if (c === CR) this.st = St.EndLf;
          else if (c === LF) {
            p++;
            return this.finish(buf, data, trailerStart, p);
          } else if (c === COLON) return { error: 'empty trailer name' };
          else if ((c === SP || c === HTAB) && this.trailerBytes + (p - trailerStart) === 0) {
            return { error: 'folded line before any trailer' };
          } else if (c === SP || c === HTAB) this.st = St.TrailerValue;
          else this.st = St.TrailerName;
          p++;
          break;
        }
        case St.TrailerName: {
          const c = buf[p]!;
          if (c === COLON) this.st = St.TrailerValue;
          else if (c === CR || c === LF) return { error: 'trailer line without colon' };
          p++;
          break;
        }
        case St.TrailerValue: {
          while (p < len && buf[p] !== CR && buf[p] !== LF) p++;
          if (p < len) {
            this.st = buf[p] === CR ? St.TrailerLf : St.TrailerLineStart;
            p++;
          }
          break;
        }
        case St.TrailerLf:
          if (buf[p] !== LF) return { error: 'bare CR in trailer' };
          this.st = St.TrailerLineStart;
          p++;
          break;
        case St.EndLf:
          if (buf[p] !== LF) return { error: 'bare CR after trailers' };
          p++;
          return this.finish(buf, data, trailerStart, p);
        default:
          return { error: 'decoder misuse' };
      }
      if (trailerStart >= 0 && this.trailerBytes + (p - trailerStart) > this.maxTrailer) {
        return { error: 'trailers too large' };
      }
    }
    if (trailerStart >= 0) {
      this.trailerParts.push(buf.subarray(trailerStart, len));
      this.trailerBytes += len - trailerStart;
    }
    return { data, done: false, rest: null };
  }

  private endSizeLine(): void {
    if (this.size === 0) {
      this.st = St.TrailerLineStart;
    } else {
      this.remaining = this.size;
      this.st = St.Data;
    }
  }

  private finish(buf: Buffer, data: Buffer[], trailerStart: number, p: number): ChunkedPushResult {
    this.trailerParts.push(buf.subarray(trailerStart, p));
    this.trailerList = parseTrailers(Buffer.concat(this.trailerParts));
    this.trailerParts = [];
    this.st = St.Done;
    return { data, done: true, rest: p < buf.length ? buf.subarray(p) : null };
  }
}

/** Splits an already-validated trailer section (ending with its empty line) into a list. */
function parseTrailers(block: Buffer): HeaderList {
  const list = new HeaderList();
  const text = block.toString('latin1');
  let start = 0;
  let prevCrlf = false;
  for (;;) {
    const lf = text.indexOf('\n', start);
    if (lf < 0) break;
    const crlf = lf > start && text.charCodeAt(lf - 1) === CR;
    const line = text.slice(start, crlf ? lf - 1 : lf);
    start = lf + 1;
    if (line.length === 0) break;
    const c0 = line.charCodeAt(0);
    if ((c0 === SP || c0 === HTAB) && list.count > 0) {
      // Like header folds: the previous line end turns into spaces.
      const last = list.count - 1;
      list.setValue(last, trimOws(`${list.value(last)}${prevCrlf ? '  ' : ' '}${line}`));
    } else {
      const colon = line.indexOf(':');
      list.add(line.slice(0, colon), trimOws(line.slice(colon + 1)));
    }
    prevCrlf = crlf;
  }
  return list;
}

/** One chunk for `data` (non-empty): size line, payload, CRLF, ready for writev. */
export function encodeChunk(data: Buffer): Buffer[] {
  // Upper-case hex digits, as HAProxy writes chunk sizes.
  return [Buffer.from(`${data.length.toString(16).toUpperCase()}\r\n`, 'latin1'), data, CRLF];
}

/** The last chunk, with trailer fields when given (names lowercased, as HAProxy emits them). */
export function encodeLastChunk(trailers?: HeaderList | null): Buffer {
  if (!trailers || trailers.count === 0) return LAST_CHUNK;
  const out = Buffer.allocUnsafe(3 + trailers._byteLength() + 2);
  out.write('0\r\n', 0, 'latin1');
  let pos = trailers._writeTo(out, 3, false);
  out[pos++] = CR;
  out[pos++] = LF;
  return out;
}
