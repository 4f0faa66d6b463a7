// wrk for throughput ceilings: one thread on the load CPU, its own HdrHistogram (µs) read out
// through a Lua `done` hook as one JSON line. Without wrk installed, the suite falls back to
// its autocannon/closed-loop load process, and says so.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand, output, pinned, stderrTail } from './child.js';
import { PERCENTILES, type LoadResult } from './load-spec.js';

export const HAVE_WRK = hasCommand('wrk');

let script: string | undefined;

function luaScript(): string {
  if (script) return script;
  const ps = PERCENTILES.filter((p) => p < 100)
    .map((p) => String(p))
    .join(', ');
  const lua = `
local ps = { ${ps} }
done = function(summary, latency, requests)
  local parts = {}
  for _, p in ipairs(ps) do parts[#parts + 1] = string.format('"%s":%d', tostring(p), latency:percentile(p)) end
  parts[#parts + 1] = string.format('"100":%d', latency.max)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"latencyUs":{%s}}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ",")))
end
`;
  script = join(mkdtempSync(join(tmpdir(), 'sy-wrk-')), 'report.lua');
  writeFileSync(script, lua);
  return script;
}

export interface WrkRun {
  cpus: string;
  port: number;
  path: string;
  connections: number;
  seconds: number;
  close?: boolean;
}

interface WrkJson {
  requests: number;
  duration_us: number;
  bytes: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  latencyUs: Record<string, number>;
}

export async function wrk(run: WrkRun): Promise<LoadResult> {
  const args = ['-t1', `-c${run.connections}`, `-d${run.seconds}s`, '--timeout', '10s', '-s', luaScript()];
  if (run.close) args.push('-H', 'Connection: close');
  args.push(`http://127.0.0.1:${run.port}${run.path}`);
  const p = pinned(run.cpus, 'wrk', args);
  const out = await output(p, stderrTail(p));
  const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk gave no report: ${out.slice(-300)}`);
  const j = JSON.parse(line.slice(8)) as WrkJson;
  // With Connection: close, wrk counts the server's close after each answer as a read error
  // only when it interrupts a response; the answered requests are the measure either way.
  return {
    requests: j.requests - j.status,
    errors: j.connect + j.read + j.write + j.status + j.timeout,
    bytes: j.bytes,
    seconds: j.duration_us / 1e6,
    latencyUs: j.latencyUs,
  };
}
