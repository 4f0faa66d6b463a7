// The proxies the suite compares, and how each is started on the proxy CPU. HAProxy and
// Switchyard read the very same HAProxy-format file; nginx gets the scenario's nginx
// equivalent; the two Node proxies (bench/peers/) take a listen and an origin port.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { hasCommand, pinned, stderrTail, stop } from './child.js';
import { connectWhenUp, treeCpuSeconds } from './proc.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SWITCHYARD = join(ROOT, 'bin', 'switchyard.js');
const PEERS = fileURLToPath(new URL('../peers/', import.meta.url));
export const HAPROXY = '/usr/sbin/haproxy';
/** nginx's stream (L4) module as Debian packages it; the L4 scenarios load it when present. */
export const NGINX_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

export type ProxyId = 'haproxy' | 'switchyard' | 'switchyard-main' | 'switchyard-reuseport' | 'nginx' | 'node-undici' | 'fastify';

/** How a scenario is expressed for a proxy. */
export type ConfigFormat = 'haproxy' | 'nginx' | 'peer';

export interface ProxyDef {
  id: ProxyId;
  /** As tables and charts show it. */
  label: string;
  format: ConfigFormat;
  /** Lines added to the global section (HAProxy format only). */
  extraGlobal?: readonly string[];
  /** Why it cannot run here, with how to fix it; undefined when it can. */
  missing(): string | undefined;
}

const always = (): undefined => undefined;

export const PROXIES: Record<ProxyId, ProxyDef> = {
  haproxy: {
    id: 'haproxy',
    label: 'haproxy 2.6',
    format: 'haproxy',
    missing: () => (existsSync(HAPROXY) ? undefined : `${HAPROXY} not found (optional: apt-get install -y haproxy)`),
  },
  switchyard: { id: 'switchyard', label: 'switchyard', format: 'haproxy', missing: always },
  'switchyard-main': { id: 'switchyard-main', label: 'switchyard (main)', format: 'haproxy', extraGlobal: ['switchyard.accept-mode main'], missing: always },
  'switchyard-reuseport': {
    id: 'switchyard-reuseport',
    label: 'switchyard (reuseport)',
    format: 'haproxy',
    extraGlobal: ['switchyard.accept-mode reuseport'],
    missing: always,
  },
  nginx: {
    id: 'nginx',
    label: 'nginx',
    format: 'nginx',
    missing: () => (hasCommand('nginx') ? undefined : 'nginx not found (optional: apt-get install -y nginx libnginx-mod-stream)'),
  },
  'node-undici': { id: 'node-undici', label: 'node:http + undici', format: 'peer', missing: always },
  fastify: { id: 'fastify', label: '@fastify/http-proxy', format: 'peer', missing: always },
};

/** The proxy's view of a scenario, as files or arguments. */
export interface Launch {
  /** HAProxy-format configuration text (haproxy, switchyard). */
  haproxy?: string;
  /** nginx.conf text; `{prefix}` is replaced with the run's own directory. */
  nginx?: string;
  /** For the Node peers: the listen and origin ports. */
  peer?: { listen: number; origin: number };
  /** Where readiness is checked. */
  port: number;
}

export interface Running {
  def: ProxyDef;
  pid: number;
  /** CPU seconds of the proxy and its descendants (nginx workers), all threads. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Starts `def` on `cpus` with `launch` written under `dir`, and waits until it accepts. */
export async function startProxy(def: ProxyDef, launch: Launch, cpus: string, dir: string): Promise<Running> {
  mkdirSync(dir, { recursive: true });
  let child: ChildProcess;
  if (def.format === 'haproxy') {
    const file = join(dir, 'proxy.cfg');
    writeFileSync(file, withGlobals(launch.haproxy ?? '', def.extraGlobal ?? []));
    child = def.id === 'haproxy' ? pinned(cpus, HAPROXY, ['-f', file, '-db']) : pinned(cpus, process.execPath, [SWITCHYARD, '-f', file, '-db']);
  } else if (def.format === 'nginx') {
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, (launch.nginx ?? '').replaceAll('{prefix}', dir));
    child = pinned(cpus, 'nginx', ['-p', dir, '-c', file, '-e', join(dir, 'error.log')]);
  } else {
    const p = launch.peer!;
    child = pinned(cpus, process.execPath, [join(PEERS, `${def.id}.js`), String(p.listen), String(p.origin)]);
  }
  child.stdout!.resume();
  const err = stderrTail(child);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${def.label} exited with ${code} while starting: ${err().trim().slice(-800)}`))),
  );
  exited.catch(() => undefined);
  try {
    (await Promise.race([connectWhenUp(launch.port), exited])).destroy();
  } catch (e) {
    await stop(child);
    throw e;
  }
  const pid = child.pid!;
  return { def, pid, cpuSeconds: () => treeCpuSeconds(pid), stop: () => stop(child) };
}

/** Inserts `lines` at the top of the global section (adding one if there is none). */
export function withGlobals(cfg: string, lines: readonly string[]): string {
  if (lines.length === 0) return cfg;
  const add = lines.map((l) => `    ${l}`).join('\n');
  const m = /^global[ \t]*$/m.exec(cfg);
  if (!m) return `global\n${add}\n\n${cfg}`;
  const at = m.index + m[0].length;
  return `${cfg.slice(0, at)}\n${add}${cfg.slice(at)}`;
}
