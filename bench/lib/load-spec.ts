// What the suite asks of its load process (bench/peers/load.ts) and what comes back: shared
// by both sides of the process boundary, one JSON line each way.

/** Latency percentiles reported everywhere, p50 … p99.99 and the maximum. */
export const PERCENTILES = [50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100] as const;

/** Percentile (as a string key, "99.9") → microseconds. */
export type Percentiles = Record<string, number>;

export interface ScriptedRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
}

export type LoadSpec =
  /** Closed loop over keep-alive connections with autocannon; `requests` cycle per connection. */
  | { kind: 'autocannon'; port: number; connections: number; seconds: number; requests: ScriptedRequest[] }
  /** Closed loop, one request per connection (autocannon cannot: it loses the response). */
  | { kind: 'close'; port: number; connections: number; seconds: number; path: string };

export interface LoadResult {
  /** Requests answered with a 2xx/3xx. */
  requests: number;
  /** Socket errors, timeouts, non-2xx/3xx answers. */
  errors: number;
  /** Bytes received by the load generator. */
  bytes: number;
  seconds: number;
  latencyUs?: Percentiles;
}
