// Mutation fuzzing of the configuration checker over the seed fixtures (test/fixtures/seeds/).
//
// Each mutant is a seed config with 1–4 random edits (lines deleted, duplicated, swapped or
// truncated; random bytes, quotes, backslashes, '#', '${', '%[', braces, NUL, very long words,
// keywords and `.if`/`.endif` inserted; case flipped). For every mutant checkConfig() must:
//  - not throw;
//  - return a bounded number of diagnostics (counted, never timed: hangs are caught by the
//    tests' own `timeout`);
//  - give every diagnostic a non-empty message, and every located one the mutant's file name
//    and a line number within 1..(number of lines);
// and, for a subset written to real files, `main(['-c', '-f', file])` must return 1 exactly
// when there is an alert (else 0 with a listener, 2 without).
//
// Deterministic: mulberry32 with fixed seeds. SY_FUZZ_ITER raises the total number of
// mutants (default 1500), SY_FUZZ_SEED=<n> runs one seed only. A failing mutant is written to
// the temp directory and its path is given in the assertion message.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { checkConfig, main, type CheckResult, type Io } from '../src/cli/main.js';
import { installFeatures } from '../src/features.js';
import { Diagnostics } from '../src/config/diag.js';
import { makeSeedDir, seedFixtures } from './helpers/seed-env.js';

const TOTAL = Math.max(1, Number(process.env['SY_FUZZ_ITER'] ?? '') || 1500);
const SEEDS: readonly number[] = process.env['SY_FUZZ_SEED']
  ? [Number(process.env['SY_FUZZ_SEED']) >>> 0]
  : [0x5eed0001, 0x0badcafe, 0x2f6b1d3a];
/** How many mutants of each seed also go through main() as real files (~30 in all). */
const MAIN_SUBSET = 10;
/** Generous bound on diagnostics per source line (one line gives at most a few). */
const DIAG_PER_LINE = 8;
const DIAG_SLACK = 64;

