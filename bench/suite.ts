// The benchmark suite: Switchyard beside HAProxy 2.6, nginx and (for L7 keep-alive) two Node
// proxies, on the same configuration and the same pinned CPU, in interleaved rounds.
//
//   npm run bench [-- --quick] [--only ID,ID] [--rounds N] [--seconds N] [--list] [--report]
//
// --report measures nothing: it redraws SUMMARY.md and the charts from the JSON on disk.
// Writes bench/results/<scenario>.json, bench/results/SUMMARY.md and SVG charts there.

import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { firstLine, hasCommand, pinSelf, pinned, stop } from './lib/child.js';
import { nginxStreamMissing } from './lib/configs.js';
import { commandLine, facts, pinningPlan } from './lib/machine.js';
import { freePort } from './lib/proc.js';
import { Progress } from './lib/progress.js';
import { ROOT, type ProxyId } from './lib/proxies.js';
import { derive, summarise, type Facts, type Sample, type ScenarioResult } from './lib/results.js';
import { readScenario, writeCharts, writeScenario, writeSummary } from './lib/report.js';
import { plannedSeconds, roundOrder, runUnit, runnable, type Plan, type ScenarioRun, type Unit } from './lib/runner.js';
import type { Origins, Scenario } from './lib/scenario.js';
import { HAVE_WRK } from './lib/wrk.js';
import { aclHeavy } from './scenarios/acl.js';
import { httpClose, httpKeepAlive, httpLarge } from './scenarios/http.js';
import { BULK_BYTES, l4Bulk, l4Conn } from './scenarios/l4.js';
import { threadSweep } from './scenarios/threads.js';

const RESULTS = join(ROOT, 'bench', 'results');
const HERE = fileURLToPath(new URL('./', import.meta.url));

interface Options {
  quick: boolean;
  rounds: number;
  seconds: number;
  only?: string[];
  list: boolean;
  report: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    return argv[i]!.includes('=') ? argv[i]!.slice(name.length + 1) : argv[i + 1];
  };
  const quick = argv.includes('--quick');
  const num = (name: string, dflt: number): number => {
    const v = value(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!(n > 0)) throw new Error(`${name} expects a positive number, got '${v}'`);
    return n;
  };
  const only = value('--only')?.split(',').filter(Boolean);
  return { quick, rounds: num('--rounds', quick ? 1 : 3), seconds: num('--seconds', quick ? 2 : 4), list: argv.includes('--list'), report: argv.includes('--report'), ...(only ? { only } : {}) };
}

function scenarios(quick: boolean): Scenario[] {
  return [httpKeepAlive, httpClose, httpLarge, l4Bulk, l4Conn(quick), aclHeavy, threadSweep(quick)];
}

/** Proxy/scenario combinations that need more than the proxy itself. */
function extraMissing(s: Scenario, id: ProxyId): string | undefined {
  if (id === 'nginx' && s.id.startsWith('l4-')) return nginxStreamMissing();
  return undefined;
}

async function startOrigins(loadCpus: string): Promise<{ origins: Origins; children: ChildProcess[] }> {
  const http = await freePort();
  const [bulk, tiny, idle] = [await freePort(), await freePort(), await freePort()];
  const o = pinned(loadCpus, process.execPath, [join(HERE, 'peers', 'origin.js'), String(http)]);
  const l4 = pinned(loadCpus, process.execPath, [join(HERE, 'l4-peers.js'), 'backend', String(bulk), String(tiny), String(idle), String(BULK_BYTES)]);
  for (const c of [o, l4]) c.stderr!.pipe(process.stderr);
  await Promise.all([firstLine(o), firstLine(l4)]);
  return { origins: { http, bulk, tiny, bulkBytes: BULK_BYTES }, children: [o, l4] };
}

