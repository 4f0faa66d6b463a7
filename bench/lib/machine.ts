// Facts about the machine and tools a result was measured with, and the pinning plan.

import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { hasCommand, versionLine } from './child.js';
import { cpuModel } from './proc.js';
import { HAPROXY, ROOT } from './proxies.js';
import type { Facts } from './results.js';

export interface Pinning {
  proxyCpus: string;
  loadCpus: string;
  /** Said when the plan is a compromise (a single core). */
  caveat?: string;
}

/** CPU numbers of a taskset list such as "0,2-3". */
export function cpuList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
  });
}

/** Proxy on CPU 1, everything else on CPU 0; with more cores the load gets the rest. */
export function pinningPlan(cores = availableParallelism()): Pinning {
  if (cores < 2) return { proxyCpus: '0', loadCpus: '0', caveat: 'one CPU: the proxy shares it with the load, figures are only indicative' };
  return { proxyCpus: '1', loadCpus: cores === 2 ? '0' : `0,2-${cores - 1}` };
}

function versionIn(pkgJson: string): string {
  try {
    return (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  } catch {
    return 'absent';
  }
}

const pkgVersion = (name: string): string => versionIn(join(ROOT, 'node_modules', name, 'package.json'));

export function toolVersions(): Record<string, string> {
  const v: Record<string, string> = {};
  v['switchyard'] = versionIn(join(ROOT, 'package.json'));
  const ha = versionLine(HAPROXY, ['-v']);
  if (ha) v['haproxy'] = /version (\S+)/.exec(ha)?.[1] ?? ha;
  if (hasCommand('nginx')) v['nginx'] = /nginx\/(\S+)/.exec(versionLine('nginx', ['-v']) ?? '')?.[1] ?? 'unknown';
  if (hasCommand('wrk')) v['wrk'] = /wrk (\S+)/.exec(versionLine('wrk', ['-v']) ?? '')?.[1] ?? 'unknown';
  v['autocannon'] = pkgVersion('autocannon');
  v['hdr-histogram-js'] = pkgVersion('hdr-histogram-js');
  v['fastify'] = pkgVersion('fastify');
  v['@fastify/http-proxy'] = pkgVersion('@fastify/http-proxy');
  v['undici'] = pkgVersion('undici');
  return v;
}

/** How this process was invoked, as a user would type it. */
export function commandLine(script: string, args: readonly string[]): string {
  const npmScript = process.env['npm_lifecycle_event'];
  if (npmScript) return `npm run ${npmScript}${args.length ? ` -- ${args.join(' ')}` : ''}`;
  return `node ${script}${args.length ? ` ${args.join(' ')}` : ''}`;
}

export function facts(o: { command: string; pin: Pinning; quick: boolean; rounds: number; seconds: number }): Facts {
  return {
    date: new Date().toISOString(),
    command: o.command,
    node: process.version,
    cpu: cpuModel(),
    cores: cpus().length,
    kernel: release(),
    versions: toolVersions(),
    proxyCpus: o.pin.proxyCpus,
    loadCpus: o.pin.loadCpus,
    quick: o.quick,
    rounds: o.rounds,
    seconds: o.seconds,
    loadavgStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
