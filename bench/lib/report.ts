// From results to what a reader sees: bench/results/<scenario>.json, the markdown summary
// (bench/results/SUMMARY.md, ratios to HAProxy per scenario, issue 4's L7 targets) and the
// SVG charts (latency by percentile per proxy; throughput and CPU per request against threads).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PERCENTILES } from './load-spec.js';
import type { ProxyId } from './proxies.js';
import type { Facts, Row, ScenarioResult } from './results.js';
import { fmt, ratio, type Spread } from './stats.js';
import { linearTicks, logTicks, renderChart, type Panel, type Series } from './svg.js';

const COLORS: Record<ProxyId, string> = {
  haproxy: '#1f77b4',
  switchyard: '#d62728',
  'switchyard-main': '#e377c2',
  'switchyard-reuseport': '#8c564b',
  nginx: '#2ca02c',
  'node-undici': '#9467bd',
  fastify: '#ff7f0e',
};

export function writeScenario(dir: string, r: ScenarioResult): void {
  writeFileSync(join(dir, `${r.scenario.id}.json`), JSON.stringify(r, null, 2) + '\n');
}

export function readScenario(dir: string, id: string): ScenarioResult | undefined {
  const f = join(dir, `${id}.json`);
  if (!existsSync(f)) return undefined;
  try {
    const r = JSON.parse(readFileSync(f, 'utf8')) as ScenarioResult;
    return r.scenario && Array.isArray(r.rows) ? r : undefined;
  } catch {
    return undefined;
  }
}

const ms = (us: number | undefined): string => (us === undefined || !Number.isFinite(us) ? '—' : us >= 10_000 ? `${(us / 1000).toFixed(1)} ms` : `${(us / 1000).toFixed(2)} ms`);

