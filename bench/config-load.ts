// Configuration load + check time on a large generated configuration:
// a defaults section, 10,000 backends of 10 servers each, and one frontend routing 100 of them
// with use_backend rules. Writes the file to a temp dir, then times loadSources() + checkConfig()
// (what `switchyard -c -f FILE` does) over 1 warm-up and 5 measured runs.
//
//   npm run build && node dist/bench/config-load.js
//
// Results go to bench/results/config-load.json (+ .md, one markdown table row).
// Target: < 1 s for load + check.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { checkConfig } from '../src/cli/main.js';
import { loadSources } from '../src/config/load.js';
import { Diagnostics } from '../src/config/diag.js';

const BACKENDS = 10_000;
const SERVERS = 10;
const ROUTED = 100;
const WARMUP = 1;
const RUNS = 5;
const TARGET_MS = 1000;
const COMMAND = 'npm run build && node dist/bench/config-load.js';

export function generateConfig(backends = BACKENDS, servers = SERVERS, routed = ROUTED): string {
  const out: string[] = [
    'global',
    '    log stdout format raw local0',
    '',
    'defaults',
    '    mode http',
    '    log global',
    '    option httplog',
    '    timeout connect 5s',
    '    timeout client 30s',
    '    timeout server 30s',
    '',
    'frontend fe_main',
    '    bind :8080',
  ];
  for (let b = 0; b < routed; b++) out.push(`    acl host_b${b} hdr(host) -i b${b}.example.com`);
  for (let b = 0; b < routed; b++) out.push(`    use_backend be_${b} if host_b${b}`);
  out.push('    default_backend be_0', '');
  for (let b = 0; b < backends; b++) {
    out.push(`backend be_${b}`, '    balance roundrobin');
    for (let s = 0; s < servers; s++) {
      out.push(`    server s${s} 10.${(b >> 8) & 255}.${b & 255}.${s + 1}:8080 check weight ${s + 1}`);
    }
    out.push('');
  }
  return out.join('\n');
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    // not Linux: fall through
  }
  return cpus()[0]?.model ?? 'unknown';
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const round = (x: number): number => Math.round(x * 10) / 10;

interface Sample {
  totalMs: number;
  /** Process CPU time (user + system, all threads: GC helpers included) during the run. */
  cpuMs: number;
  loadMs: number;
  checkMs: number;
  alerts: number;
  warnings: number;
  items: number;
}

function once(file: string): Sample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const pre = new Diagnostics();
  const sources = loadSources([file], pre);
  const t1 = performance.now();
  const { diag } = checkConfig(sources, process.env, undefined, { preDiag: pre });
  const t2 = performance.now();
  const c = process.cpuUsage(c0);
  return { totalMs: t2 - t0, cpuMs: (c.user + c.system) / 1000, loadMs: t1 - t0, checkMs: t2 - t1, alerts: diag.alerts, warnings: diag.warnings, items: diag.items.length };
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-config-'));
  const file = join(dir, 'big.cfg');
  try {
    const text = generateConfig();
    writeFileSync(file, text);
    const lines = text.split('\n').length;
    const bytes = statSync(file).size;
    console.log(`config-load: ${BACKENDS} backends x ${SERVERS} servers, ${ROUTED} routed; ${lines} lines, ${(bytes / 1e6).toFixed(1)} MB`);

    for (let i = 0; i < WARMUP; i++) once(file);
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = once(file);
      samples.push(s);
      console.log(
        `  run ${i + 1}: total ${s.totalMs.toFixed(1)} ms (read ${s.loadMs.toFixed(1)} ms, check ${s.checkMs.toFixed(1)} ms; cpu ${s.cpuMs.toFixed(0)} ms)`,
      );
    }
    const totals = samples.map((s) => s.totalMs);
    const checks = samples.map((s) => s.checkMs);
    const last = samples[samples.length - 1]!;
    const result = {
      bench: 'config-load',
      command: COMMAND,
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpuModel(),
      cpus: cpus().length,
      config: { backends: BACKENDS, serversPerBackend: SERVERS, routedBackends: ROUTED, lines, bytes },
      warmup: WARMUP,
      runs: RUNS,
      totalMs: { min: round(Math.min(...totals)), median: round(median(totals)), all: totals.map(round) },
      checkMs: { min: round(Math.min(...checks)), median: round(median(checks)) },
      readMs: { median: round(median(samples.map((s) => s.loadMs))) },
      cpuMs: { median: round(median(samples.map((s) => s.cpuMs))) },
      loadAverage: loadavg().map(round),
      diagnostics: { alerts: last.alerts, warnings: last.warnings, items: last.items, cap: Diagnostics.MAX_ITEMS },
      targetMs: TARGET_MS,
      withinTarget: median(totals) < TARGET_MS,
    };
    console.log(
      `load+check: min ${result.totalMs.min} ms, median ${result.totalMs.median} ms ` +
        `(check only: min ${result.checkMs.min} ms, median ${result.checkMs.median} ms); ` +
        `target < ${TARGET_MS} ms: ${result.withinTarget ? 'met' : 'MISSED'}`,
    );
    console.log(`diagnostics: ${last.alerts} alerts, ${last.warnings} warnings (${last.items} items, capped at ${Diagnostics.MAX_ITEMS})`);

    const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'config-load.json'), JSON.stringify(result, null, 2) + '\n');
    const md = [
      '| date | bench | config | load+check min | load+check median | check median | target | node | cpu | command |',
      '|---|---|---|---|---|---|---|---|---|---|',
      `| ${result.date} | config-load | ${BACKENDS} backends × ${SERVERS} servers, ${ROUTED} use_backend (${lines} lines) | ` +
        `${result.totalMs.min} ms | ${result.totalMs.median} ms | ${result.checkMs.median} ms | ` +
        `< ${TARGET_MS} ms ${result.withinTarget ? '✅' : '❌'} | ${result.node} | ${result.cpu} (${result.cpus} cpus) | \`${COMMAND}\` |`,
      '',
    ].join('\n');
    writeFileSync(join(resultsDir, 'config-load.md'), md);
    console.log(`wrote ${join(resultsDir, 'config-load.json')} and config-load.md`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
