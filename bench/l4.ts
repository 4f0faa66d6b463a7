// L4 benchmark, Switchyard side by side with HAProxy in one run, same pinned core:
//   bulk   — CPU seconds per GB forwarded (server → client), HAProxy with splice-request/response
//   conns  — CPU microseconds per new connection (1-byte reply, then close)
//   idle   — resident memory per idle forwarded connection
// Each proxy runs alone on CPU 1 (taskset); the backends and clients run on CPU 0. CPU is
// read from /proc/<pid>/stat around each phase. Switchyard runs once per accept mode.
//
//   npm run build && node dist/bench/l4.js [--quick]
// Writes bench/results/l4.json and bench/results/l4.md.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { connectWhenUp, cpuModel, cpuSeconds, freePort, quiet, rssKiB } from './lib/proc.js';
import { loadAddon } from '../src/native/addon.js';

const quick = process.argv.includes('--quick');
/** Rounds, interleaved (every proxy once per round): medians tame this machine's noise. */
const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? (quick ? 1 : 3));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PEERS = fileURLToPath(new URL('./l4-peers.js', import.meta.url));
const BIN = join(ROOT, 'bin', 'switchyard.js');
const HAPROXY = '/usr/sbin/haproxy';
const PROXY_CPU = availableParallelism() > 1 ? '1' : '0';
const LOAD_CPU = '0';

const BULK_CONNS = 4;
const BULK_BYTES = (quick ? 64 : 256) * 1024 * 1024;
const CONNS = quick ? 2000 : 6000;
const IDLE = quick ? 2000 : 7000; // HAProxy needs ~2.5 fds per maxconn; the sandbox allows 20,000 fds

interface Result {
  proxy: string;
  bulkCpuPerGB: number;
  bulkGBps: number;
  connCpuUs: number;
  connPerS: number;
  connFailed: number;
  idleKiBPerConn: number;
}

function pinned(cpu: string, cmd: string, args: string[]): ChildProcess {
  return spawn('taskset', ['-c', cpu, cmd, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
}

function firstLine(p: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: p.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    p.once('exit', (code) => reject(new Error(`exited with ${code} before answering`)));
  });
}

async function client(args: string[]): Promise<Record<string, number>> {
  const p = pinned(LOAD_CPU, process.execPath, [PEERS, 'client', ...args]);
  const line = await firstLine(p);
  return { ...(JSON.parse(line) as Record<string, number>), pid: p.pid! };
}

function config(ports: { bulk: number; tiny: number; idle: number }, be: { bulk: number; tiny: number; idle: number }, extraGlobal: string, extraDefaults: string): string {
  return [
    'global',
    '    nbthread 1',
    extraGlobal,
    'defaults',
    '    mode tcp',
    '    timeout connect 5s',
    '    timeout client 60s',
    '    timeout server 60s',
    extraDefaults,
    'listen bulk',
    `    bind 127.0.0.1:${ports.bulk}`,
    `    server s 127.0.0.1:${be.bulk}`,
    'listen tiny',
    `    bind 127.0.0.1:${ports.tiny}`,
    `    server s 127.0.0.1:${be.tiny}`,
    'listen idle',
    `    bind 127.0.0.1:${ports.idle}`,
    `    server s 127.0.0.1:${be.idle}`,
    '',
  ]
    .filter((l) => l !== '')
    .join('\n') + '\n';
}

async function measure(name: string, cmd: string, args: (file: string) => string[], cfgText: string, ports: { bulk: number; tiny: number; idle: number }): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-'));
  const file = join(dir, 'proxy.cfg');
  writeFileSync(file, cfgText);
  const proxy = pinned(PROXY_CPU, cmd, args(file));
  proxy.stdout!.resume();
  try {
    for (const p of [ports.bulk, ports.tiny, ports.idle]) (await connectWhenUp(p)).destroy();
    const pid = proxy.pid!;
    await quiet(() => cpuSeconds(pid));
    // Bulk.
    let c0 = cpuSeconds(pid);
    const bulk = await client(['bulk', String(ports.bulk), String(BULK_CONNS), String(BULK_CONNS)]);
    let c1 = cpuSeconds(pid);
    const gb = bulk['bytes']! / 1e9;
    const bulkCpuPerGB = (c1 - c0) / gb;
    // Connection rate, after a warm-up (the JIT: as the suite's scenarios warm up).
    await client(['conns', String(ports.tiny), String(CONNS / 4), '50']);
    await quiet(() => cpuSeconds(pid));
    c0 = cpuSeconds(pid);
    const conns = await client(['conns', String(ports.tiny), String(CONNS), '50']);
    c1 = cpuSeconds(pid);
    // Idle connections.
    const rss0 = rssKiB(pid);
    const idle = pinned(LOAD_CPU, process.execPath, [PEERS, 'client', 'idle', String(ports.idle), String(IDLE)]);
    const idleAns = JSON.parse(await firstLine(idle)) as { open: number };
    // Let the proxy finish connecting the server sides of the last connections.
    await new Promise((r) => setTimeout(r, 500));
    const rss1 = rssKiB(pid);
    idle.stdin!.end();
    await new Promise((r) => idle.once('exit', r));
    const r: Result = {
      proxy: name,
      bulkCpuPerGB,
      bulkGBps: gb / bulk['seconds']!,
      connCpuUs: ((c1 - c0) / Math.max(1, conns['done']!)) * 1e6,
      connPerS: conns['done']! / conns['seconds']!,
      connFailed: conns['failed']!,
      idleKiBPerConn: (rss1 - rss0) / Math.max(1, idleAns.open),
    };
    process.stderr.write(`  ${name}: ${r.bulkCpuPerGB.toFixed(3)} CPU-s/GB, ${r.connCpuUs.toFixed(1)} CPU-us/conn, ${r.idleKiBPerConn.toFixed(2)} KiB/idle conn\n`);
    return r;
  } finally {
    proxy.kill('SIGTERM');
    await new Promise((r) => proxy.once('exit', r));
  }
}

