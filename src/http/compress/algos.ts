// The algorithms `compression algo` may name, as HAProxy 2.6 lists them in `haproxy -vv`:
// identity("identity"), deflate("deflate"), raw-deflate("deflate"), gzip("gzip"). The name in
// brackets is the Accept-Encoding token each answers and the Content-Encoding it sends, so
// raw-deflate and deflate answer the same token (one zlib-wrapped, one bare).

import zlib from 'node:zlib';

export type AlgoName = 'identity' | 'gzip' | 'deflate' | 'raw-deflate';

/** A zlib compressor stream (gzip, zlib-wrapped or raw deflate). */
export type Compressor = zlib.Gzip | zlib.Deflate | zlib.DeflateRaw;

export interface Algo {
  readonly name: AlgoName;
  /** The Accept-Encoding token it answers and the Content-Encoding value it sends. */
  readonly token: string;
  /** A fresh compressor; null for identity, whose body goes through unchanged (re-chunked). */
  readonly create: (() => Compressor) | null;
}

/**
 * HAProxy starts each compression at `tune.comp.maxlevel`, 1 by default: cheap on the CPU,
 * most of the gain on text. That global is not read yet, so the default applies.
 */
const LEVEL = 1;

const ALGOS: Readonly<Record<AlgoName, Algo>> = {
  identity: { name: 'identity', token: 'identity', create: null },
  gzip: { name: 'gzip', token: 'gzip', create: () => zlib.createGzip({ level: LEVEL }) },
  deflate: { name: 'deflate', token: 'deflate', create: () => zlib.createDeflate({ level: LEVEL }) },
  'raw-deflate': { name: 'raw-deflate', token: 'deflate', create: () => zlib.createDeflateRaw({ level: LEVEL }) },
};

/** The algorithm configured under `name` (case-sensitive, as HAProxy's parser is). */
export function algoNamed(name: string): Algo | undefined {
  return Object.hasOwn(ALGOS, name) ? ALGOS[name as AlgoName] : undefined;
}
