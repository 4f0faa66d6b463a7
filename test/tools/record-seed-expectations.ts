// Records what the real `haproxy -c` says about each seed fixture.
//
//   npx tsc -p tsconfig.json && node dist/test/tools/record-seed-expectations.js
//
// Writes, next to the fixtures (test/fixtures/seeds/, or $SY_FIXTURES_DIR):
//   expected.json   - haproxy's verdict on each fixture as written;
//   all-errors.json - every line haproxy rejects, found by commenting out the
//                     reported lines in a scratch copy and re-running until no
//                     line-bearing alert remains (HAProxy stops parsing after
//                     some errors, so one run may not show them all).
// It does nothing when run by `node --test` (NODE_TEST_CONTEXT set).
// Environment: HAPROXY_BIN (default /usr/sbin/haproxy, else `haproxy` on PATH),
// SY_FIXTURES_DIR (fixture directory override).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { makeSeedDir, seedFixtures, seedFixturesDir } from '../helpers/seed-env.js';

export interface Diagnostic {
  line: number | null;
  message: string;
  detail?: string[];
}

export interface CheckResult {
  exit: number;
  alerts: Diagnostic[];
  warnings: Diagnostic[];
  /** True when haproxy printed its closing "Error(s) found…"/"Fatal errors…" alerts. */
  summary: boolean;
  /** Those closing alerts, verbatim (without pid), in order. */
  summaryAlerts?: string[];
  /** Lines printed without a [LEVEL] tag ("Configuration file is valid", …). */
  verdict: string[];
  /** [NOTICE] lines other than the version/executable banner. */
  notices?: string[];
}

export interface RejectedLine {
  line: number | null;
  severity: 'alert' | 'warning';
  message: string;
  detail?: string[];
  /** 0 = reported on the fixture as written; k = after k rounds of commenting out. */
  round?: number;
  /** Set instead of `round` when found by one of the hand-written PROBES below. */
  probe?: string;
  /** Present (true) when the line is one the harness appended after the guide's block. */
  harness?: boolean;
}

const HARNESS_MARKER = '# --- added by the test harness';

interface Probe {
  readonly fixture: string;
  /** 1-based lines commented out in the scratch copy. */
  readonly comment: readonly number[];
  readonly why: string;
}

/**
 * Errors that line-by-line removal cannot reveal: a later problem on a line
 * that is already rejected for an earlier reason, or checks hidden behind an
 * alert that carries no line. Each probe comments out other lines instead.
 */
const PROBES: readonly Probe[] = [
  {
    fixture: '000-13-rate-limiting.cfg',
    comment: [5],
    why: 'first stick-table (line 5) commented out, so the second one (line 10) is parsed past its name conflict',
  },
  {
    fixture: '002-03-websocket-support.cfg',
    comment: [3],
    why: "frontend 'mode http' (line 3) commented out, so the frontend and its tcp backends agree on the mode",
  },
  {
    fixture: '002-04-rate-limiting.cfg',
    comment: [3],
    why: "frontend 'mode http' (line 3) commented out, so the frontend and its tcp backend agree on the mode",
  },
];

function haproxyBin(): string {
  const fromEnv = process.env['HAPROXY_BIN'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';
}

interface RawRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runCheck(cwd: string, file: string, seedDir: string): Promise<RawRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(haproxyBin(), ['-c', '-f', file], {
      cwd,
      env: { ...process.env, SY_SEED_DIR: seedDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === null) reject(new Error(`haproxy killed by ${String(signal)}`));
      else resolvePromise({ code, stdout, stderr });
    });
  });
}

const TAGGED = /^\[(ALERT|WARNING|NOTICE)\]\s*\(\d+\)\s*:\s?(.*)$/;
const CONTINUATION = /^\s+\| ?(.*)$/;
const LOCATION = /^[Pp]arsing \[(.*):(\d+)\]\s?:\s?/;
const SUMMARY = /^(Error\(s\) found in configuration file : |Fatal errors found in configuration\.)/;
const BANNER = /^(haproxy version is |path to executable is )/;

/** Parses haproxy's -c output into a CheckResult. */
export function parseCheckOutput(code: number, output: string, seedDir: string): CheckResult {
  const result: CheckResult = { exit: code, alerts: [], warnings: [], summary: false, verdict: [] };
  const summaryAlerts: string[] = [];
  const notices: string[] = [];
  let last: Diagnostic | undefined;
  const clean = (s: string): string => s.split(seedDir).join('${SY_SEED_DIR}');
  for (const rawLine of output.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const cont = CONTINUATION.exec(line);
    if (cont !== null && last !== undefined) {
      (last.detail ??= []).push(clean(cont[1] ?? ''));
      continue;
    }
    const tagged = TAGGED.exec(line);
    if (tagged === null) {
      result.verdict.push(clean(line));
      last = undefined;
      continue;
    }
    const level = tagged[1];
    let text = (tagged[2] ?? '').replace(/^config : /, '');
    if (level === 'NOTICE') {
      if (!BANNER.test(text)) notices.push(clean(text));
      last = undefined;
      continue;
    }
    if (level === 'ALERT' && SUMMARY.test(text)) {
      result.summary = true;
      summaryAlerts.push(clean(text));
      last = undefined;
      continue;
    }
    let lineNo: number | null = null;
    const loc = LOCATION.exec(text);
    if (loc !== null) {
      lineNo = Number(loc[2]);
      text = text.slice(loc[0].length);
    }
    const diag: Diagnostic = { line: lineNo, message: clean(text) };
    (level === 'ALERT' ? result.alerts : result.warnings).push(diag);
    last = diag;
  }
  if (summaryAlerts.length > 0) result.summaryAlerts = summaryAlerts;
  if (notices.length > 0) result.notices = notices;
  return result;
}