async function main(): Promise<void> {
  const be = { bulk: await freePort(), tiny: await freePort(), idle: await freePort() };
  const backend = pinned(LOAD_CPU, process.execPath, [PEERS, 'backend', String(be.bulk), String(be.tiny), String(be.idle), String(BULK_BYTES)]);
  await firstLine(backend);
  const rounds: Result[][] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
      const results: Result[] = [];
      if (existsSync(HAPROXY)) {
        const ports = { bulk: await freePort(), tiny: await freePort(), idle: await freePort() };
        results.push(
          await measure('haproxy 2.6 (splice)', HAPROXY, (f) => ['-f', f, '-db'], config(ports, be, '    maxconn 7800', '    option splice-request\n    option splice-response'), ports),
        );
      }
      const modes = loadAddon() ? ['main', 'shared', 'reuseport'] : ['worker'];
      for (const mode of modes) {
        const ports = { bulk: await freePort(), tiny: await freePort(), idle: await freePort() };
        const extra = mode === 'worker' ? '' : `    switchyard.accept-mode ${mode}`;
        const env = mode === 'worker' ? ['SWITCHYARD_NO_NATIVE=1'] : [];
        results.push(await measure(`switchyard (${mode})`, 'env', (f) => [...env, process.execPath, BIN, '-f', f], config(ports, be, extra, ''), ports));
      }
      rounds.push(results);
    }
  } finally {
    backend.kill();
  }
  report(rounds);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function report(rounds: Result[][]): void {
  const names = rounds[0]!.map((r) => r.proxy);
  const keys = ['bulkCpuPerGB', 'bulkGBps', 'connCpuUs', 'connPerS', 'connFailed', 'idleKiBPerConn'] as const;
  const spread: Record<string, Record<string, [number, number]>> = {};
  const results: Result[] = names.map((proxy) => {
    const all = rounds.map((rs) => rs.find((r) => r.proxy === proxy)!);
    const m = { proxy } as Result;
    spread[proxy] = {};
    for (const k of keys) {
      const xs = all.map((r) => r[k]);
      m[k] = median(xs);
      spread[proxy]![k] = [Math.min(...xs), Math.max(...xs)];
    }
    return m;
  });
  const ref = results.find((r) => r.proxy.startsWith('haproxy'));
  const ratio = (v: number, r: number | undefined): string => (r ? `${(v / r).toFixed(2)}×` : '—');
  const date = new Date().toISOString();
  const facts = { date, node: process.version, cpu: cpuModel(), cores: availableParallelism(), proxyCpu: PROXY_CPU, loadCpu: LOAD_CPU, quick, bulkBytes: BULK_BYTES * BULK_CONNS, conns: CONNS, idle: IDLE };
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'l4.json'), JSON.stringify({ facts: { ...facts, rounds: rounds.length }, medians: results, spread, rounds }, null, 2) + '\n');
  const lines = [
    '# L4 benchmark',
    '',
    `Command: \`npm run build && node dist/bench/l4.js${quick ? ' --quick' : ''}\` — ${date}, Node ${process.version}, ${facts.cpu} (${facts.cores} cores).`,
    `Each proxy alone on CPU ${PROXY_CPU} (nbthread 1, taskset); backends and clients on CPU ${LOAD_CPU}. Bulk: ${BULK_CONNS} × ${BULK_BYTES / 2 ** 20} MiB server→client; connections: ${CONNS} one-byte exchanges, 50 in parallel; idle: ${IDLE} open connections (the sandbox limits a process to 20,000 fds).`,
    `Medians of ${rounds.length} interleaved round(s); CPU comes from /proc in 10 ms ticks, and this 2-core machine is noisy (single runs moved ±30%): min–max per cell in l4.json.`,
    '',
    '| proxy | bulk CPU-s/GB | vs HAProxy | GB/s | CPU-µs/conn | vs HAProxy | conn/s | idle KiB/conn |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.proxy} | ${r.bulkCpuPerGB.toFixed(3)} | ${ratio(r.bulkCpuPerGB, ref?.bulkCpuPerGB)} | ${r.bulkGBps.toFixed(2)} | ${r.connCpuUs.toFixed(1)} | ${ratio(r.connCpuUs, ref?.connCpuUs)} | ${r.connPerS.toFixed(0)} | ${r.idleKiBPerConn.toFixed(2)} |`,
    ),
    '',
  ];
  writeFileSync(join(out, 'l4.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

void main();
