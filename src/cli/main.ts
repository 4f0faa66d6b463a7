// `switchyard` entry point: HAProxy's command-line behaviour. Parses flags, answers -v/-vv/-cc,
// loads and checks the configuration, prints diagnostics in HAProxy's shape and exits with
// HAProxy's codes (-c: 0 valid, 1 errors, 2 valid but no listener).

import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, USAGE, type CliArgs } from './args.js';
import { Diagnostics, formatDiagnostic } from '../config/diag.js';
import { loadSources } from '../config/load.js';
import { parseConfig, type SourceFile } from '../config/parser.js';
import { postCheck } from '../config/postcheck.js';
import { evalCondition, type CondEnv } from '../config/condition.js';
import { tokenizeLine } from '../config/tokenizer.js';
import { VERSION_LINE, VERSION_WORD, HAPROXY_COMPAT } from '../version.js';
import { buildFeatures, featureLine } from '../build-features.js';
import { installFeatures, type Registries } from '../features.js';
import { availableServices } from '../services.js';
import { DEMO_NAME, DEMO_PORT, demoConfig } from '../demo/config.js';
import type { ConfigModel } from '../config/model.js';
import { applyCommandLineLimits } from './limits.js';
import { runConfig } from '../process/run.js';
import { compileProxyRules } from '../rules/runtime/compile.js';
import { RuleCompileError } from '../rules/runtime/context.js';
import { DAEMON_ENV, daemonize } from '../process/daemon.js';
import type { ConfigEnvironment } from '../config/environment.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  readonly pid: number;
  readonly argv0: string;
}

export interface CheckResult {
  readonly model: ConfigModel;
  readonly diag: Diagnostics;
  readonly hasListener: boolean;
  /** The environment as `setenv` & co left it (the running process applies it). */
  readonly env: ConfigEnvironment;
}

/** Parse and check a configuration: the library entry used by the CLI, tests and benches. */
export function checkConfig(
  sources: readonly SourceFile[],
  env: NodeJS.ProcessEnv,
  registries: Registries = installFeatures(),
  opts: { diagMode?: boolean; preDiag?: Diagnostics; compileRules?: boolean } = {},
): CheckResult {
  const { model, diag, env: finalEnv } = parseConfig(sources, {
    env: { getenv: (n) => env[n], cwd: process.cwd() },
    cond: condEnv(env, registries),
    registries,
    diagMode: opts.diagMode,
  });
  if (opts.preDiag) diag.items.unshift(...opts.preDiag.items);
  // HAProxy skips check_config_validity() after a parse error, so a second run would find more;
  // we report those at once (the seed tests hold us to every line HAProxy rejects, all rounds).
  const before = diag.items.length;
  const post = diag.aborted ? { hasListener: false } : postCheck(model, diag, registries);
  for (const d of diag.items.slice(before)) diag.postParse.add(d);
  if (opts.compileRules && diag.alerts === 0) checkRuleCompilation(model, diag);
  return { model, diag, hasListener: post.hasListener, env: finalEnv };
}

/**
 * What only compiling the rules can find (a bad regex, a missing map, pattern or errorfile)
 * is found here, at load and under -c, with the line, rather than when a worker starts.
 * Workers compile the same model again: closures cannot cross threads.
 */
function checkRuleCompilation(model: ConfigModel, diag: Diagnostics): void {
  for (const p of model.proxies) {
    try {
      compileProxyRules(p, { baseDir: process.cwd(), config: model });
    } catch (e) {
      if (!(e instanceof RuleCompileError)) throw e;
      diag.alert('E_BAD_ARG', e.loc, e.message);
    }
  }
}

export function condEnv(env: NodeJS.ProcessEnv, registries: Registries): CondEnv {
  const features = new Set(
    buildFeatures({ isReady: (w) => registries.isReady(w), native: registries.native })
      .filter((f) => f.present)
      .map((f) => f.name),
  );
  return {
    getenv: (n) => env[n],
    features,
    version: HAPROXY_COMPAT,
    opensslVersion: registries.isReady('bind-option ssl') ? process.versions.openssl : undefined,
  };
}

export function versionText(level: 1 | 2, registries: Registries): string {
  if (level === 1) {
    return `${VERSION_LINE}\nStatus: Switchyard ${VERSION_WORD}, HAProxy-compatible load balancer on Node.js ${process.version}\n`;
  }
  const features = buildFeatures({ isReady: (w) => registries.isReady(w), native: registries.native });
  const services = availableServices(registries);
  return [
    VERSION_LINE,
    `  TARGET  = node-${process.platform}-${process.arch} (Node.js ${process.version})`,
    featureLine(features),
    `Available services : ${services.length ? services.join(' ') : 'none'}`,
    '',
  ].join('\n');
}

