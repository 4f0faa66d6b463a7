// The suite's records: one sample per (round, proxy, threads, phase), the figures derived
// from it, and the medians over rounds that the summary and charts show. Written as
// bench/results/<scenario>.json with the machine facts and the exact command.

import { PERCENTILES, type LoadResult, type Percentiles } from './load-spec.js';
import type { ProxyId } from './proxies.js';
import type { Scenario } from './scenario.js';
import { median, spread, type Spread } from './stats.js';

export interface Facts {
  date: string;
  command: string;
  node: string;
  cpu: string;
  cores: number;
  kernel: string;
  versions: Record<string, string>;
  /** taskset lists. */
  proxyCpus: string;
  loadCpus: string;
  quick: boolean;
  rounds: number;
  /** Base phase length in seconds. */
  seconds: number;
  loadavgStart: number[];
  loadavgEnd?: number[];
}

export interface Sample {
  round: number;
  proxy: ProxyId;
  label: string;
  threads: number;
  phase: string;
  load: LoadResult;
  /** CPU seconds of the proxy (all threads, all processes) during the phase. */
  cpuS: number;
  wallS: number;
  /** CPU seconds something else spent on the proxy's CPUs during the phase. */
  foreignS: number;
  attempts: number;
  disturbed: boolean;
}

export interface Derived {
  /** Units (requests or connections) per second, as the load generator saw them. */
  rate: number;
  /** Proxy CPU microseconds per unit. */
  cpuUsPerUnit: number;
  /** Proxy CPU seconds per GB received by the load generator. */
  cpuSPerGB: number;
  GBps: number;
  /** Cores' worth of CPU the proxy used (1.0 = one core saturated). */
  busy: number;
}

export function derive(s: Sample): Derived {
  const units = Math.max(1, s.load.requests);
  const gb = s.load.bytes / 1e9;
  return {
    rate: s.load.requests / s.load.seconds,
    cpuUsPerUnit: (s.cpuS / units) * 1e6,
    cpuSPerGB: gb > 0 ? s.cpuS / gb : NaN,
    GBps: gb / s.load.seconds,
    busy: s.cpuS / s.wallS,
  };
}

export interface Row {
  proxy: ProxyId;
  label: string;
  threads: number;
  phase: string;
  /** Rounds the medians are taken over: the undisturbed ones when there are any. */
  rounds: number;
  /** Rounds measured, disturbed or not. */
  of: number;
  rate: Spread;
  cpuUsPerUnit: Spread;
  cpuSPerGB: Spread;
  GBps: Spread;
  busy: Spread;
  errors: number;
  /** Rounds during which other work ran on the proxy CPU even after retries. */
  disturbed: number;
  /** Median over rounds of each percentile, µs. */
  latencyUs?: Percentiles;
}

export interface Failure {
  round: number;
  proxy: ProxyId;
  threads: number;
  error: string;
}

export interface ScenarioResult {
  scenario: {
    id: string;
    title: string;
    description: string;
    unit: Scenario['unit'];
    cpuPer: Scenario['cpuPer'];
    headline: string;
    latencyPhase?: string;
    phases: { id: string; label: string }[];
  };
  facts: Facts;
  skipped: { proxy: ProxyId; why: string }[];
  failures: Failure[];
  /** The configurations of the first round, for reproducing a figure by hand. */
  configs: Record<string, string>;
  rows: Row[];
  samples: (Sample & Derived)[];
}

/**
 * Medians per (proxy, threads, phase), in first-seen order. Rounds during which something
 * else ran on the proxy CPU are left out when undisturbed ones exist: another process's load
 * moves throughput a lot (CPU per request much less), and ratios should not carry it.
 */
export function summarise(samples: readonly Sample[]): Row[] {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const k = `${s.proxy}|${s.threads}|${s.phase}`;
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  return [...groups.values()].map((all) => {
    const clean = all.filter((s) => !s.disturbed);
    const g = clean.length ? clean : all;
    const d = g.map(derive);
    const first = g[0]!;
    const row: Row = {
      proxy: first.proxy,
      label: first.label,
      threads: first.threads,
      phase: first.phase,
      rounds: g.length,
      of: all.length,
      rate: spread(d.map((x) => x.rate)),
      cpuUsPerUnit: spread(d.map((x) => x.cpuUsPerUnit)),
      cpuSPerGB: spread(d.map((x) => x.cpuSPerGB)),
      GBps: spread(d.map((x) => x.GBps)),
      busy: spread(d.map((x) => x.busy)),
      errors: all.reduce((n, s) => n + s.load.errors, 0),
      disturbed: all.length - clean.length,
    };
    if (g.every((s) => s.load.latencyUs)) {
      const lat: Percentiles = {};
      for (const p of PERCENTILES) lat[String(p)] = median(g.map((s) => s.load.latencyUs![String(p)] ?? NaN));
      row.latencyUs = lat;
    }
    return row;
  });
}