/** mulberry32: tiny deterministic PRNG, returns floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const SPECIAL = ['"', "'", '\\', '#', '${', '%[', '{', '}', '\0', ' ', '\t', '$', '(', ')', ',', ']', '\\x', '\\x4', '"${', '$(', '\r', '[*]', '-', ':'];

const KEYWORDS = [
  'global',
  'defaults',
  'defaults d1',
  'frontend fz',
  'backend bz',
  'listen lz',
  'userlist ul',
  'peers p',
  'resolvers r',
  'cache c',
  'bind :8080',
  'bind 127.0.0.1:8443 ssl crt "${SY_SEED_DIR}/certs/site.pem"',
  'server s1 127.0.0.1:80 check',
  'server s2 "${NOPE}" weight 300',
  'default-server inter 2s',
  'mode http',
  'mode tcp',
  'balance roundrobin',
  'balance url_param',
  'option httplog',
  'option httpchk GET /health',
  'no option',
  'timeout client 5s',
  'timeout server',
  'maxconn 99999999999999999999',
  'acl a path_beg /x',
  'acl b hdr(host) -i example.com',
  'use_backend bz if a',
  'use_backend %[req.hdr(host),lower] if { path_beg /api }',
  'default_backend nosuch',
  'http-request deny if { src 10.0.0.0/8 } !a',
  'http-request set-header X-Test %[src]',
  'http-response set-header X "${V[*]}"',
  'tcp-request content reject if { req.len gt 10 }',
  'stick-table type ip size 1m expire 10s store http_req_rate(10s)',
  'stick on src',
  'log-format "%ci:%cp [%tr] %ft %b/%s"',
  'log stdout format raw local0',
  'errorfile 503 "${SY_SEED_DIR}/errors/503.http"',
  'stats enable',
  'stats uri /stats',
  'cookie SRV insert indirect nocache',
  '.if defined(SY_SEED_DIR)',
  '.if 0',
  '.elif 1',
  '.else',
  '.endif',
  '.notice "hello"',
  '.warning w',
  '.alert a',
  '.diag d',
  '.bogus',
  '',
];

type Mutation = (lines: string[], r: Rng) => string;

function randomChunk(r: Rng): string {
  switch (r.int(4)) {
    case 0:
      return r.pick(SPECIAL);
    case 1: {
      // random latin1 bytes (files are read as latin1, so they round-trip through disk)
      let s = '';
      for (let i = 1 + r.int(8); i > 0; i--) s += String.fromCharCode(r.int(256));
      return s;
    }
    case 2:
      return r.pick(SPECIAL) + r.pick(SPECIAL);
    default:
      return r.pick(['"${SY_SEED_DIR}', "'", '%[src', '{ path_beg /x', '(', ')', '"', '\\']);
  }
}

const pos = (lines: readonly string[], r: Rng): number => r.int(Math.max(1, lines.length));

const MUTATIONS: Record<string, Mutation> = {
  deleteLine(lines, r) {
    if (lines.length) lines.splice(pos(lines, r), 1);
    return 'deleteLine';
  },
  duplicateLine(lines, r) {
    const i = pos(lines, r);
    lines.splice(i, 0, lines[i] ?? '');
    return 'duplicateLine';
  },
  swapLines(lines, r) {
    const i = pos(lines, r);
    const j = pos(lines, r);
    [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
    return 'swapLines';
  },
  insertBytes(lines, r) {
    const i = pos(lines, r);
    const l = lines[i] ?? '';
    const at = r.int(l.length + 1);
    lines[i] = l.slice(0, at) + randomChunk(r) + l.slice(at);
    return 'insertBytes';
  },
  longWord(lines, r) {
    const i = pos(lines, r);
    const l = lines[i] ?? '';
    const at = r.int(l.length + 1);
    const word = r.pick(['x', 'a ', '\\ ', '"', '%[', '(', '{ ', '$']).repeat(1000 + r.int(20_000));
    lines[i] = l.slice(0, at) + word + l.slice(at);
    return 'longWord';
  },
  keyword(lines, r) {
    lines.splice(pos(lines, r), 0, (r.chance(0.5) ? '    ' : '') + r.pick(KEYWORDS));
    return 'keyword';
  },
  replaceWord(lines, r) {
    const i = pos(lines, r);
    const words = (lines[i] ?? '').split(' ');
    words[r.int(words.length)] = r.pick(KEYWORDS).split(' ')[0]!;
    lines[i] = words.join(' ');
    return 'replaceWord';
  },
  truncateLine(lines, r) {
    const i = pos(lines, r);
    const l = lines[i] ?? '';
    lines[i] = l.slice(0, r.int(l.length + 1));
    return 'truncateLine';
  },
  flipCase(lines, r) {
    const i = pos(lines, r);
    const l = lines[i] ?? '';
    let out = '';
    for (const ch of l) out += r.chance(0.3) ? (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    lines[i] = out;
    return 'flipCase';
  },
  ifEndif(lines, r) {
    const a = pos(lines, r);
    const b = a + r.int(Math.max(1, lines.length - a));
    const cond = r.pick(['1', '0', 'defined(SY_SEED_DIR)', 'version_atleast(2.4)', '"${NOPE}"', 'feature(OPENSSL)', '!', '(1']);
    switch (r.int(4)) {
      case 0:
        lines.splice(a, 0, `.if ${cond}`);
        break;
      case 1:
        lines.splice(a, 0, '.endif');
        break;
      default:
        lines.splice(b, 0, '.endif');
        lines.splice(a, 0, `.if ${cond}`);
    }
    return 'ifEndif';
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

function mutate(text: string, r: Rng): { text: string; applied: string[] } {
  const lines = text.split('\n');
  const applied: string[] = [];
  for (let n = 1 + r.int(4); n > 0; n--) applied.push(MUTATIONS[r.pick(MUTATION_NAMES)]!(lines, r));
  return { text: lines.join('\n'), applied };
}

/** Where a failing mutant is saved for reproduction. */
function saveFailure(label: string, text: string): string {
  const path = join(tmpdir(), `sy-fuzz-${label.replace(/[^A-Za-z0-9_.-]/g, '_')}.cfg`);
  try {
    writeFileSync(path, text, 'latin1');
  } catch {
    return '(could not save the mutant)';
  }
  return path;
}

const SEVERITIES = new Set(['alert', 'warning', 'notice', 'diag']);
const REPORT_DIRECTIVES = new Set(['.alert', '.warning', '.notice', '.diag']);

