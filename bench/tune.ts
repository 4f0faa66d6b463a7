// `npm run tune -- -f CFG`: which nbthread, accept mode and CPU placement serve this
// configuration best on this machine. Sweeps the candidates of lib/tune-plan.ts in
// interleaved rounds, each one a Switchyard child with the configuration's global section
// rewritten, loaded with wrk (autocannon without it) on the load CPU, CPU read from /proc.
// Prints every figure, the recommendation and the lines to put in `global`.
//
//   npm run tune -- -f haproxy.cfg [--url http://127.0.0.1:8080/path] [--close]
//                   [--connections 50] [--seconds 3] [--rounds 3] [--quick] [--threads 1,2]
//                   [--all-cpus]
//   npm run tune -- --demo      (the `npm start` demo configuration)
//
// The load generator keeps CPU 0; the proxy gets the others. --all-cpus also tries placements
// that share CPU 0, whose figures then include fighting the load generator for it.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { demoConfig } from '../src/demo/config.js';
import { pinSelf } from './lib/child.js';
import { ceiling } from './lib/load.js';
import { cpuList } from './lib/machine.js';
import { freePort } from './lib/proc.js';
import { ROOT, startProxy, type ProxyDef } from './lib/proxies.js';
import { readScenario } from './lib/report.js';
import type { PhaseContext } from './lib/scenario.js';
import { fmt, spread } from './lib/stats.js';
import { Progress } from './lib/progress.js';
import { candidates, describe, firstBind, recommend, retune, tiedWith, tunePinning, NOISE_BAND, type Candidate, type Measured } from './lib/tune-plan.js';
import { HAVE_WRK } from './lib/wrk.js';

interface Args {
  file?: string;
  demo: boolean;
  url?: string;
  close: boolean;
  allCpus: boolean;
  connections: number;
  seconds: number;
  rounds: number;
  threads?: number[];
}

function parse(argv: readonly string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
  };
  const quick = argv.includes('--quick');
  const num = (name: string, d: number): number => {
    const v = get(name);
    const n = v === undefined ? d : Number(v);
    if (!(n > 0) || !Number.isInteger(n)) throw new Error(`${name} expects a positive integer`);
    return n;
  };
  const threads = get('--threads')?.split(',').map(Number);
  const file = get('-f');
  const url = get('--url');
  return {
    ...(file ? { file } : {}),
    ...(url ? { url } : {}),
    ...(threads ? { threads } : {}),
    demo: argv.includes('--demo'),
    close: argv.includes('--close'),
    allCpus: argv.includes('--all-cpus'),
    connections: num('--connections', 50),
    seconds: num('--seconds', quick ? 2 : 3),
    rounds: num('--rounds', quick ? 1 : 3),
  };
}

const canBind = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

async function demoFile(dir: string): Promise<string> {
  // The demo binds base, base+1, base+2: find three free ports in a row.
  for (let i = 0; i < 50; i++) {
    const base = await freePort();
    if ((await canBind(base + 1)) && (await canBind(base + 2))) {
      const file = join(dir, 'demo.cfg');
      writeFileSync(file, demoConfig(base));
      return file;
    }
  }
  throw new Error('no free ports for the demo');
}

const SWITCHYARD: ProxyDef = { id: 'switchyard', label: 'switchyard', format: 'haproxy', missing: () => undefined };

async function measure(c: Candidate, cfg: string, port: number, path: string, a: Args, loadCpus: string, dir: string): Promise<{ rate: number; cpuUs: number; p99: number; errors: number }> {
  const proxy = await startProxy(SWITCHYARD, { haproxy: retune(cfg, c), port }, c.cpus, join(dir, 'run'));
  try {
    const ctx: PhaseContext = { port, loadCpus, seconds: a.seconds };
    const load = { path, connections: a.connections, close: a.close };
    await ceiling(ctx, { ...load, seconds: 1 });
    const c0 = proxy.cpuSeconds();
    const r = await ceiling(ctx, { ...load, seconds: a.seconds });
    const cpuS = proxy.cpuSeconds() - c0;
    return { rate: r.requests / r.seconds, cpuUs: (cpuS / Math.max(1, r.requests)) * 1e6, p99: r.latencyUs?.['99'] ?? NaN, errors: r.errors };
  } finally {
    await proxy.stop();
  }
}

