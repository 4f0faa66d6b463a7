// Moving a response body to the client compressed: the server's body is read in its own
// framing (Content-Length or chunked), each batch of bytes that arrives is compressed and
// flushed at once (a sync flush, so a slow server's bytes are not held back waiting for more),
// and the output goes out as one chunk per batch. The server's trailers follow the last chunk,
// as HAProxy forwards them. Backpressure: nothing more is read until the client has drained.

import zlib from 'node:zlib';
import type { Wire } from '../wire.js';
import type { BodyResult } from '../body.js';
import type { Framing } from '../codec/types.js';
import type { HeaderList } from '../codec/headers.js';
import { ChunkedDecoder, encodeChunk, encodeLastChunk } from '../codec/chunked.js';
import type { Algo, Compressor } from './algos.js';

/** Compresses one response body on its way to the client. */
export interface Encoder {
  /** Forward the server's body (original framing captured by `respond`) compressed to `to`. */
  forward(from: Wire, to: Wire, readTimeout: number, writeTimeout: number): Promise<BodyResult>;
}

/** An encoder for a body that arrives framed as `framing` ('length' or 'chunked'). */
export function bodyEncoder(algo: Algo, framing: Framing): Encoder {
  return {
    async forward(from, to, readTimeout, writeTimeout) {
      const z = algo.create ? new Deflater(algo.create()) : null;
      /**
       * Compress (or pass) one batch and send what comes out as one chunk. The last batch ends
       * the stream instead of flushing it: a body that arrives whole goes out as one chunk.
       */
      const send = async (input: Buffer, last: boolean): Promise<boolean> => {
        let out = input;
        if (z) {
          const zout = last ? await z.finish(input) : input.length > 0 ? await z.push(input) : EMPTY;
          if (zout === null) return false;
          out = zout;
        }
        return out.length === 0 || (await to.write(Buffer.concat(encodeChunk(out)), writeTimeout));
      };
      const end = async (trailers: HeaderList | null): Promise<BodyResult> =>
        (await to.write(encodeLastChunk(trailers), writeTimeout)) ? 'done' : 'closed';
      try {
        if (framing.kind === 'length') {
          let left = framing.length;
          if (left === 0 && !(await send(EMPTY, true))) return 'closed';
          while (left > 0) {
            const w = await waitBytes(from, readTimeout);
            if (w !== 'data') return w;
            const part = from.take(left);
            left -= part.length;
            if (!(await send(part, left === 0))) return 'closed';
          }
          return await end(null);
        }
        if (framing.kind !== 'chunked') return 'invalid';
        const dec = new ChunkedDecoder();
        for (;;) {
          const w = await waitBytes(from, readTimeout);
          if (w !== 'data') return w;
          const r = dec.push(from.take(from.length));
          if ('error' in r) return 'invalid';
          const input = r.data.length === 1 ? r.data[0]! : Buffer.concat(r.data);
          if (!(await send(input, r.done))) return 'closed';
          if (r.done) {
            // Bytes after the last chunk belong to the next (pipelined) response.
            if (r.rest && r.rest.length > 0) from.unshift(r.rest);
            return await end(dec.trailers);
          }
        }
      } finally {
        z?.close();
      }
    },
  };
}

/** Wait until `from` holds bytes: 'data', or why none will come. */
async function waitBytes(from: Wire, timeout: number): Promise<'data' | 'timeout' | 'closed'> {
  if (from.length > 0) return 'data';
  const w = await from.more(timeout);
  if (w === 'timeout') return 'timeout';
  return from.length > 0 ? 'data' : 'closed';
}

/**
 * A zlib stream used batch by batch: write, sync-flush, collect what came out. The flush's
 * callback runs once the stream has emitted everything the flush produced.
 */
class Deflater {
  private out: Buffer[] = [];
  private failed = false;
  /** The caller waiting on a flush or the end; an error answers it with null. */
  private waiting: ((b: Buffer | null) => void) | null = null;

  constructor(private readonly z: Compressor) {
    z.on('data', (b: Buffer) => this.out.push(b));
    z.on('error', () => {
      this.failed = true;
      this.answer();
    });
    z.on('end', () => this.answer());
  }

  /** Compressed bytes for `input`, flushed; null when the stream failed. */
  push(input: Buffer): Promise<Buffer | null> {
    return this.wait(() => {
      this.z.write(input);
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => this.answer());
    });
  }

  /** `input` compressed and the stream's end (final block, gzip/zlib trailer); null on failure. */
  finish(input: Buffer): Promise<Buffer | null> {
    return this.wait(() => this.z.end(input));
  }

  close(): void {
    this.z.close();
  }

  private wait(start: () => void): Promise<Buffer | null> {
    if (this.failed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting = resolve;
      start();
    });
  }

  private answer(): void {
    const w = this.waiting;
    if (!w) return;
    this.waiting = null;
    if (this.failed) return w(null);
    const b = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out);
    this.out = [];
    w(b);
  }
}

const EMPTY = Buffer.alloc(0);
