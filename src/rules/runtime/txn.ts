// What the rules engine reads and writes while it runs: the interface the HTTP session
// implements. Everything here is plain state; compiled rules never keep a reference to a Txn.

import type { Sample } from './sample.js';

/** Structurally matches the codec's HeaderList. Names given to get/getAll/has/delete are lower-case. */
export interface HeaderAccess {
  readonly count: number;
  name(i: number): string;
  value(i: number): string;
  get(lowerName: string): string | undefined;
  getAll(lowerName: string): string[];
  has(lowerName: string): boolean;
  set(name: string, value: string): void;
  add(name: string, value: string): void;
  delete(lowerName: string): number;
  /** Replace the value of line `i` in place (replace-header/-value keep the line's position;
   * without it the rewritten lines move to the end). */
  setValue?(i: number, value: string): void;
}

export interface RequestView {
  method: string;
  /** The request-target as received or rewritten (origin-form, absolute-form, '*', authority). */
  uri: string;
  versionMinor: 0 | 1;
  readonly headers: HeaderAccess;
}

export interface ResponseView {
  status: number;
  reason: string;
  versionMinor: 0 | 1;
  readonly headers: HeaderAccess;
}

/** The request body as an HTTP stream's buffer holds it (HAProxy's HTX data blocks). */
export interface RequestBody {
  /** The bytes received so far, chunk framing removed, at most what the buffer holds. */
  readonly data: Buffer;
  /**
   * req.body_size: the content-length; for a chunked body, the bytes received plus what the
   * current chunk still announces.
   */
  readonly size: number;
}

export interface ProxyRef {
  readonly name: string;
  readonly id: number;
}

/** Backend and server state for nbsrv(), srv_is_up(), be_conn(), queue(), connslots(), avg_queue(). */
export interface BackendState {
  /** HAProxy's "usable servers": active ones that are up, or the backups when none is. */
  usableServers(backend: string): number;
  serverIsUp(backend: string, server: string): boolean;
  backendConns(backend: string): number;
  backendQueue(backend: string): number;
  connSlots(backend: string): number;
  /** The process is stopping (SIGUSR1, grace period included): the `stopping` fetch. */
  stopping?(): boolean;
}

/**
 * What a TCP-mode stream holds for content inspection (tcp-request/tcp-response content
 * rules, use_backend, use-server). HTTP-mode transactions have none: the payload fetches then
 * find nothing, as on HAProxy's HTX streams.
 */
export interface L4Content {
  /** Request bytes received and not forwarded yet (at most `limit`). */
  req: Buffer;
  /** Response bytes received and not forwarded yet (tcp-response content rules). */
  res: Buffer;
  /** More request / response bytes may still arrive (not closed, buffer not full). */
  reqOpen: boolean;
  resOpen: boolean;
  /** This evaluation is the last one (HAProxy's SMP_OPT_FINAL): inspect-delay over, buffer
   * full, input closed, or no inspect-delay at all. */
  final: boolean;
  /** Set by a fetch that cannot decide yet while not final (HAProxy's SMP_F_MAY_CHANGE). */
  miss: boolean;
  /** tune.bufsize, and what a channel may hold while rules inspect it (bufsize - maxrewrite). */
  readonly bufsize: number;
  readonly limit: number;
}

export interface Txn {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  readonly family: 4 | 6;
  readonly frontend: ProxyRef;
  /** Null until switching: fetches then see the frontend as the backend, as HAProxy does. */
  backend: ProxyRef | null;
  server: ProxyRef | null;
  readonly ssl: boolean;
  readonly sni: string | null;
  req: RequestView | null;
  res: ResponseView | null;
  /** Variables: 'txn.x', 'req.x', 'res.x', 'sess.x' keys ('proc.' ones live in the compiled rules). */
  readonly vars: Map<string, Sample>;
  readonly state: BackendState;
  /** ms since the epoch, for `date` and the %t/%T aliases. */
  readonly now: () => number;
  /**
   * The request line as received, before any rule rewrote it: %HM %HU %HP %HPO %HQ %HV %r
   * print this one, as HAProxy logs the captured line. Falls back to `req` when absent.
   */
  readonly requestLine?: { readonly method: string; readonly uri: string; readonly versionMinor: 0 | 1 };
  /** `name` of the bind line that accepted the connection (so_name), and its numeric id (so_id). */
  readonly bindName?: string;
  readonly bindId?: number;
  /** When the connection was accepted (ms epoch), for %t/%T/%Ts/%ms; defaults to now(). */
  readonly acceptTime?: number;
  /** TCP mode only: the buffered payload the layer-6 fetches read. */
  readonly l4?: L4Content;
  /** HTTP mode only: the request body held so far (req.body, req.body_len ...). */
  reqBody?(): RequestBody;
}