function table(ms: readonly Measured[], best: Measured): string {
  const rows = [...ms].sort((x, y) => y.rate.median - x.rate.median);
  const lines = ['  candidate                                         req/s (min–max)            CPU-µs/req   p99      errors'];
  for (const m of rows) {
    const mark = m === best ? '→' : ' ';
    const rate = `${fmt(m.rate.median)} (${fmt(m.rate.min)}–${fmt(m.rate.max)})`;
    lines.push(`${mark} ${describe(m.candidate).padEnd(49)} ${rate.padEnd(26)} ${fmt(m.cpuUsPerReq.median).padStart(10)}   ${(m.p99Us / 1000).toFixed(2).padStart(5)} ms ${String(m.errors).padStart(6)}`);
  }
  return lines.join('\n');
}

/**
 * The suite's own thread sweep beside tune's figures for the same placement (every thread on
 * the proxy CPU, the default accept mode), and whether the suite's figures support the
 * recommended nbthread: it measured best there, or within the noise of its best.
 */
function suiteEvidence(measured: readonly Measured[], best: Measured): string[] {
  const r = readScenario(join(ROOT, 'bench', 'results'), 'threads');
  const rows = (r?.rows.filter((x) => x.proxy === 'switchyard') ?? []).sort((a, b) => a.threads - b.threads);
  if (!r || rows.length === 0) return ['The suite has no thread sweep on disk yet (npm run bench) to compare with.'];
  const mine = (t: number): Measured | undefined => measured.find((m) => m.candidate.threads === t && m.candidate.mode === 'shared' && m.candidate.placement === 'proxy-cpus');
  const lines = [
    `Cross-check with the suite (bench/results/threads.json, ${r.facts.date}; L7 keep-alive through one backend, every thread on CPU ${r.facts.proxyCpus}, accept mode shared):`,
    ...rows.map((x) => {
      const m = mine(x.threads);
      const suite = `suite ${fmt(x.rate.median)} req/s (${fmt(x.rate.min)}–${fmt(x.rate.max)}), ${fmt(x.cpuUsPerUnit.median)} CPU-µs/req`;
      return `  nbthread ${x.threads}: ${suite}; here ${m ? `${fmt(m.rate.median)} req/s, ${fmt(m.cpuUsPerReq.median)} CPU-µs/req` : 'not measured'}`;
    }),
  ];
  const top = Math.max(...rows.map((x) => x.rate.median));
  const rec = rows.find((x) => x.threads === best.candidate.threads);
  if (!rec) lines.push(`  The suite did not measure nbthread ${best.candidate.threads}.`);
  else if (tiedWith({ rate: rec.rate }, top)) {
    lines.push(`  The suite's figures support nbthread ${rec.threads}: ${rec.rate.median === top ? 'its best throughput' : `within the noise of its best (${fmt(rec.rate.median)}–${fmt(rec.rate.max)} vs ${fmt(top)} req/s)`}.`);
  } else {
    lines.push(`  The suite's figures do not support nbthread ${rec.threads}: ${fmt(rec.rate.median)} req/s against ${fmt(top)} for its best; the workloads differ (this configuration is not the suite's), or rerun both with more rounds.`);
  }
  return lines;
}

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  if (!a.file && !a.demo) throw new Error('usage: npm run tune -- -f CFG [--url URL] [--close] [--quick]   (or --demo)');
  const dir = mkdtempSync(join(tmpdir(), 'sy-tune-'));
  try {
    const file = a.file ?? (await demoFile(dir));
    const cfg = readFileSync(file, 'utf8');
    const check = spawnSync(process.execPath, [join(ROOT, 'bin', 'switchyard.js'), '-c', '-f', file], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`the configuration does not load:\n${check.stdout}${check.stderr}`);
    let port: number;
    let path = '/';
    if (a.url) {
      const u = new URL(a.url);
      port = Number(u.port || 80);
      path = `${u.pathname}${u.search}`;
    } else {
      const b = firstBind(cfg);
      if (!b) throw new Error('no bind found in a frontend or listen section: pass --url http://127.0.0.1:PORT/PATH');
      if (b.tls) throw new Error('the first bind uses TLS, which tune does not drive yet: pass --url to a plain HTTP bind');
      port = b.port;
    }
    const pin = tunePinning(cpus().length);
    pinSelf(pin.loadCpus);
    const list = candidates(pin, a.allCpus, a.threads);
    const w = process.stderr;
    w.write(`tune: ${a.file ?? 'the demo configuration'} on ${cpus()[0]?.model ?? 'this machine'} (${cpus().length} cores)\n`);
    w.write(`  load: ${HAVE_WRK ? 'wrk' : 'autocannon (apt-get install -y wrk for a higher ceiling)'} on CPU ${pin.loadCpus}, ${a.connections} ${a.close ? 'one-request' : 'keep-alive'} connections, GET http://127.0.0.1:${port}${path}\n`);
    w.write(`  proxy CPU(s): ${pin.proxyCpus}; ${list.length} candidates × ${a.rounds} interleaved round(s) of ${a.seconds} s (~${Math.ceil((list.length * a.rounds * (a.seconds + 2)) / 60)} min)\n`);
    if (cpuList(pin.proxyCpus).length === 1) w.write(`  cpu-map: with one proxy CPU every thread runs on CPU ${pin.proxyCpus} pinned or not, so pinning is not swept${a.allCpus ? ' there' : ' (--all-cpus adds placements over CPU 0 too)'}\n`);
    if (pin.caveat) w.write(`  note: ${pin.caveat}\n`);
    const raw = new Map<Candidate, { rate: number[]; cpu: number[]; p99: number[]; errors: number }>(list.map((c) => [c, { rate: [], cpu: [], p99: [], errors: 0 }]));
    const progress = new Progress(list.length * a.rounds * (a.seconds + 2));
    for (let round = 0; round < a.rounds; round++) {
      for (let i = 0; i < list.length; i++) {
        const c = list[(i + round) % list.length]!;
        progress.step(`round ${round + 1}/${a.rounds} · ${describe(c)}`, a.seconds + 2);
        const r = await measure(c, cfg, port, path, a, pin.loadCpus, dir);
        const acc = raw.get(c)!;
        acc.rate.push(r.rate);
        acc.cpu.push(r.cpuUs);
        acc.p99.push(r.p99);
        acc.errors += r.errors;
      }
    }
    progress.done();
    const measured: Measured[] = list.map((c) => {
      const acc = raw.get(c)!;
      return { candidate: c, rate: spread(acc.rate), cpuUsPerReq: spread(acc.cpu), p99Us: spread(acc.p99).median, errors: acc.errors };
    });
    const { best, tied } = recommend(measured);
    const out = [
      table(measured, best),
      '',
      `Recommendation: ${describe(best.candidate)} — ${fmt(best.rate.median)} req/s at ${fmt(best.cpuUsPerReq.median)} CPU-µs/req (medians of ${a.rounds} round(s)).`,
      tied.length > 1
        ? `  ${tied.length} candidates tie on throughput (within ${NOISE_BAND * 100}% of the best, or a round reaching it: ${tied.map((m) => describe(m.candidate)).join('; ')}); among them it costs the least CPU per request, the simpler setting winning within ${NOISE_BAND * 100}%.`
        : `  No other candidate came within ${NOISE_BAND * 100}% of its throughput in any round.`,
      '',
      'In the global section:',
      `    nbthread ${best.candidate.threads}`,
      `    switchyard.accept-mode ${best.candidate.mode}`,
      ...best.candidate.cpuMap.map((l) => `    ${l}`),
      `and start it with: taskset -c ${best.candidate.cpus} switchyard -f ${a.file ?? 'CFG'}`,
      '',
      ...suiteEvidence(measured, best),
      '',
    ];
    process.stdout.write(out.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`tune: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
