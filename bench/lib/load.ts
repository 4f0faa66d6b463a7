// Running load from the suite: the scripted load process (autocannon / one request per
// connection, bench/peers/load.ts), wrk for ceilings, and the L4 clients of bench/l4-peers.ts.
// All of them run pinned to the load CPU.

import { fileURLToPath } from 'node:url';
import { output, pinned, stderrTail } from './child.js';
import type { LoadResult, LoadSpec, ScriptedRequest } from './load-spec.js';
import type { PhaseContext } from './scenario.js';
import { HAVE_WRK, wrk } from './wrk.js';

const LOAD = fileURLToPath(new URL('../peers/load.js', import.meta.url));
const L4_PEERS = fileURLToPath(new URL('../l4-peers.js', import.meta.url));

export async function scripted(cpus: string, spec: LoadSpec): Promise<LoadResult> {
  const p = pinned(cpus, process.execPath, [LOAD, JSON.stringify(spec)]);
  const out = await output(p, stderrTail(p));
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult;
}

/** A throughput ceiling: wrk, or the scripted load process when wrk is not installed. */
export function ceiling(ctx: PhaseContext, o: { path: string; connections: number; seconds: number; close?: boolean }): Promise<LoadResult> {
  if (HAVE_WRK) return wrk({ cpus: ctx.loadCpus, port: ctx.port, path: o.path, connections: o.connections, seconds: o.seconds, close: o.close ?? false });
  if (o.close) return scripted(ctx.loadCpus, { kind: 'close', port: ctx.port, connections: o.connections, seconds: o.seconds, path: o.path });
  return scripted(ctx.loadCpus, { kind: 'autocannon', port: ctx.port, connections: o.connections, seconds: o.seconds, requests: [{ path: o.path }] });
}

export function keepAlive(ctx: PhaseContext, connections: number, seconds: number, requests: ScriptedRequest[]): Promise<LoadResult> {
  return scripted(ctx.loadCpus, { kind: 'autocannon', port: ctx.port, connections, seconds, requests });
}

/** bench/l4-peers.ts clients: `bulk PORT CONNS PARALLEL` or `conns PORT TOTAL PARALLEL`. */
export async function l4Client(ctx: PhaseContext, mode: 'bulk' | 'conns', total: number, parallel: number, bytesPerConn = 0): Promise<LoadResult> {
  const p = pinned(ctx.loadCpus, process.execPath, [L4_PEERS, 'client', mode, String(ctx.port), String(total), String(parallel)]);
  const j = JSON.parse((await output(p, stderrTail(p))).trim().split('\n')[0]!) as { bytes?: number; done?: number; failed?: number; seconds: number };
  if (mode === 'bulk') {
    const bytes = j.bytes ?? 0;
    // A connection cut short shows as missing bytes: count the connections they amount to.
    const short = Math.ceil((total * bytesPerConn - bytes) / Math.max(1, bytesPerConn));
    return { requests: total - short, errors: short, bytes, seconds: j.seconds };
  }
  return { requests: j.done ?? 0, errors: j.failed ?? 0, bytes: j.done ?? 0, seconds: j.seconds };
}
