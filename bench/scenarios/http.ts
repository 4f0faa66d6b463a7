// The L7 scenarios over the raw-socket origin: keep-alive small responses (the headline of
// issue 4, with the two Node proxies beside HAProxy and nginx), one request per connection,
// and 1 MiB response bodies.

import { haproxyHttpHead, nginxHttp, nginxUpstream } from '../lib/configs.js';
import { ceiling, keepAlive, scripted } from '../lib/load.js';
import type { Origins, Phase, PhaseContext, Scenario, Tuning } from '../lib/scenario.js';

/** One frontend, one backend, one server: the origin. */
function singleBackend(listen: number, o: Origins, t: Tuning): string {
  return [
    ...haproxyHttpHead(t),
    'frontend fe',
    `    bind 127.0.0.1:${listen}`,
    '    default_backend be',
    '',
    'backend be',
    `    server origin 127.0.0.1:${o.http}`,
    '',
  ].join('\n');
}

function singleNginx(listen: number, o: Origins, t: Tuning): string {
  return nginxHttp(t, [nginxUpstream('origin', o.http)], [`    server { listen 127.0.0.1:${listen}; location / { proxy_pass http://origin; } }`]);
}

const warmKeepAlive = async (ctx: PhaseContext): Promise<void> => {
  await ceiling(ctx, { path: '/', connections: 50, seconds: Math.max(1, Math.round(ctx.seconds / 3)) });
};

export const CEILING_CONNECTIONS = 50;

/** wrk at 50 connections: the proxy's ceiling on one core, and its CPU per request there. */
export const keepAliveCeiling: Phase = {
  id: 'ceiling',
  label: `wrk, ${CEILING_CONNECTIONS} keep-alive connections (ceiling)`,
  seconds: (base) => base,
  run: (ctx) => ceiling(ctx, { path: '/', connections: CEILING_CONNECTIONS, seconds: ctx.seconds }),
};

export const httpKeepAlive: Scenario = {
  id: 'http-keepalive',
  title: 'L7 keep-alive, small responses',
  description:
    'GET / over keep-alive client connections; the origin answers 64-byte bodies over keep-alive server connections. ' +
    `Ceiling: wrk (1 thread, ${CEILING_CONNECTIONS} connections). Latency: autocannon, 16 connections, closed loop, every response time in an hdr-histogram-js histogram (µs).`,
  proxies: ['haproxy', 'switchyard', 'nginx', 'node-undici', 'fastify'],
  threads: [1],
  unit: 'req',
  cpuPer: 'unit',
  headline: 'ceiling',
  latencyPhase: 'latency',
  haproxy: singleBackend,
  nginx: singleNginx,
  warm: warmKeepAlive,
  phases: [
    keepAliveCeiling,
    {
      id: 'latency',
      label: 'autocannon, 16 connections',
      seconds: (base) => base,
      run: (ctx) => keepAlive(ctx, 16, ctx.seconds, [{ path: '/' }]),
    },
  ],
};

export const httpClose: Scenario = {
  id: 'http-close',
  title: 'L7 one request per connection',
  description:
    'GET / with `Connection: close`: a new client connection per request (the proxy keeps its server connections alive where it can). ' +
    'Ceiling: wrk, 32 connections. Latency: a closed-loop client, 8 connections, each request timed from connect to close (hdr-histogram-js, µs).',
  proxies: ['haproxy', 'switchyard', 'nginx'],
  threads: [1],
  unit: 'conn',
  cpuPer: 'unit',
  headline: 'ceiling',
  latencyPhase: 'latency',
  haproxy: singleBackend,
  nginx: singleNginx,
  warm: async (ctx) => {
    await ceiling(ctx, { path: '/', connections: 32, seconds: Math.max(1, Math.round(ctx.seconds / 3)), close: true });
  },
  phases: [
    {
      id: 'ceiling',
      label: 'wrk, 32 connections, Connection: close (ceiling)',
      seconds: (base) => base,
      run: (ctx) => ceiling(ctx, { path: '/', connections: 32, seconds: ctx.seconds, close: true }),
    },
    {
      id: 'latency',
      label: 'closed loop, 8 connections',
      seconds: (base) => base,
      run: (ctx) => scripted(ctx.loadCpus, { kind: 'close', port: ctx.port, connections: 8, seconds: ctx.seconds, path: '/' }),
    },
  ],
};

export const httpLarge: Scenario = {
  id: 'http-large',
  title: 'L7 large bodies (1 MiB responses)',
  description: 'GET /large over keep-alive: 1 MiB response bodies streamed through the proxy. wrk, 8 connections; CPU per GB of responses.',
  proxies: ['haproxy', 'switchyard', 'nginx'],
  threads: [1],
  unit: 'req',
  cpuPer: 'GB',
  headline: 'ceiling',
  haproxy: singleBackend,
  nginx: singleNginx,
  warm: async (ctx) => {
    await ceiling(ctx, { path: '/large', connections: 8, seconds: 1 });
  },
  phases: [
    {
      id: 'ceiling',
      label: 'wrk, 8 keep-alive connections',
      seconds: (base) => base,
      run: (ctx) => ceiling(ctx, { path: '/large', connections: 8, seconds: ctx.seconds }),
    },
  ],
};
