// What `npm run tune` sweeps and how it picks: candidates of nbthread × accept mode × CPU
// placement for this machine, the configuration rewritten for each, and the choice among
// measured candidates (best throughput; within the noise band, the cheapest and simplest).

import { withGlobals } from './proxies.js';
import { cpuList, type Pinning } from './machine.js';
import type { Spread } from './stats.js';

export const ACCEPT_MODES = ['shared', 'main', 'reuseport'] as const;
export type AcceptMode = (typeof ACCEPT_MODES)[number];

/** Where the threads run. */
export type Placement =
  /** Process on the proxy CPUs, no cpu-map: the scheduler places the threads. */
  | 'proxy-cpus'
  /** Process on the proxy CPUs, thread i pinned to proxy CPU i mod n (only differs with n > 1). */
  | 'proxy-cpus-pinned'
  /** --all-cpus: process on every CPU, no cpu-map, sharing the load generator's CPU. */
  | 'all-cpus'
  /** --all-cpus: thread i pinned round-robin over the proxy CPUs first, then the load CPU. */
  | 'all-cpus-pinned';

export interface Candidate {
  threads: number;
  mode: AcceptMode;
  placement: Placement;
  /** taskset list for the process. */
  cpus: string;
  /** cpu-map lines (global). */
  cpuMap: string[];
}

/** tune's own plan: wrk needs one CPU, the proxy may use all the others. */
export function tunePinning(cores: number): Pinning {
  if (cores < 2) return { proxyCpus: '0', loadCpus: '0', caveat: 'one CPU: the proxy shares it with the load generator' };
  return { proxyCpus: cores === 2 ? '1' : `1-${cores - 1}`, loadCpus: '0' };
}

const mapLines = (threads: number, cpus: readonly number[]): string[] => Array.from({ length: threads }, (_, i) => `cpu-map 1/${i + 1} ${cpus[i % cpus.length]}`);

/**
 * The sweep for this machine: nbthread from 1 to the proxy CPU count (at least 2, to show
 * what a second thread costs), every accept mode, and only the placements that differ here:
 * pinning threads inside a single proxy CPU changes nothing, so it is not swept then. The
 * load CPU is left to the load generator unless `allCpus`, whose figures then include the
 * interference with it.
 */
export function candidates(pin: Pinning, allCpus: boolean, threadList?: readonly number[]): Candidate[] {
  const proxy = cpuList(pin.proxyCpus);
  const load = cpuList(pin.loadCpus).filter((c) => !proxy.includes(c));
  const all = [...proxy, ...load];
  const allList = all.slice().sort((a, b) => a - b).join(',');
  const threads = threadList ?? Array.from({ length: Math.max(2, proxy.length) }, (_, i) => i + 1);
  const out: Candidate[] = [];
  for (const t of threads) {
    for (const mode of ACCEPT_MODES) {
      out.push({ threads: t, mode, placement: 'proxy-cpus', cpus: pin.proxyCpus, cpuMap: [] });
      if (proxy.length > 1) out.push({ threads: t, mode, placement: 'proxy-cpus-pinned', cpus: pin.proxyCpus, cpuMap: mapLines(t, proxy) });
      if (allCpus && load.length > 0) {
        out.push({ threads: t, mode, placement: 'all-cpus', cpus: allList, cpuMap: [] });
        if (t > proxy.length) out.push({ threads: t, mode, placement: 'all-cpus-pinned', cpus: allList, cpuMap: mapLines(t, all) });
      }
    }
  }
  return out;
}

export function describe(c: Candidate): string {
  const pinned = c.cpuMap.length ? ', cpu-map per thread' : '';
  return `nbthread ${c.threads}, ${c.mode}, CPU ${c.cpus}${pinned}${c.placement.startsWith('all') ? ' (with the load)' : ''}`;
}

/** A section header line. */
const SECTION = /^(global|defaults|frontend|backend|listen|peers|resolvers|userlist|mailers|program|http-errors|ring|cache)\b/;

/** Removes the global keywords the sweep sets, then sets them for `c`. */
export function retune(cfg: string, c: Candidate): string {
  const SET = /^\s*(nbthread|cpu-map|switchyard\.accept-mode)\b/;
  const out: string[] = [];
  let inGlobal = false;
  for (const line of cfg.split('\n')) {
    const section = SECTION.exec(line);
    if (section) inGlobal = section[1] === 'global';
    if (inGlobal && SET.test(line)) continue;
    out.push(line);
  }
  return withGlobals(out.join('\n'), [`nbthread ${c.threads}`, `switchyard.accept-mode ${c.mode}`, ...c.cpuMap]);
}

/** The port of the first `bind` of the first frontend or listen section, and whether it is TLS. */
export function firstBind(cfg: string): { port: number; tls: boolean } | undefined {
  let inProxy = false;
  for (const raw of cfg.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const section = SECTION.exec(line);
    if (section) inProxy = section[1] === 'frontend' || section[1] === 'listen';
    const m = inProxy ? /^bind\s+(\S+)(.*)$/.exec(line) : null;
    if (!m) continue;
    const port = /:(\d+)$/.exec(m[1]!.replace(/^ipv[46]@/, ''))?.[1];
    if (port) return { port: Number(port), tls: /\bssl\b/.test(m[2] ?? '') };
  }
  return undefined;
}

export interface Measured {
  candidate: Candidate;
  rate: Spread;
  cpuUsPerReq: Spread;
  p99Us: number;
  errors: number;
}

/** Share of the best throughput within which candidates count as tied on this machine. */
export const NOISE_BAND = 0.05;

const PLACEMENT_COST: Record<Placement, number> = { 'proxy-cpus': 0, 'proxy-cpus-pinned': 1, 'all-cpus': 2, 'all-cpus-pinned': 3 };
const simplicity = (m: Measured): number => m.candidate.threads * 10 + (m.candidate.mode === 'shared' ? 0 : 1) + PLACEMENT_COST[m.candidate.placement];

/** Whether `m`'s throughput cannot be told from `top` here: within the band, or its rounds reach it. */
export function tiedWith(m: Pick<Measured, 'rate'>, top: number): boolean {
  return m.rate.median >= top * (1 - NOISE_BAND) || m.rate.max >= top;
}

/**
 * The recommendation: the best median throughput; any candidate tied with it (within
 * NOISE_BAND, or with a round that reached it) is as good on this machine, and among those
 * the lowest CPU per request wins (then fewer threads, the default accept mode, the simpler
 * placement).
 */
export function recommend(ms: readonly Measured[]): { best: Measured; tied: Measured[] } {
  const ok = ms.filter((m) => m.errors === 0 && Number.isFinite(m.rate.median));
  const pool = ok.length ? ok : [...ms];
  const top = Math.max(...pool.map((m) => m.rate.median));
  const tied = pool.filter((m) => tiedWith(m, top));
  tied.sort((a, b) => a.cpuUsPerReq.median - b.cpuUsPerReq.median || simplicity(a) - simplicity(b));
  // CPU per request also moves with noise: prefer the simpler setting unless it costs > NOISE_BAND more.
  const cheapest = tied[0]!;
  const simplest = tied.filter((m) => m.cpuUsPerReq.median <= cheapest.cpuUsPerReq.median * (1 + NOISE_BAND)).sort((a, b) => simplicity(a) - simplicity(b))[0]!;
  return { best: simplest, tied };
}