function printPlan(pin: ReturnType<typeof pinningPlan>, opts: Options, chosen: Scenario[], planned: number): void {
  const w = process.stderr;
  w.write('Pinning plan (taskset):\n');
  w.write(`  CPU ${pin.proxyCpus}: the proxy under test, alone (nbthread 1 / worker_processes 1 unless a scenario sweeps threads)\n`);
  w.write(`  CPU ${pin.loadCpus}: load generators (${HAVE_WRK ? 'wrk, ' : ''}autocannon, L4 clients), the HTTP origin, the L4 backends, this process\n`);
  if (pin.caveat) w.write(`  note: ${pin.caveat}\n`);
  w.write(`Scenarios: ${chosen.map((s) => s.id).join(', ')}; ${opts.rounds} interleaved round(s) of ${opts.seconds} s phases (~${Math.floor(planned / 60)}:${String(Math.round(planned % 60)).padStart(2, '0')} planned)\n`);
  if (!HAVE_WRK) w.write('  note: wrk not installed: ceilings use autocannon (optional: apt-get install -y wrk)\n');
  if (!hasCommand('nginx')) w.write('  note: nginx not installed: its rows are skipped (optional: apt-get install -y nginx libnginx-mod-stream)\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opts = parseArgs(args);
  const all = scenarios(opts.quick);
  if (opts.list) {
    for (const s of all) process.stdout.write(`${s.id.padEnd(16)} ${s.title}\n`);
    return;
  }
  if (opts.report) return redraw(all);
  const unknown = (opts.only ?? []).filter((id) => !all.some((s) => s.id === id));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')} (see --list)`);
  const chosen = opts.only ? all.filter((s) => opts.only!.includes(s.id)) : all;
  const pin = pinningPlan();
  pinSelf(pin.loadCpus);
  const plan: Plan = { rounds: opts.rounds, seconds: opts.seconds, proxyCpus: pin.proxyCpus, loadCpus: pin.loadCpus, retries: opts.quick ? 1 : 2, retryBudgetS: opts.quick ? 8 : 120, disturbedShare: 0.1 };
  const units: Unit[][] = [];
  const runs = new Map<string, ScenarioRun>();
  for (const s of chosen) {
    const { run, skipped } = runnable(s, extraMissing);
    runs.set(s.id, { samples: [], failures: [], skipped, configs: {} });
    units.push(run.flatMap((def) => s.threads.map((threads) => ({ scenario: s, def, threads }))));
  }
  const planned = plannedSeconds(units.flat(), plan);
  const f: Facts = facts({ command: commandLine('dist/bench/suite.js', args), pin, quick: opts.quick, rounds: opts.rounds, seconds: opts.seconds });
  printPlan(pin, opts, chosen, planned);
  mkdirSync(RESULTS, { recursive: true });
  const { origins, children } = await startOrigins(pin.loadCpus);
  const progress = new Progress(planned);
  try {
    for (let round = 0; round < opts.rounds; round++) {
      for (const u of roundOrder(units, round)) {
        const run = runs.get(u.scenario.id)!;
        try {
          run.samples.push(...(await runUnit(u, round, plan, origins, progress, run.configs)));
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          run.failures.push({ round, proxy: u.def.id, threads: u.threads, error });
          progress.note(`  ${u.scenario.id} · ${u.def.label}: ${error}`);
        }
      }
    }
  } finally {
    progress.done();
    await Promise.all(children.map((c) => stop(c)));
  }
  f.loadavgEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  for (const s of chosen) {
    const run = runs.get(s.id)!;
    const result: ScenarioResult = {
      scenario: { id: s.id, title: s.title, description: s.description, unit: s.unit, cpuPer: s.cpuPer, headline: s.headline, ...(s.latencyPhase ? { latencyPhase: s.latencyPhase } : {}), phases: s.phases.map((p) => ({ id: p.id, label: p.label })) },
      facts: f,
      skipped: run.skipped,
      failures: run.failures,
      configs: run.configs,
      rows: summarise(run.samples),
      samples: run.samples.map((x: Sample) => ({ ...x, ...derive(x) })),
    };
    writeScenario(RESULTS, result);
    writeCharts(RESULTS, result);
  }
  // The summary covers every scenario with results on disk, so `--only` refreshes its part.
  const present = all.map((s) => readScenario(RESULTS, s.id)).filter((r): r is ScenarioResult => r !== undefined);
  writeSummary(RESULTS, present, f);
  process.stdout.write(`results: ${RESULTS}/SUMMARY.md (+ ${present.map((r) => `${r.scenario.id}.json`).join(', ')})\n`);
}

/** SUMMARY.md and the charts again from the JSON on disk, the newest run's facts on top. */
function redraw(all: readonly Scenario[]): void {
  const present = all.map((s) => readScenario(RESULTS, s.id)).filter((r): r is ScenarioResult => r !== undefined);
  if (present.length === 0) throw new Error(`no results in ${RESULTS} yet: run the suite first`);
  for (const r of present) {
    // Rows again from the samples, so a change in how medians are taken applies to old runs.
    r.rows = summarise(r.samples);
    writeScenario(RESULTS, r);
    writeCharts(RESULTS, r);
  }
  const latest = present.map((r) => r.facts).sort((a, b) => b.date.localeCompare(a.date))[0]!;
  writeSummary(RESULTS, present, latest);
  process.stdout.write(`redrawn: ${RESULTS}/SUMMARY.md and charts from ${present.length} result file(s)\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