export interface RunPlan {
  readonly model: ConfigModel;
  readonly args: CliArgs;
  readonly env: ConfigEnvironment;
}

/**
 * The one-shot part of the command line (-v, -vv, -cc, -c, errors): returns the exit code.
 * A valid configuration in run mode returns 0 here; `run()` starts it through `mainOrPlan`.
 */
export function main(argv: readonly string[], io: Io): number {
  const r = mainOrPlan(argv, io);
  return typeof r === 'number' ? r : 0;
}

/** Like main(), but returns the plan to run a valid configuration instead of 0. */
export function mainOrPlan(argv: readonly string[], io: Io): number | RunPlan {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    io.err(`${VERSION_LINE}\n${USAGE.replaceAll('switchyard', io.argv0)}`);
    io.err(`[ALERT]    (${io.pid}) : ${parsed.error}\n`);
    return 1;
  }
  const args = parsed.args;
  const registries = installFeatures();

  if (args.version) {
    io.out(versionText(args.version, registries));
    return 0;
  }
  if (args.condition !== undefined) return runCondition(args.condition, io, registries);

  let sources: SourceFile[];
  const pre = new Diagnostics();
  if (args.demo) {
    sources = [{ name: DEMO_NAME, text: demoConfig(demoPort(io.env)) }];
  } else {
    if (args.files.length === 0) {
      io.err(`${VERSION_LINE}\n${USAGE.replaceAll('switchyard', io.argv0)}`);
      return 1;
    }
    sources = loadSources(args.files, pre);
  }
  const { model, diag, hasListener, env } = checkConfig(sources, io.env, registries, { diagMode: args.diagMode, preDiag: pre, compileRules: true });

  printDiagnostics(diag, args, io, sources);
  if (args.demo && diag.alerts > 0) io.err(demoSummary(diag));
  if (diag.alerts > 0) return 1;
  // -dW or the global `zero-warning`: checked before -c answers, so both refuse alike.
  if ((args.failOnWarning || model.global.settings['zero-warning'] !== undefined) && diag.warnings > 0) {
    if (!args.quiet) io.err(`[ALERT]    (${io.pid}) : config : Some warnings were found and 'zero-warning' is set. Aborting.\n`);
    return 1;
  }
  if (args.check) {
    if (args.quiet) return hasListener ? 0 : 2;
    if (diag.warnings > 0) io.out('Warnings were found.\n');
    if (!hasListener) {
      io.out('Configuration file has no error but will not start (no listener) => exit(2).\n');
      return 2;
    }
    io.out('Configuration file is valid\n');
    return 0;
  }
  if (!hasListener) {
    if (!args.quiet) io.err(`[ALERT]    (${io.pid}) : config : No enabled listener found (check for 'bind' directives) ! Exiting.\n`);
    return 1;
  }
  applyCommandLineLimits(model, args.maxconn, args.maxpconn);
  return { model, args, env };
}

function printDiagnostics(diag: Diagnostics, args: CliArgs, io: Io, sources: readonly SourceFile[]): void {
  if (args.quiet || diag.items.length === 0) return;
  const shown = diag.items.filter((d) => d.severity !== 'diag' || args.diagMode);
  if (shown.length === 0) return;
  const lines: string[] = [
    `[NOTICE]   (${io.pid}) : haproxy version is ${VERSION_WORD}`,
    `[NOTICE]   (${io.pid}) : path to executable is ${io.argv0}`,
  ];
  for (const d of shown) lines.push(formatDiagnostic(d, io.pid));
  if (diag.alerts > 0) {
    const files = new Set<string>();
    // Only parsing errors name their file; the post-parse checks' do not (as HAProxy).
    for (const d of diag.items) if (d.severity === 'alert' && !d.nonFatal && d.loc && !diag.postParse.has(d)) files.add(d.loc.file);
    for (const s of sources) if (files.has(s.name)) lines.push(`[ALERT]    (${io.pid}) : config : Error(s) found in configuration file : ${s.name}`);
    if (!diag.aborted) lines.push(`[ALERT]    (${io.pid}) : config : Fatal errors found in configuration.`);
  }
  io.err(lines.join('\n') + '\n');
}