async function checkText(
  scratchDir: string,
  name: string,
  text: string,
  seedDir: string,
): Promise<CheckResult> {
  await writeFile(join(scratchDir, name), text);
  const run = await runCheck(scratchDir, name, seedDir);
  return parseCheckOutput(run.code, run.stderr + run.stdout, seedDir);
}

/** Comments out every line haproxy reports an alert on, until none is left. */
async function findAllErrors(
  scratchDir: string,
  name: string,
  original: string,
  seedDir: string,
): Promise<{ rejected: RejectedLine[]; final: CheckResult; rounds: number }> {
  const lines = original.split('\n');
  const markerIdx = lines.findIndex((l) => l.startsWith(HARNESS_MARKER));
  const harnessFrom = markerIdx < 0 ? Infinity : markerIdx + 1; // 1-based number of the marker line
  const rejected: RejectedLine[] = [];
  const seen = new Set<string>();
  const add = (d: Diagnostic, severity: 'alert' | 'warning', round: number | string): void => {
    const key = `${severity}|${String(d.line)}|${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    const entry: RejectedLine = { line: d.line, severity, message: d.message };
    if (typeof round === 'number') entry.round = round;
    else entry.probe = round;
    if (d.detail !== undefined) entry.detail = d.detail;
    if (d.line !== null && d.line >= harnessFrom) entry.harness = true;
    rejected.push(entry);
  };
  const removed = new Set<number>();
  for (let round = 0; ; round++) {
    const result = await checkText(scratchDir, name, lines.join('\n'), seedDir);
    for (const a of result.alerts) add(a, 'alert', round);
    for (const w of result.warnings) if (w.line !== null) add(w, 'warning', round);
    const toRemove = result.alerts
      .map((a) => a.line)
      .filter((n): n is number => n !== null && !removed.has(n));
    if (toRemove.length === 0 || round >= 100) {
      for (const probe of PROBES.filter((p) => p.fixture === name)) {
        const probeLines = original.split('\n').map((l, i) => (probe.comment.includes(i + 1) ? `#${l}` : l));
        const res = await checkText(scratchDir, name, probeLines.join('\n'), seedDir);
        for (const a of res.alerts) add(a, 'alert', probe.why);
        for (const w of res.warnings) if (w.line !== null) add(w, 'warning', probe.why);
      }
      return { rejected, final: result, rounds: round };
    }
    for (const n of toRemove) {
      removed.add(n);
      lines[n - 1] = `#${lines[n - 1] ?? ''}`;
    }
  }
}

function sortKeys<T>(obj: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

async function main(): Promise<void> {
  const fixtures = seedFixtures();
  if (fixtures.length === 0) throw new Error(`no fixtures in ${seedFixturesDir()}`);
  const seedDir = await makeSeedDir();
  const scratchDir = await mkdtemp(join(tmpdir(), 'sy-seed-scratch-'));
  const expected: Record<string, CheckResult> = {};
  const allErrors: Record<string, RejectedLine[]> = {};
  try {
    for (const path of fixtures) {
      const name = basename(path);
      const text = await readFile(path, 'utf8');
      const asWritten = await checkText(scratchDir, name, text, seedDir);
      expected[name] = asWritten;
      const { rejected, final, rounds } = await findAllErrors(scratchDir, name, text, seedDir);
      allErrors[name] = rejected;
      const lineless = final.alerts.filter((a) => a.line === null).length;
      process.stdout.write(
        `${name}: exit ${asWritten.exit}, ${asWritten.alerts.length} alert(s), ` +
          `${asWritten.warnings.length} warning(s); ${rejected.filter((r) => r.severity === 'alert').length} ` +
          `alert(s) over ${rounds + 1} run(s), final exit ${final.exit}` +
          (lineless > 0 ? `, ${lineless} alert(s) without a line remain` : '') +
          '\n',
      );
    }
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
    await rm(seedDir, { recursive: true, force: true });
  }
  const dir = seedFixturesDir();
  await writeFile(join(dir, 'expected.json'), JSON.stringify(sortKeys(expected), null, 2) + '\n');
  await writeFile(join(dir, 'all-errors.json'), JSON.stringify(sortKeys(allErrors), null, 2) + '\n');
  process.stdout.write(`wrote ${join(dir, 'expected.json')} and ${join(dir, 'all-errors.json')}\n`);
}

// `npm test` runs `node --test dist/test/`, which executes every .js file under
// a directory named `test` -- this script included. Under the test runner
// (NODE_TEST_CONTEXT is set in its child processes) do nothing, so a test run
// never rewrites the recorded expectations or needs haproxy.
if (process.env['NODE_TEST_CONTEXT'] !== undefined) {
  process.stdout.write('record-seed-expectations: skipped under the test runner\n');
} else {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
