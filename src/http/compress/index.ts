// HTTP compression (`compression algo|type|offload`), HAProxy 2.6's compression filter:
// negotiated on the request (accept.ts), decided on the server's response head and applied to
// its head (response.ts), then the body is compressed on its way (encoder.ts).
//
// Configuration, as recorded against haproxy 2.6.12: `compression algo` and `compression type`
// lines accumulate (a proxy adds to what its defaults section gave it), each word going in
// front of the list, so the last algorithm named is the first one ("Accept-Encoding: *" picks
// it). A backend's settings win over the frontend's field by field: the backend's algorithms
// if it has any, else the frontend's; the same for types; `offload` when either sets it. A
// backend that inherits compression from its defaults therefore overrides the frontend's.

import type { ProxyModel } from '../../config/model.js';
import type { RequestHead, ResponseHead } from '../codec/types.js';
import { algoNamed, type Algo } from './algos.js';
import { pickAlgo, refusedUserAgent } from './accept.js';
import { compressible, rewriteHead } from './response.js';
import { bodyEncoder, type Encoder } from './encoder.js';

export type { Encoder } from './encoder.js';

/** A proxy's compression settings, compiled once per worker. */
export interface Compression {
  readonly kind: 'compression';
  /** In HAProxy's list order: the last configured first. Empty: none configured here. */
  readonly algos: readonly Algo[];
  /** Content-Type prefixes, ASCII-lowercased. Empty: none configured here. */
  readonly types: readonly string[];
  /** Remove Accept-Encoding from requests this proxy compresses for. */
  readonly offload: boolean;
}

/** What the request allows, decided before it goes to the server. */
export interface Negotiated {
  readonly kind: 'negotiated';
  readonly algo: Algo;
  /** The effective `compression type` list (empty: every type but multipart). */
  readonly types: readonly string[];
  /** Set by `decide` on the server's head; `respond` decides itself when nobody did. */
  verdict: boolean | undefined;
}

export function compressionOf(p: ProxyModel): Compression | null {
  const algoLines = p.lists['compression algo'] ?? [];
  const typeLines = p.lists['compression type'] ?? [];
  const offload = p.settings['compression offload'] !== undefined;
  if (algoLines.length === 0 && typeLines.length === 0 && !offload) return null;
  const algos: Algo[] = [];
  for (const d of algoLines) {
    for (const name of d.args) {
      const a = algoNamed(name);
      if (a) algos.unshift(a);
    }
  }
  const types: string[] = [];
  for (const d of typeLines) for (const t of d.args) types.unshift(asciiLower(t));
  return { kind: 'compression', algos, types, offload };
}

/**
 * Request phase: the backend's settings win over the frontend's where both have them. May
 * rewrite the request (offload removes Accept-Encoding). Null when nothing can be compressed.
 */
export function negotiate(be: Compression | null, fe: Compression | null, req: RequestHead): Negotiated | null {
  if (!be && !fe) return null;
  // Old browsers are refused before anything else: not even offload touches their request.
  if (refusedUserAgent(req.headers.get('user-agent'))) return null;
  const algos = be && be.algos.length > 0 ? be.algos : fe?.algos ?? [];
  if (algos.length === 0) return null;
  let algo = pickAlgo(algos, req.headers);
  if (algo) {
    // HAProxy removes the header only when the client's own choice was taken, so a request
    // that falls back to identity keeps it.
    if (be?.offload || fe?.offload) req.headers.delete('accept-encoding');
  } else {
    // Identity needs no Accept-Encoding: configured, it applies to every request.
    algo = algos.find((a) => a.name === 'identity') ?? null;
    if (!algo) return null;
  }
  const types = be && be.types.length > 0 ? be.types : fe?.types ?? [];
  return { kind: 'negotiated', algo, types, verdict: undefined };
}

/**
 * Decide on the server's response head as it arrived. HAProxy decides here, before the
 * http-response rules, so a rule rewriting Content-Type or Content-Encoding changes nothing.
 */
export function decide(n: Negotiated, req: RequestHead, res: ResponseHead): boolean {
  n.verdict = compressible(n.types, req, res);
  return n.verdict;
}

/**
 * Response phase: when the response is to be compressed, rewrite its head (Content-Encoding,
 * Content-Length removed, framing for the client, Vary, ETag) and return the encoder.
 */
export function respond(n: Negotiated, req: RequestHead, res: ResponseHead): Encoder | null {
  if (!(n.verdict ?? decide(n, req, res))) return null;
  const serverFraming = res.framing;
  rewriteHead(n.algo, res);
  return bodyEncoder(n.algo, serverFraming);
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) | 0x20));
}