/**
 * Known bug (see 'found by the fuzzer' below): a report directive without argument gives an
 * empty message. Tolerated here so that the fuzzer keeps looking for other problems.
 */
function knownEmptyDirective(lines: readonly string[], line: number): boolean {
  const first = (lines[line - 1] ?? '').trim().split(/[ \t]/)[0] ?? '';
  return REPORT_DIRECTIVES.has(first);
}

/** The invariants every checkConfig() result must hold; returns problems found (empty = fine). */
function invariantProblems(name: string, text: string, res: CheckResult): string[] {
  const problems: string[] = [];
  const lines = text.split('\n');
  const lineCount = lines.length;
  const items = res.diag.items;
  const bound = Math.min(Diagnostics.MAX_ITEMS, lineCount * DIAG_PER_LINE + DIAG_SLACK);
  if (items.length > bound) problems.push(`${items.length} diagnostics for ${lineCount} lines (bound ${bound})`);
  if (typeof res.hasListener !== 'boolean') problems.push('hasListener is not a boolean');
  for (const d of items) {
    const where = d.loc ? `${d.loc.file}:${d.loc.line}` : '-';
    if (!SEVERITIES.has(d.severity)) problems.push(`bad severity ${String(d.severity)} at ${where}`);
    if (typeof d.message !== 'string' || d.message.trim() === '') {
      if (typeof d.message === 'string' && d.loc && knownEmptyDirective(lines, d.loc.line)) continue;
      problems.push(`${d.severity} ${d.code} at ${where} has an empty message`);
    }
    if (d.loc) {
      if (d.loc.file !== name) problems.push(`${d.severity} "${d.message.slice(0, 80)}" located in unknown file ${d.loc.file}`);
      if (!Number.isInteger(d.loc.line) || d.loc.line < 1 || d.loc.line > lineCount) {
        problems.push(`${d.severity} "${d.message.slice(0, 80)}" at line ${d.loc.line}, outside 1..${lineCount}`);
      }
    }
  }
  return problems;
}

const registries = installFeatures();
let seedDir = '';
let env: NodeJS.ProcessEnv = {};
let workDir = '';

before(async () => {
  seedDir = await makeSeedDir();
  env = { ...process.env, SY_SEED_DIR: seedDir };
  workDir = mkdtempSync(join(tmpdir(), 'sy-fuzz-'));
});

after(async () => {
  await rm(seedDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});

/** checkConfig() that reports a throw with everything needed to reproduce it. */
function checkOrFail(name: string, text: string, label: string, applied: readonly string[]): CheckResult {
  try {
    return checkConfig([{ name, text }], env, registries);
  } catch (e) {
    const saved = saveFailure(label, text);
    assert.fail(`checkConfig threw on ${label} (${applied.join(', ')}), mutant saved to ${saved}:\n${e instanceof Error ? e.stack : String(e)}`);
  }
}

function runMain(file: string): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), env, pid: 4242, argv0: 'switchyard' };
  const code = main(['-c', '-f', file], io);
  return { code, out, err };
}

