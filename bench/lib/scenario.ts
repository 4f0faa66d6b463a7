// What a benchmark scenario is: a configuration in each proxy's format, the proxies that run
// it, and the phases of load measured against each of them. The runner (runner.ts) starts
// every proxy on the proxy CPU once per round, runs the phases, and reads /proc around them.

import type { LoadResult } from './load-spec.js';
import type { ProxyId } from './proxies.js';

/** Backends the suite starts once, on the load CPU. */
export interface Origins {
  /** The raw-socket HTTP origin (bench/peers/origin.ts). */
  http: number;
  /** L4: sends the bulk payload on connect (bench/l4-peers.ts). */
  bulk: number;
  /** L4: one byte, then close. */
  tiny: number;
  /** Bytes the bulk backend sends per connection. */
  bulkBytes: number;
}

/** Per-run settings a scenario's configuration must honour. */
export interface Tuning {
  /** nbthread for HAProxy and Switchyard, worker_processes for nginx. */
  threads: number;
}

export interface PhaseContext {
  /** Where the proxy listens. */
  port: number;
  /** taskset list for load generators. */
  loadCpus: string;
  /** Base phase length in seconds (--seconds; shorter with --quick). */
  seconds: number;
}

export interface Phase {
  id: string;
  /** Column heading, e.g. "wrk, 50 connections (ceiling)". */
  label: string;
  /** Planned seconds for a base phase length, for the progress line's estimate. */
  seconds(base: number): number;
  run(ctx: PhaseContext): Promise<LoadResult>;
}

export interface Scenario {
  id: string;
  title: string;
  /** One paragraph for the summary: the load, the sizes, what is compared. */
  description: string;
  proxies: readonly ProxyId[];
  /** nbthread values run (the thread sweep has several; the others [1]). */
  threads: readonly number[];
  /** What a request-like unit is in this scenario's tables. */
  unit: 'req' | 'conn';
  /** The headline CPU figure: per unit (µs) or per GB moved (s). */
  cpuPer: 'unit' | 'GB';
  /** The phase whose figures head the summary; latency comes from `latencyPhase` if set. */
  headline: string;
  latencyPhase?: string;
  haproxy(listen: number, o: Origins, t: Tuning): string;
  nginx?(listen: number, o: Origins, t: Tuning): string;
  /** Optional warm-up before the measured phases (JIT, server pools). */
  warm?(ctx: PhaseContext): Promise<void>;
  phases: readonly Phase[];
}
