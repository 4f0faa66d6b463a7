// Moving an HTTP body from one wire to the other without buffering it whole: content-length
// bodies are copied as they arrive, chunked ones are validated by the codec's decoder and
// re-encoded, close-delimited ones run until the sender's FIN. Every wait is bounded by the
// reading side's inactivity timeout; backpressure comes from the writing side's drain.

import type { Wire } from './wire.js';
import { ChunkedDecoder, encodeChunk, encodeLastChunk } from './codec/chunked.js';
import type { Framing } from './codec/framing.js';

export type BodyResult = 'done' | 'timeout' | 'closed' | 'invalid';


/**
 * Forward the body described by `framing` from `from` to `to`. `readTimeout` bounds each wait
 * for bytes, `writeTimeout` each wait for the receiver to drain.
 */
export function forwardBody(framing: Framing, from: Wire, to: Wire, readTimeout: number, writeTimeout: number): BodyResult | Promise<BodyResult> {
  // Most bodies are empty or already buffered whole (a small response): no promise then.
  if (framing.kind === 'none') return 'done';
  if (framing.kind === 'length' && from.length >= framing.length) {
    const w = to.write(from.take(framing.length), writeTimeout);
    if (w === true) return 'done';
    if (w === false) return 'closed';
    return w.then((ok) => (ok ? 'done' : 'closed'));
  }
  return forwardStreamed(framing, from, to, readTimeout, writeTimeout);
}

async function forwardStreamed(framing: Framing, from: Wire, to: Wire, readTimeout: number, writeTimeout: number): Promise<BodyResult> {
  switch (framing.kind) {
    case 'none':
      return 'done';
    case 'length': {
      let left = framing.length;
      while (left > 0) {
        if (from.length === 0) {
          const w = await from.more(readTimeout);
          if (w === 'timeout') return 'timeout';
          if (w !== 'data' && from.length === 0) return 'closed';
        }
        const part = from.take(left);
        left -= part.length;
        if (!(await to.write(part, writeTimeout))) return 'closed';
      }
      return 'done';
    }
    case 'chunked': {
      const dec = new ChunkedDecoder();
      for (;;) {
        if (from.length === 0) {
          const w = await from.more(readTimeout);
          if (w === 'timeout') return 'timeout';
          if (w !== 'data' && from.length === 0) return 'closed';
        }
        const input = from.take(from.length);
        const r = dec.push(input);
        if ('error' in r) return 'invalid';
        // What arrived together leaves as one chunk: HAProxy re-chunks what it holds.
        const data = r.data.length === 1 ? r.data[0]! : Buffer.concat(r.data);
        if (data.length > 0 && !(await to.write(Buffer.concat(encodeChunk(data)), writeTimeout))) return 'closed';
        if (r.done) {
          // Bytes after the last chunk belong to the next (pipelined) message.
          if (r.rest && r.rest.length > 0) from.unshift(r.rest);
          // Trailers are forwarded, as HAProxy does.
          return (await to.write(encodeLastChunk(dec.trailers), writeTimeout)) ? 'done' : 'closed';
        }
      }
    }
    case 'close': {
      for (;;) {
        if (from.length > 0) {
          if (!(await to.write(from.take(from.length), writeTimeout))) return 'closed';
          continue;
        }
        const w = await from.more(readTimeout);
        if (w === 'timeout') return 'timeout';
        if (w !== 'data' && from.length === 0) return w === 'end' ? 'done' : 'closed';
      }
    }
  }
}
