// HTTP compression (`compression algo|type|offload`). Not implemented yet: the keywords are
// refused as pending, and these hooks do nothing.

import type { ProxyModel } from '../../config/model.js';
import type { RequestHead, ResponseHead } from '../codec/types.js';
import type { BodyResult } from '../body.js';
import type { Wire } from '../wire.js';

/** A proxy's compression settings, compiled once per worker. */
export interface Compression {
  readonly kind: 'compression';
}

/** What the request allows, decided before it goes to the server. */
export interface Negotiated {
  readonly kind: 'negotiated';
}

/** Compresses one response body on its way to the client. */
export interface Encoder {
  /** Forward the server's body (original framing captured by `respond`) compressed to `to`. */
  forward(from: Wire, to: Wire, readTimeout: number, writeTimeout: number): Promise<BodyResult>;
}

export function compressionOf(_p: ProxyModel): Compression | null {
  return null;
}

/**
 * Request phase: the backend's settings win over the frontend's where both have them. May
 * rewrite the request (offload removes Accept-Encoding). Null when nothing can be compressed.
 */
export function negotiate(_be: Compression | null, _fe: Compression | null, _req: RequestHead): Negotiated | null {
  return null;
}

/**
 * Response phase: when the response is to be compressed, rewrite its head (Content-Encoding,
 * Content-Length removed, framing for the client, Vary, ETag) and return the encoder.
 */
export function respond(_n: Negotiated, _req: RequestHead, _res: ResponseHead): Encoder | null {
  return null;
}
