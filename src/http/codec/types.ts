// Shapes shared by the HTTP/1 codec's request and response sides.

import type { HeaderList } from './headers.js';

/**
 * How a message body is delimited. 'close' only occurs on responses: the body runs until the
 * server closes. A 'length' of 0 carries no body bytes.
 */
export type Framing =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  | { kind: 'close' };

export type HeadResult<T> =
  | { state: 'incomplete' }
  | { state: 'error'; status: number; reason: string }
  | { state: 'done'; head: T; consumed: number };

/**
 * Codec internal: a start line received already written as HAProxy writes it (single spaces,
 * HTTP/1.0 or HTTP/1.1, CRLF), by its byte range in `src`, with the two parsed words it was
 * read as (method and target, or status and reason). While the head still carries those words
 * the serializer copies these bytes instead of building the line again.
 */
export interface RawLine {
  readonly src: Buffer;
  readonly start: number;
  readonly end: number;
  readonly a: string | number;
  readonly b: string;
}

export interface RequestHead {
  method: string;
  uri: string;
  /** 1 for HTTP/1.1 and for any HTTP/x.y above it (HAProxy forwards those as 1.1); 0 for 1.0 and 0.x. */
  versionMinor: 0 | 1;
  /**
   * Headers as received (names keep their case), except that HAProxy's normalisations are
   * already applied: duplicate Content-Length and Host headers merged into the first, a
   * Content-Length list rewritten to one number, Content-Length removed when
   * Transfer-Encoding is present, obs-fold continuations joined with spaces.
   */
  headers: HeaderList;
  framing: Framing;
  /** Whether the client connection may carry another request after this exchange. */
  keepAlive: boolean;
  /** The Upgrade header's value when Connection carries the "upgrade" token, else null. */
  upgrade: string | null;
  /** HTTP/1.1 with "Expect: 100-continue". */
  expectContinue: boolean;
  /** See RawLine; absent when the line was written otherwise (or the head was built). */
  raw?: RawLine;
}

export interface ResponseHead {
  status: number;
  reason: string;
  versionMinor: 0 | 1;
  headers: HeaderList;
  framing: Framing;
  /** Whether the server connection may carry another request after this response. */
  keepAlive: boolean;
  /** The Upgrade header's value when Connection carries the "upgrade" token, else null. */
  upgrade: string | null;
  /** See RawLine. */
  raw?: RawLine;
}

// Shared immutable framings: most heads get one of these instead of a fresh object.
export const FRAMING_NONE: Framing = Object.freeze({ kind: 'none' as const });
export const FRAMING_CHUNKED: Framing = Object.freeze({ kind: 'chunked' as const });
export const FRAMING_CLOSE: Framing = Object.freeze({ kind: 'close' as const });

export const INCOMPLETE: { readonly state: 'incomplete' } = Object.freeze({ state: 'incomplete' as const });

export function headError(status: number, reason: string): { state: 'error'; status: number; reason: string } {
  return { state: 'error', status, reason };
}
