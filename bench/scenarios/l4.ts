// The L4 scenarios, over bench/l4-peers.ts's backends: bulk transfer (server → client, CPU
// per GB) and connection rate (a one-byte answer per connection, CPU per connection). The
// same measurements as bench/l4.ts (which also covers idle memory), in the suite's rounds.

import { haproxyTcpHead, nginxStream } from '../lib/configs.js';
import { l4Client } from '../lib/load.js';
import type { ProxyId } from '../lib/proxies.js';
import type { Origins, Phase, Scenario, Tuning } from '../lib/scenario.js';

/** The bulk backend's payload per connection; the phase's volume scales with the connections. */
export const BULK_BYTES = 64 * 1024 * 1024;
const BULK_PARALLEL = 4;
/** Connections' worth of bulk per base second (~1.2 GB/s seen here). */
const bulkConns = (seconds: number): number => Math.max(BULK_PARALLEL, Math.round((seconds * 1.2e9) / BULK_BYTES / BULK_PARALLEL) * BULK_PARALLEL);
/** Connections per base second (~4,500/s seen here). */
const conns = (seconds: number): number => Math.round(seconds * 3000);

/** One `listen` section in mode tcp in front of `backend(o)`, and nginx stream likewise. */
function l4Scenario(s: Pick<Scenario, 'id' | 'title' | 'description' | 'cpuPer' | 'warm'> & { proxies: ProxyId[]; backend: (o: Origins) => number; phase: Phase }): Scenario {
  return {
    id: s.id,
    title: s.title,
    description: s.description,
    proxies: s.proxies,
    threads: [1],
    unit: 'conn',
    cpuPer: s.cpuPer,
    headline: s.phase.id,
    ...(s.warm ? { warm: s.warm } : {}),
    haproxy: (port: number, o: Origins, t: Tuning) =>
      [...haproxyTcpHead(t), 'listen l4', `    bind 127.0.0.1:${port}`, `    server s 127.0.0.1:${s.backend(o)}`, ''].join('\n'),
    nginx: (port: number, o: Origins, t: Tuning) => nginxStream(t, port, s.backend(o)),
    phases: [s.phase],
  };
}

export const l4Bulk = l4Scenario({
  id: 'l4-bulk',
  title: 'L4 bulk transfer',
  description: `mode tcp: each connection receives ${BULK_BYTES / 2 ** 20} MiB from the backend, ${BULK_PARALLEL} at a time. HAProxy with option splice-request/response (its fastest), Switchyard with its splice forwarder, nginx stream.`,
  proxies: ['haproxy', 'switchyard', 'nginx'],
  cpuPer: 'GB',
  backend: (o) => o.bulk,
  // As the HTTP scenarios: the measured phase starts with the JIT warm (a second of it).
  warm: async (ctx) => void (await l4Client(ctx, 'bulk', BULK_PARALLEL, BULK_PARALLEL, BULK_BYTES)),
  phase: {
    id: 'bulk',
    label: `${BULK_PARALLEL} parallel connections × ${BULK_BYTES / 2 ** 20} MiB`,
    seconds: (base) => base,
    run: (ctx) => l4Client(ctx, 'bulk', bulkConns(ctx.seconds), BULK_PARALLEL, BULK_BYTES),
  },
});

/** Switchyard's three accept modes in the full run; --quick keeps the default (shared) only. */
export const l4Conn = (quick: boolean): Scenario =>
  l4Scenario({
    id: 'l4-conn',
    title: 'L4 connection rate',
    description: `mode tcp: connect, receive one byte, close; 50 connections in flight.${quick ? '' : ' Switchyard in each accept mode (shared is the default; main and reuseport beside it).'}`,
    proxies: quick ? ['haproxy', 'switchyard', 'nginx'] : ['haproxy', 'switchyard', 'switchyard-main', 'switchyard-reuseport', 'nginx'],
    cpuPer: 'unit',
    backend: (o) => o.tiny,
    warm: async (ctx) => void (await l4Client(ctx, 'conns', conns(1), 50)),
    phase: {
      id: 'conns',
      label: 'one-byte exchanges, 50 in parallel',
      seconds: (base) => base,
      run: (ctx) => l4Client(ctx, 'conns', conns(ctx.seconds), 50),
    },
  });