describe('mutation fuzz over the seed fixtures', () => {
  const fixtures = seedFixtures().map((f) => ({ name: basename(f), text: readFileSync(f, 'latin1') }));
  const perSeed = Math.ceil(TOTAL / SEEDS.length);

  it('has seed fixtures to mutate', () => {
    assert.ok(fixtures.length > 0, 'no test/fixtures/seeds/*.cfg found');
  });

  for (const seed of SEEDS) {
    it(`seed 0x${seed.toString(16)}: ${perSeed} mutants`, { timeout: 120_000 }, () => {
      const r = new Rng(mulberry32(seed));
      const failures: string[] = [];
      let alerted = 0;
      let mainRuns = 0;
      for (let i = 0; i < perSeed; i++) {
        const base = fixtures[r.int(fixtures.length)]!;
        const { text, applied } = mutate(base.text, r);
        const label = `0x${seed.toString(16)}-${i}-${base.name}`;
        const res = checkOrFail(base.name, text, label, applied);
        if (res.diag.alerts > 0) alerted++;
        const problems = invariantProblems(base.name, text, res);
        if (problems.length) {
          failures.push(`${label} (${applied.join(', ')}) saved to ${saveFailure(label, text)}:\n  ${problems.slice(0, 5).join('\n  ')}`);
        }
        // A spread subset also goes through the CLI entry point as a real file.
        if (mainRuns < MAIN_SUBSET && i % Math.max(1, Math.floor(perSeed / MAIN_SUBSET)) === 0) {
          mainRuns++;
          const file = join(workDir, `${label}.cfg`);
          writeFileSync(file, text, 'latin1');
          const viaFile = checkConfig([{ name: file, text: readFileSync(file, 'latin1') }], env, registries);
          const { code, err } = runMain(file);
          const want = viaFile.diag.alerts > 0 ? 1 : viaFile.hasListener ? 0 : 2;
          if (code !== want) {
            failures.push(`${label} (${applied.join(', ')}) saved to ${saveFailure(label, text)}: main() returned ${code}, expected ${want} (${viaFile.diag.alerts} alert(s))\n${err.slice(0, 2000)}`);
          }
          if (viaFile.diag.alerts > 0 && !/^\[ALERT\]/m.test(err)) {
            failures.push(`${label}: main() returned 1 without printing an [ALERT]`);
          }
        }
      }
      assert.deepEqual(failures, [], `${failures.length} mutant(s) broke an invariant`);
      // The mutator must actually produce both failing and passing configs to be meaningful.
      assert.ok(alerted > 0, 'no mutant produced an alert');
      assert.ok(mainRuns > 0);
    });
  }
});

describe('hostile inputs', () => {
  const cases: { name: string; text: () => string }[] = [
    { name: 'a 5 MB single line', text: () => 'x'.repeat(5 * 1024 * 1024) },
    { name: 'a 5 MB single line inside a section', text: () => `global\n    description ${'y'.repeat(5 * 1024 * 1024)}\n` },
    { name: 'a 5 MB double-quoted word', text: () => `global\n    description "${'$V'.repeat(2 * 1024 * 1024)}"\n` },
    { name: '100k lines of acl in a frontend', text: () => 'frontend f\n' + '    acl a path_beg /x\n'.repeat(100_000) },
    { name: '100k lines of acl out of any section', text: () => 'acl a path_beg /x\n'.repeat(100_000) },
    { name: '10k nested .if 1, closed', text: () => '.if 1\n'.repeat(10_000) + 'global\n' + '.endif\n'.repeat(10_000) },
    { name: '10k nested .if 1, never closed', text: () => '.if 1\n'.repeat(10_000) + 'global\n' },
    { name: '10k .endif without .if', text: () => '.endif\n'.repeat(10_000) },
    { name: '10k nested .if 0 with .else', text: () => '.if 0\n.else\n'.repeat(10_000) + '.endif\n'.repeat(10_000) },
    { name: 'a line with 10k words', text: () => 'global\n    ' + Array.from({ length: 10_000 }, (_, i) => `w${i}`).join(' ') + '\n' },
    { name: 'a line with 10k quoted empty words', text: () => 'global\n    description ' + '"" '.repeat(10_000) + '\n' },
    { name: '100k nested parentheses in .if', text: () => `.if ${'('.repeat(100_000)}1${')'.repeat(100_000)}\n.endif\n` },
    { name: '100k unbalanced parentheses in .if', text: () => `.if ${'('.repeat(100_000)}1\n.endif\n` },
    { name: '100k negations in .if', text: () => `.if ${'!'.repeat(100_000)}1\n.endif\n` },
    { name: '50k && terms in .if', text: () => `.if ${Array(50_000).fill('1').join('&&')}\n.endif\n` },
    {
      name: 'deeply nested parentheses and braces in a rule condition',
      text: () =>
        'frontend f\n    mode http\n    bind :80\n' +
        `    http-request deny if ${'{ '.repeat(2_000)}TRUE${' }'.repeat(2_000)}\n` +
        `    http-request deny if ${'!'.repeat(10_000)}TRUE\n` +
        `    http-request set-header X %[${'lower,'.repeat(5_000)}src]\n` +
        `    http-request set-header Y %[src${',lower('.repeat(3_000)}${')'.repeat(3_000)}]\n` +
        `    use_backend %[${'('.repeat(10_000)}src${')'.repeat(10_000)}]\n`,
    },
    { name: 'NUL bytes and control characters', text: () => 'global\0\n\0\0\0\n\x01\x02 \x7f\xff\nfrontend \0f\n    bind \0:80\n' },
    { name: 'only CRs', text: () => '\r'.repeat(100_000) },
    { name: 'CRLF file', text: () => 'global\r\n    .notice "a b"\r\nfrontend f\r\n    bind :80\r\n' },
    { name: '10k sections with the same name', text: () => 'backend b\n'.repeat(10_000) },
    { name: '10k unterminated quotes', text: () => '"\n'.repeat(10_000) },
    { name: 'deep variable nesting', text: () => `global\n    description "${'${'.repeat(50_000)}V${'}'.repeat(50_000)}"\n` },
  ];
  for (const c of cases) {
    it(c.name, { timeout: 60_000 }, () => {
      const text = c.text();
      const res = checkOrFail('hostile.cfg', text, `hostile-${c.name}`, []);
      assert.deepEqual(invariantProblems('hostile.cfg', text, res), []);
    });
  }

  it('-cc with 100k nested parentheses', { timeout: 60_000 }, () => {
    let err = '';
    const io: Io = { out: () => undefined, err: (t) => (err += t), env: {}, pid: 1, argv0: 'switchyard' };
    const code = main(['-cc', `${'('.repeat(100_000)}1${')'.repeat(100_000)}`], io);
    assert.ok(code === 0 || code === 2, `exit ${code}: ${err.slice(0, 500)}`);
  });
});