/** "52.1 (48.0–55.3)" when rounds disagree, else the median alone. */
function cell(s: Spread, digits?: number): string {
  if (!Number.isFinite(s.median)) return '—';
  if (s.min === s.max) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} <sub>${fmt(s.min, digits)}–${fmt(s.max, digits)}</sub>`;
}

function cpuFigure(r: ScenarioResult, row: Row): Spread {
  return r.scenario.cpuPer === 'GB' ? row.cpuSPerGB : row.cpuUsPerUnit;
}

function cpuHeading(r: ScenarioResult): string {
  return r.scenario.cpuPer === 'GB' ? 'CPU-s/GB' : `CPU-µs/${r.scenario.unit}`;
}

function rateHeading(r: ScenarioResult): string {
  return r.scenario.cpuPer === 'GB' ? 'GB/s' : `${r.scenario.unit}/s`;
}

function rateFigure(r: ScenarioResult, row: Row): Spread {
  return r.scenario.cpuPer === 'GB' ? row.GBps : row.rate;
}

/** The headline row of `proxy` at one thread. */
function headline(r: ScenarioResult, proxy: ProxyId, phase = r.scenario.headline): Row | undefined {
  return r.rows.find((x) => x.proxy === proxy && x.phase === phase && x.threads === 1);
}

function phaseTable(r: ScenarioResult, phase: { id: string; label: string }): string[] {
  const rows = r.rows.filter((x) => x.phase === phase.id);
  if (rows.length === 0) return [];
  const withLatency = rows.some((x) => x.latencyUs);
  const sweep = new Set(rows.map((x) => x.threads)).size > 1;
  const head = ['proxy', ...(sweep ? ['threads'] : []), rateHeading(r), 'vs HAProxy', cpuHeading(r), 'vs HAProxy', 'proxy CPU busy'];
  if (withLatency) head.push('p50', 'p90', 'p99', 'p99.9', 'p99.99');
  head.push('errors');
  const lines = [`**${phase.label}**`, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const ref = r.rows.find((x) => x.proxy === 'haproxy' && x.phase === phase.id && x.threads === row.threads);
    // ⚠: every round was disturbed; "2/3": the medians leave out a disturbed round.
    const note = row.disturbed === row.of ? ' ⚠' : row.disturbed ? ` <sub>${row.rounds}/${row.of} rounds</sub>` : '';
    const cells = [row.label + note, ...(sweep ? [String(row.threads)] : [])];
    cells.push(cell(rateFigure(r, row)), ratio(rateFigure(r, row).median, ref && rateFigure(r, ref).median));
    cells.push(cell(cpuFigure(r, row)), ratio(cpuFigure(r, row).median, ref && cpuFigure(r, ref).median));
    cells.push(`${Math.round(row.busy.median * 100)}%`);
    if (withLatency) for (const p of ['50', '90', '99', '99.9', '99.99']) cells.push(ms(row.latencyUs?.[p]));
    cells.push(String(row.errors));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
  return lines;
}

function machine(f: Facts): string {
  return `${f.cpu} (${f.cores} cores), Linux ${f.kernel}, Node ${f.node}`;
}

function tools(f: Facts): string {
  return Object.entries(f.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** The Switchyard-vs-HAProxy line of the top table. */
function ratioRow(r: ScenarioResult): string | undefined {
  const sy = headline(r, 'switchyard');
  const ha = headline(r, 'haproxy');
  if (!sy) return undefined;
  const lat = r.scenario.latencyPhase;
  const syl = lat ? headline(r, 'switchyard', lat)?.latencyUs?.['99'] : undefined;
  const hal = lat ? headline(r, 'haproxy', lat)?.latencyUs?.['99'] : undefined;
  return `| ${r.scenario.title} | ${fmt(cpuFigure(r, sy).median)} ${cpuHeading(r)} | ${ha ? fmt(cpuFigure(r, ha).median) : '—'} | **${ratio(cpuFigure(r, sy).median, ha && cpuFigure(r, ha).median)}** | ${ratio(rateFigure(r, sy).median, ha && rateFigure(r, ha).median)} | ${ms(syl)} / ${ms(hal)} |`;
}

/** Issue 4's acceptance figures, from the keep-alive scenario. */
function targets(r: ScenarioResult): string[] {
  const sy = headline(r, 'switchyard');
  const ha = headline(r, 'haproxy');
  if (!sy) return [];
  const cpu = ha ? sy.cpuUsPerUnit.median / ha.cpuUsPerUnit.median : NaN;
  const vs = (id: ProxyId): string => {
    const p = headline(r, id);
    if (!p) return 'not run';
    const x = sy.rate.median / p.rate.median;
    return `**${x.toFixed(2)}×** (${fmt(sy.rate.median)} vs ${fmt(p.rate.median)} req/s) ${x >= 3 ? '✅' : '❌'}`;
  };
  const lat = (id: ProxyId): string => ms(headline(r, id, r.scenario.latencyPhase)?.latencyUs?.['99']);
  return [
    '## Issue 4 targets (L7 keep-alive, small responses)',
    '',
    `- CPU per request vs HAProxy: **${Number.isFinite(cpu) ? cpu.toFixed(2) : '—'}×** (${fmt(sy.cpuUsPerUnit.median)} vs ${ha ? fmt(ha.cpuUsPerUnit.median) : '—'} CPU-µs/req at the wrk ceiling) — target ≤ 1.25× (issue 4 stays open above 1.5×) ${cpu <= 1.25 ? '✅' : cpu <= 1.5 ? '⚠ (between 1.25× and 1.5×)' : '❌'}`,
    `- req/s vs node:http + undici: ${vs('node-undici')} — target ≥ 3×`,
    `- req/s vs @fastify/http-proxy: ${vs('fastify')} — target ≥ 3×`,
    `- p99 at 16 connections (autocannon): switchyard ${lat('switchyard')}, haproxy ${lat('haproxy')}, nginx ${lat('nginx')}, node:http + undici ${lat('node-undici')}, fastify ${lat('fastify')}`,
    '',
  ];
}

export function writeSummary(dir: string, results: ScenarioResult[], latest: Facts): void {
  const lines = [
    '# Benchmark summary',
    '',
    `Latest run: \`${latest.command}\` — ${latest.date}. Machine: ${machine(latest)}; ${tools(latest)}.`,
    '',
    `Pinning: each proxy alone on CPU ${latest.proxyCpus} (taskset; nbthread 1 / worker_processes 1 unless a row says otherwise); load generators (wrk, autocannon, the L4 clients) and the origins on CPU ${latest.loadCpus}. ` +
      'CPU is read from /proc (utime + stime of every thread and child process of the proxy) around each phase, in 10 ms ticks. ' +
      `Medians of interleaved rounds (order rotated per round); small type gives the min–max over rounds. This ${latest.cores}-core machine is noisy (±30% single runs): compare ratios within one run, not absolute figures across runs. ` +
      '"proxy CPU busy" below 100% means the load core, not the proxy, was the limit. ' +
      'A phase during which other work used more than 10% of the proxy CPU is retried; rounds still disturbed are left out of the medians ("2/3 rounds"), and ⚠ marks a row where every round was.',
    '',
    '## Switchyard against HAProxy 2.6 (same run, same configuration file, same pinned CPU)',
    '',
    '| scenario | Switchyard CPU | HAProxy CPU | CPU ratio | throughput ratio | p99 Switchyard / HAProxy |',
    '|---|---|---|---|---|---|',
    // The thread sweep repeats keep-alive at nbthread 1; its own section shows it.
    ...results
      .filter((r) => new Set(r.rows.map((x) => x.threads)).size === 1)
      .map(ratioRow)
      .filter((l): l is string => l !== undefined),
    '',
  ];
  const ka = results.find((r) => r.scenario.id === 'http-keepalive');
  if (ka) lines.push(...targets(ka));
  for (const r of results) {
    lines.push(`## ${r.scenario.title}`, '', r.scenario.description, '');
    lines.push(`Run: \`${r.facts.command}\` — ${r.facts.date}, ${r.facts.rounds} round(s) of ${r.facts.seconds} s phases${r.facts.quick ? ' (quick)' : ''}. Data: [${r.scenario.id}.json](${r.scenario.id}.json).`, '');
    for (const ph of r.scenario.phases) lines.push(...phaseTable(r, ph));
    for (const s of r.skipped) lines.push(`- not run: ${s.proxy} — ${s.why}`);
    for (const f of r.failures) lines.push(`- failed: ${f.proxy} (round ${f.round + 1}${f.threads > 1 ? `, ${f.threads} threads` : ''}) — ${f.error}`);
    if (r.skipped.length || r.failures.length) lines.push('');
    for (const chart of chartsOf(r)) lines.push(`![${chart.alt}](${chart.file})`, '');
  }
  lines.push(
    '## Reproduce',
    '',
    '`npm run bench` (full, < 15 min) or `npm run bench -- --quick` (< 2 min); `--only ID,ID`, `--rounds N`, `--seconds N`. ' +
      'HAProxy 2.6, nginx and wrk are used when installed: `apt-get install -y haproxy nginx libnginx-mod-stream wrk`. ' +
      '`npm run tune -- -f CFG` sweeps nbthread × accept mode × cpu-map for a configuration.',
    '',
  );
  writeFileSync(join(dir, 'SUMMARY.md'), lines.join('\n'));
}

