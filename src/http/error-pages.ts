// HAProxy 2.6's built-in error messages, recorded from the real haproxy 2.6.12 (an
// `http-request deny deny_status N` per code, and the 400/408 its HTTP/1 layer sends on a bad
// or late request). Two wire forms exist: replies built by the stream (deny, 502, 503, 504)
// go out with lower-case header names; the HTTP/1 layer's own 400/408, sent before any
// stream exists, keep the message's original spelling (`Content-length`, `Connection: close`).

export interface ErrorPage {
  readonly reason: string;
  readonly body: string;
  /** The message itself says `Connection: close` (400 and 408). */
  readonly close?: boolean;
}

export const ERROR_PAGES: ReadonlyMap<number, ErrorPage> = new Map<number, ErrorPage>([
  [200, { reason: "OK", body: "<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n" }],
  [400, { reason: "Bad request", body: "<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n", close: true }],
  [401, { reason: "Unauthorized", body: "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n" }],
  [403, { reason: "Forbidden", body: "<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n" }],
  [404, { reason: "Not Found", body: "<html><body><h1>404 Not Found</h1>\nThe resource could not be found.\n</body></html>\n" }],
  [405, { reason: "Method Not Allowed", body: "<html><body><h1>405 Method Not Allowed</h1>\nA request was made of a resource using a request method not supported by that resource\n</body></html>\n" }],
  [407, { reason: "Unauthorized", body: "<html><body><h1>407 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n" }],
  [408, { reason: "Request Time-out", body: "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n", close: true }],
  [410, { reason: "Gone", body: "<html><body><h1>410 Gone</h1>\nThe resource is no longer available and will not be available again.\n</body></html>\n" }],
  [413, { reason: "Payload Too Large", body: "<html><body><h1>413 Payload Too Large</h1>\nThe request entity exceeds the maximum allowed.\n</body></html>\n" }],
  [425, { reason: "Too Early", body: "<html><body><h1>425 Too Early</h1>\nYour browser sent early data.\n</body></html>\n" }],
  [429, { reason: "Too Many Requests", body: "<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a given amount of time.\n</body></html>\n" }],
  [500, { reason: "Internal Server Error", body: "<html><body><h1>500 Internal Server Error</h1>\nAn internal server error occurred.\n</body></html>\n" }],
  [501, { reason: "Not Implemented", body: "<html><body><h1>501 Not Implemented</h1>\n.The server does not support the functionality required to fulfill the request.\n</body></html>\n" }],
  [502, { reason: "Bad Gateway", body: "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n" }],
  [503, { reason: "Service Unavailable", body: "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n" }],
  [504, { reason: "Gateway Time-out", body: "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n" }],
]);

/** Codes that have a built-in page (and so may appear in `errorfile` / `deny_status`). */
export const ERROR_CODES: readonly number[] = [...ERROR_PAGES.keys()];

/** The reply as the stream sends it (lower-case names). */
export function streamReply(status: number): Buffer {
  const p = ERROR_PAGES.get(status) ?? ERROR_PAGES.get(500)!;
  const code = ERROR_PAGES.has(status) ? status : 500;
  const body = Buffer.from(p.body, 'latin1');
  return Buffer.from(
    `HTTP/1.1 ${code} ${p.reason}\r\ncontent-length: ${body.length}\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n${p.close ? 'connection: close\r\n' : ''}\r\n${p.body}`,
    'latin1',
  );
}

/** 422, which only the HTTP/1 layer sends (a Transfer-Encoding other than chunked). */
const UNPROCESSABLE: ErrorPage = {
  reason: 'Unprocessable Content',
  body: '<html><body><h1>422 Unprocessable Content</h1>\nThe server cannot process the contained instructions.\n</body></html>\n',
};

export type MuxStatus = 400 | 408 | 422;

export function isMuxStatus(s: number): s is MuxStatus {
  return s === 400 || s === 408 || s === 422;
}

/**
 * The reply as the HTTP/1 layer sends it before a stream exists (400, 408, 422): the
 * message's own spelling; 400 and 408 say `Connection: close`, 422 does not (recorded).
 */
export function muxReply(status: MuxStatus): Buffer {
  const p = status === 422 ? UNPROCESSABLE : ERROR_PAGES.get(status)!;
  return Buffer.from(
    `HTTP/1.1 ${status} ${p.reason}\r\nContent-length: ${Buffer.byteLength(p.body, 'latin1')}\r\nCache-Control: no-cache\r\n${status === 422 ? '' : 'Connection: close\r\n'}Content-Type: text/html\r\n\r\n${p.body}`,
    'latin1',
  );
}
