// Head serialization: one Buffer per head, sized exactly, written in one pass.
//
// What HAProxy 2.6 puts on the wire (recorded): single spaces in the start line, the version
// kept at HTTP/1.0 for 1.0 messages and HTTP/1.1 otherwise (HTTP/2.0 etc. become HTTP/1.1),
// lowercase header names, values without surrounding OWS, CRLF line ends, "HTTP/1.1 200 \r\n"
// for an empty reason. Strings are written as latin1 (one byte per char).

import type { HeaderList } from './headers.js';
import type { RawLine, RequestHead, ResponseHead } from './types.js';

export interface SerializeOptions {
  /** Keep header names' case as stored instead of lowercasing them (HAProxy lowercases). */
  preserveNameCase?: boolean;
}

export interface RequestHeadOverrides {
  method?: string;
  uri?: string;
  versionMinor?: 0 | 1;
  headers?: HeaderList;
}

export interface ResponseHeadOverrides {
  status?: number;
  reason?: string;
  versionMinor?: 0 | 1;
  headers?: HeaderList;
}

/** `line`: the start line, or the received one to copy (see RawLine). */
function finish(line: string | RawLine, headers: HeaderList, opts: SerializeOptions | undefined, body?: Uint8Array): Buffer {
  const bodyLength = body ? body.length : 0;
  const lineLength = typeof line === 'string' ? line.length : line.end - line.start;
  const out = Buffer.allocUnsafe(lineLength + headers._byteLength() + 2 + bodyLength);
  let pos = 0;
  if (typeof line === 'string') pos = out.write(line, 0, 'latin1');
  else {
    // A start line is short: a JS loop beats the native copy's call cost.
    const src = line.src;
    for (let k = line.start; k < line.end; k++) out[pos++] = src[k]!;
  }
  pos = headers._writeTo(out, pos, opts?.preserveNameCase === true);
  out[pos++] = 13;
  out[pos++] = 10;
  if (body) {
    out.set(body, pos);
    pos += bodyLength;
  }
  return pos === out.length ? out : out.subarray(0, pos);
}

export function serializeRequestHead(
  head: RequestHead,
  overrides?: RequestHeadOverrides,
  opts?: SerializeOptions,
): Buffer {
  const method = overrides?.method ?? head.method;
  const uri = overrides?.uri ?? head.uri;
  const minor = overrides?.versionMinor ?? head.versionMinor;
  const raw = head.raw;
  const line = raw && raw.a === method && raw.b === uri && minor === head.versionMinor ? raw : `${method} ${uri} HTTP/1.${minor}\r\n`;
  return finish(line, overrides?.headers ?? head.headers, opts);
}

/** `body`: bytes to send right after the head, in the same Buffer (one write for a small response). */
export function serializeResponseHead(
  head: ResponseHead,
  overrides?: ResponseHeadOverrides,
  opts?: SerializeOptions,
  body?: Uint8Array,
): Buffer {
  const status = overrides?.status ?? head.status;
  const reason = overrides?.reason ?? head.reason;
  const minor = overrides?.versionMinor ?? head.versionMinor;
  const raw = head.raw;
  const line = raw && raw.a === status && raw.b === reason && minor === head.versionMinor ? raw : `HTTP/1.${minor} ${status} ${reason}\r\n`;
  return finish(line, overrides?.headers ?? head.headers, opts, body);
}