/** The demo's port: 8080, or SWITCHYARD_DEMO_PORT (its apps take the next two). */
function demoPort(env: NodeJS.ProcessEnv): number {
  const p = Number(env['SWITCHYARD_DEMO_PORT']);
  return Number.isInteger(p) && p > 0 && p < 65534 ? p : DEMO_PORT;
}

/** `npm start`: say in plain words what the demo still waits for. */
function demoSummary(diag: Diagnostics): string {
  const pendingItems = diag.items.filter((d) => d.code === 'E_NOT_IMPLEMENTED');
  const other = diag.alerts - pendingItems.length;
  if (diag.alerts === 0) return '\nThe embedded demo configuration is valid.\n';
  const areas = new Map<string, number>();
  for (const d of pendingItems) {
    const m = /\(pending: (.*)\)\.$/.exec(d.message);
    const area = m ? m[1]! : 'other';
    areas.set(area, (areas.get(area) ?? 0) + 1);
  }
  const lines = [
    '',
    `Switchyard ${VERSION_WORD}: the configuration engine checked the embedded demo (src/demo/config.ts).`,
    other ? `It found ${other} real error(s) above.` : 'It has no errors, but it cannot serve it yet: these parts are still to land:',
    ...[...areas].map(([a, n]) => `  - ${a}: ${n} use(s)`),
    'Nothing is listening. Run `npm test` to see what works today.',
    '',
  ];
  return lines.join('\n');
}

function runCondition(expr: string, io: Io, registries: Registries): number {
  // -cc takes one argument that the config tokenizer splits into words, like a `.if` line.
  const tok = tokenizeLine(expr, { getenv: (n) => io.env[n], file: 'command line', line: 1, section: '', keepEmpty: true, hashIsLiteral: true });
  if (tok.error) {
    const what = tok.error.message === 'unmatched quote' ? 'Syntax Error in condition: Unmatched quote.' : `Syntax Error in condition: ${tok.error.message}.`;
    io.err(`[ALERT]    (${io.pid}) : config : ${what}\n`);
    return 2;
  }
  const r = evalCondition(tok.words, condEnv(io.env, registries));
  if (!r.ok) {
    io.err(`[NOTICE]   (${io.pid}) : haproxy version is ${VERSION_WORD}\n`);
    io.err(`[NOTICE]   (${io.pid}) : path to executable is ${io.argv0}\n`);
    io.err(`[ALERT]    (${io.pid}) : config : Failed to evaluate condition: ${r.error}\n`);
    return 2;
  }
  return r.value ? 0 : 1;
}

/** `npm start`: a word on how to try the demo. */
function sayDemo(base: number, err: (t: string) => void): void {
  err(
    `Switchyard ${VERSION_WORD}: demo running. Try:  curl -i http://127.0.0.1:${base}/hello  (several times: app1 and app2 alternate)\n` +
      `The configuration is in src/demo/config.ts (plain haproxy.cfg syntax); stop with Ctrl-C.\n`,
  );
}

/** Process entry: wires real stdio, runs, exits with HAProxy's codes. */
export function run(): void {
  const argv0 = process.env['SWITCHYARD_ARGV0'] ?? basename(process.argv[1] ?? 'switchyard');
  // Worker threads see their own script as argv[1]: the name logs carry is settled here.
  process.env['SWITCHYARD_ARGV0'] = argv0;
  const err = (t: string): void => void process.stderr.write(t);
  const r = mainOrPlan(process.argv.slice(2), { out: (t) => process.stdout.write(t), err, env: process.env, pid: process.pid, argv0 });
  if (typeof r === 'number') {
    process.exitCode = r;
    return;
  }
  // Daemon mode, unless -d/-db keep it in the foreground (as HAProxy).
  const wantsDaemon = (r.args.daemon || r.model.global.settings['daemon'] !== undefined) && !r.args.foreground;
  if (wantsDaemon && process.env[DAEMON_ENV] !== '1') {
    void daemonize(process.argv.slice(2)).then((code) => process.exit(code));
    return;
  }
  // Only the process that serves takes the configured environment (a daemon's parent hands
  // its own on, so the copy parses the file from the same start). DAEMON_ENV is our own
  // start-up plumbing: the copy still has to report to its parent after a `resetenv`.
  r.env.applyTo(process.env, [DAEMON_ENV]);
  if (r.args.demo) sayDemo(demoPort(process.env), err);
  runConfig(r.model, { pidfile: r.args.pidfile, pid: process.pid, err, program: argv0.replace(/\.js$/, ''), memoryMb: r.args.memoryMb }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      err(`[ALERT]    (${process.pid}) : ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) run();