// ----------------------------------------------------------------------------------------------

const HAPROXY = '/usr/sbin/haproxy';
const haveHaproxy = existsSync(HAPROXY);

/**
 * Report directives as HAProxy 2.6.12 prints them (checked with `haproxy -dD -c -f`): one
 * argument at most, shown quoted after a tight 'parsing [f:l]: ', a second argument is an
 * alert, and '.alert' stops the parsing (ERR_ABORT: no 'Fatal errors found' line after it).
 */
const DIRECTIVES_CFG = '.warning\n.notice a b\n.notice "x y"\n.diag d\n.alert "stop here"\n.notice after\n';
const DIRECTIVES_STDERR = [
  "[WARNING]  (PID) : config : parsing [w.cfg:1]: ''.",
  "[ALERT]    (PID) : config : parsing [w.cfg:2]: Unexpected argument 'b' for '.notice'. Use quotes if the message should contain spaces.",
  "[NOTICE]   (PID) : config : parsing [w.cfg:3]: 'x y'.",
  "[DIAG]     (PID) : config : parsing [w.cfg:4]: 'd'.",
  "[ALERT]    (PID) : config : parsing [w.cfg:5]: 'stop here'.",
  '[ALERT]    (PID) : config : Error(s) found in configuration file : w.cfg',
];

/** stderr without the two version/path notices, pids replaced by PID. */
function normStderr(s: string): string[] {
  return s
    .split('\n')
    .filter((l) => l !== '' && !/haproxy version is|path to executable is/.test(l))
    .map((l) => l.replace(/\(\d+\)/, '(PID)'));
}

describe('found by the fuzzer', () => {
  it(
    'report directives (.alert/.warning/.notice/.diag) print like HAProxy, never an empty message',
    {},
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'sy-fuzz-dir-'));
      try {
        writeFileSync(join(dir, 'w.cfg'), DIRECTIVES_CFG);
        let err = '';
        const io: Io = { out: () => undefined, err: (t) => (err += t), env: {}, pid: 7, argv0: 'switchyard' };
        const code = main(['-dD', '-c', '-f', join(dir, 'w.cfg')], io);
        assert.equal(code, 1);
        assert.deepEqual(normStderr(err.replaceAll(join(dir, 'w.cfg'), 'w.cfg')), DIRECTIVES_STDERR);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('report directives: the expectation above is what haproxy prints', { skip: haveHaproxy ? false : `${HAPROXY} not installed` }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-fuzz-hap-'));
    try {
      writeFileSync(join(dir, 'w.cfg'), DIRECTIVES_CFG);
      const r = spawnSync(HAPROXY, ['-dD', '-c', '-f', 'w.cfg'], { cwd: dir, encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.deepEqual(normStderr(r.stderr), DIRECTIVES_STDERR);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