interface ChartFile {
  file: string;
  alt: string;
}

function chartsOf(r: ScenarioResult): ChartFile[] {
  const out: ChartFile[] = [];
  if (r.scenario.latencyPhase && r.rows.some((x) => x.phase === r.scenario.latencyPhase && x.latencyUs)) {
    out.push({ file: `latency-${r.scenario.id}.svg`, alt: `${r.scenario.title}: latency by percentile` });
  }
  if (new Set(r.rows.map((x) => x.threads)).size > 1) out.push({ file: `${r.scenario.id}.svg`, alt: `${r.scenario.title}` });
  return out;
}

function footer(f: Facts): string[] {
  return [
    `Machine: ${machine(f)}. A hollow point: other work ran on the proxy CPU in every round of it (see SUMMARY.md, ⚠).`,
    `Proxy on CPU ${f.proxyCpus} (taskset), load generators and origins on CPU ${f.loadCpus}. Medians of ${f.rounds} interleaved round(s), ${f.seconds} s phases.`,
    `${f.date} — ${f.command} — data in bench/results/`,
  ];
}

/** x position of a percentile on the classic HdrHistogram axis: log10(1 / (1 − p)). */
const nines = (p: number): number => Math.log10(1 / (1 - p / 100));

function latencyChart(r: ScenarioResult): string {
  const rows = r.rows.filter((x) => x.phase === r.scenario.latencyPhase && x.latencyUs && x.threads === 1);
  const ps = PERCENTILES.filter((p) => p < 100);
  const series: Series[] = rows.map((row) => ({
    name: row.label,
    color: COLORS[row.proxy],
    points: ps.map((p) => ({ x: nines(p), y: row.latencyUs![String(p)]! / 1000, doubtful: row.disturbed === row.of })),
  }));
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
  const min = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const max = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const phase = r.scenario.phases.find((p) => p.id === r.scenario.latencyPhase)!;
  const panel: Panel = {
    title: `Response time by percentile — ${phase.label}`,
    x: {
      label: 'percentile (log scale of 1 / (1 − p))',
      log: false,
      min: nines(50),
      max: nines(99.99),
      ticks: [50, 90, 99, 99.9, 99.99].map((p) => ({ at: nines(p), label: `p${p}` })),
    },
    y: { label: 'latency, ms (log scale)', log: true, min, max, ticks: logTicks(min, max, (v) => `${v}`) },
    series,
  };
  return renderChart({
    title: `${r.scenario.title}: latency distribution per proxy`,
    subtitle: 'Lower is better. Closed loop: latency includes queueing at the given concurrency. Median over rounds of each percentile.',
    footer: footer(r.facts),
    panels: [panel],
    panelWidth: 900,
  });
}

