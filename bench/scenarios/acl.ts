// An ACL-heavy configuration: 1,000 ACLs (alternately Host matches and path prefixes) and
// 1,000 use_backend rules over 100 backends, driven by a scripted autocannon request list
// that lands on rules spread over the whole list, so a request evaluates ~500 ACLs on
// average in HAProxy and Switchyard. nginx expresses the same routing its own way (a host
// map and prefix locations, both indexed), which is the point of comparing with it.

import { haproxyHttpHead, nginxHttp, nginxUpstream } from '../lib/configs.js';
import { keepAlive } from '../lib/load.js';
import type { ScriptedRequest } from '../lib/load-spec.js';
import type { Origins, Scenario, Tuning } from '../lib/scenario.js';

const ACLS = 1000;
const BACKENDS = 100;
const isHost = (i: number): boolean => i % 2 === 0;
const host = (i: number): string => `h${i}.bench.local`;
const prefix = (i: number): string => `/r${i}/`;

/** 40 requests hitting rules 48, 49, 98, 99, … 999 (Host and path alternately), and one that falls through. */
export function aclRequests(): ScriptedRequest[] {
  const out: ScriptedRequest[] = [];
  for (let i = 49; i < ACLS; i += 50) {
    out.push(isHost(i) ? { path: '/', headers: { host: host(i) } } : { path: `${prefix(i)}item`, headers: { host: 'bench.local' } });
    // 49, 99, … are odd, path rules; their even neighbours are Host rules.
    out.push({ path: '/', headers: { host: host(i - 1) } });
  }
  out.push({ path: '/nowhere', headers: { host: 'unknown.bench.local' } });
  return out;
}

function haproxy(listen: number, o: Origins, t: Tuning): string {
  const lines = [...haproxyHttpHead(t), 'frontend fe', `    bind 127.0.0.1:${listen}`];
  for (let i = 0; i < ACLS; i++) lines.push(isHost(i) ? `    acl a${i} hdr(host) -i ${host(i)}` : `    acl a${i} path_beg ${prefix(i)}`);
  for (let i = 0; i < ACLS; i++) lines.push(`    use_backend be${i % BACKENDS} if a${i}`);
  lines.push('    default_backend be0', '');
  for (let b = 0; b < BACKENDS; b++) lines.push(`backend be${b}`, `    server s 127.0.0.1:${o.http}`, '');
  return lines.join('\n');
}

function nginx(listen: number, o: Origins, t: Tuning): string {
  const upstreams = Array.from({ length: BACKENDS }, (_, b) => nginxUpstream(`be${b}`, o.http, 16));
  const map = ['    map $host $by_host {', '        default be0;'];
  for (let i = 0; i < ACLS; i += 2) map.push(`        ${host(i)} be${i % BACKENDS};`);
  map.push('    }');
  const server = [`    server { listen 127.0.0.1:${listen};`];
  for (let i = 1; i < ACLS; i += 2) server.push(`        location ^~ ${prefix(i)} { proxy_pass http://be${i % BACKENDS}; }`);
  server.push('        location / { proxy_pass http://$by_host; }', '    }');
  return nginxHttp(t, [...upstreams, ...map], server);
}

export const aclHeavy: Scenario = {
  id: 'acl-heavy',
  title: 'ACL-heavy configuration (1,000 ACLs, 100 backends)',
  description:
    '1,000 ACLs (hdr(host) -i and path_beg, alternating) and 1,000 use_backend rules over 100 backends; autocannon (32 keep-alive connections) cycles a script of 41 requests that match rules spread across the list (~500 ACLs evaluated per request) plus one that falls through. nginx routes the same requests with a host map and prefix locations.',
  proxies: ['haproxy', 'switchyard', 'nginx'],
  threads: [1],
  unit: 'req',
  cpuPer: 'unit',
  headline: 'scripted',
  latencyPhase: 'scripted',
  haproxy,
  nginx,
  warm: async (ctx) => {
    await keepAlive(ctx, 32, 1, aclRequests());
  },
  phases: [
    {
      id: 'scripted',
      label: 'autocannon, 32 connections, scripted requests',
      seconds: (base) => base,
      run: (ctx) => keepAlive(ctx, 32, ctx.seconds, aclRequests()),
    },
  ],
};
