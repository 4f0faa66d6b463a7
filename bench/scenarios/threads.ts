// The thread sweep: the L7 keep-alive ceiling at nbthread 1, 2 (and 4 in the full run) for
// each proxy, every thread on the proxy CPU set. On a machine whose only other core carries
// the load, this measures what extra threads cost rather than what they scale to; the chart
// says so. bench/tune.ts sweeps further (accept modes, cpu-map, spilling onto the load core).

import type { Scenario } from '../lib/scenario.js';
import { httpKeepAlive, keepAliveCeiling } from './http.js';

export function threadSweep(quick: boolean): Scenario {
  return {
    ...httpKeepAlive,
    id: 'threads',
    title: 'Throughput and CPU per request against thread count (L7 keep-alive)',
    description: `The L7 keep-alive ceiling (wrk, 50 connections) with nbthread${quick ? '' : ' (worker_processes for nginx)'} at ${quick ? '1 and 2' : '1, 2 and 4'}, all threads on the proxy CPU set.`,
    // --quick leaves nginx out of the sweep to stay within its two minutes.
    proxies: quick ? ['haproxy', 'switchyard'] : ['haproxy', 'switchyard', 'nginx'],
    threads: quick ? [1, 2] : [1, 2, 4],
    latencyPhase: undefined,
    phases: [keepAliveCeiling],
  };
}