function threadsChart(r: ScenarioResult): string {
  const rows = r.rows.filter((x) => x.phase === r.scenario.headline);
  const proxies = [...new Set(rows.map((x) => x.proxy))];
  const threads = [...new Set(rows.map((x) => x.threads))].sort((a, b) => a - b);
  const series = (pick: (row: Row) => number): Series[] =>
    proxies.map((p) => {
      const mine = rows.filter((x) => x.proxy === p).sort((a, b) => a.threads - b.threads);
      return { name: mine[0]!.label, color: COLORS[p], points: mine.map((x) => ({ x: x.threads, y: pick(x), doubtful: x.disturbed === x.of })) };
    });
  const xAxis = { label: 'threads (nbthread; worker_processes for nginx)', log: false, min: threads[0]! - 0.25, max: threads[threads.length - 1]! + 0.25, ticks: threads.map((t) => ({ at: t, label: String(t) })) };
  const rate = series((x) => x.rate.median);
  const cpu = series((x) => x.cpuUsPerUnit.median);
  const tick = (v: number): string => (Number.isInteger(v) ? v.toLocaleString('en-US') : String(v));
  const rt = linearTicks(Math.max(...rate.flatMap((s) => s.points.map((p) => p.y))), 5, tick);
  const ct = linearTicks(Math.max(...cpu.flatMap((s) => s.points.map((p) => p.y))), 5, tick);
  return renderChart({
    title: `${r.scenario.title}`,
    subtitle: `wrk ceiling, small keep-alive responses; every thread on CPU ${r.facts.proxyCpus}: extra threads here share one core, so this shows their cost, not scaling.`,
    footer: footer(r.facts),
    panels: [
      { title: 'Throughput (higher is better)', x: xAxis, y: { label: 'requests per second', log: false, min: 0, max: rt.top, ticks: rt.ticks }, series: rate },
      { title: 'CPU per request (lower is better)', x: xAxis, y: { label: 'proxy CPU µs per request', log: false, min: 0, max: ct.top, ticks: ct.ticks }, series: cpu },
    ],
  });
}

export function writeCharts(dir: string, r: ScenarioResult): string[] {
  const written: string[] = [];
  for (const c of chartsOf(r)) {
    writeFileSync(join(dir, c.file), c.file.startsWith('latency-') ? latencyChart(r) : threadsChart(r));
    written.push(c.file);
  }
  return written;
}
