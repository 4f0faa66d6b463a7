// `global` section keywords: process management, threads, limits, tuning and TLS defaults.
// Values are validated here; keywords with behaviour of their own (environment, identity,
// hard-stop-after, noreuseport, ulimit-n, strict-limits) come from the modules that implement it.

import type { KwContext, SectionKeyword } from '../config/keyword.js';
import { pending, type Status } from '../config/status.js';
import { parseSize, parseTime } from '../config/units.js';
import { looseInt } from '../proxy/keywords.js';
import { API_GLOBAL_KEYWORDS } from '../api/config.js';
import { ENVIRONMENT_KEYWORDS } from './environment.js';
import { IDENTITY_KEYWORDS } from './identity.js';
import { GRACE, HARD_STOP_AFTER } from './hard-stop.js';
import { NOREUSEPORT } from './reuseport.js';
import { STRICT_LIMITS, ULIMIT_N } from './limits.js';
import { CHROOT } from './chroot.js';

const PROCESS = pending('process');
const DATA = pending('data-plane');
const TLS = pending('tls');

const flag = (name: string, status: Status = PROCESS): SectionKeyword => ({ name, status, maxArgs: 0 });
const word = (name: string, status: Status = PROCESS, max = 1): SectionKeyword => ({ name, status, minArgs: 1, maxArgs: max });

const int = (name: string, status: Status = DATA): SectionKeyword => ({
  name,
  status,
  parse(ctx) {
    if (ctx.args.length !== 1) return ctx.fail(`'${name}' expects an integer argument.`, 'E_MISSING_ARG');
    return looseInt(ctx, ctx.args[0]);
  },
});

const size = (name: string, status: Status = DATA): SectionKeyword => ({
  name,
  status,
  parse(ctx) {
    if (ctx.args.length !== 1) return ctx.fail(`'${name}' expects a size argument.`, 'E_MISSING_ARG');
    const r = parseSize(ctx.args[0]!, name);
    return r.ok ? r.value : ctx.fail(r.error);
  },
});

const time = (name: string, status: Status = PROCESS): SectionKeyword => ({
  name,
  status,
  parse(ctx) {
    if (ctx.args.length !== 1) return ctx.fail(`'${name}' expects a time argument.`, 'E_MISSING_ARG');
    const r = parseTime(ctx.args[0]!, name);
    return r.ok ? r.value : ctx.fail(r.error);
  },
});

/** `cpu-map [auto:]<thread-set> <cpu-set>`: thread sets like 1, 1-4, 1/1-4, all, odd, even. */
function cpuMap(ctx: KwContext): string[] | undefined {
  const [threads, ...cpus] = ctx.args;
  if (threads === undefined || cpus.length === 0) {
    return ctx.fail(`cpu-map: expects a process number, thread number or range, followed by a CPU set.`, 'E_MISSING_ARG');
  }
  const set = threads.replace(/^auto:/, '');
  if (!/^((all|odd|even|[0-9]+(-[0-9]+)?)(\/(all|odd|even|[0-9]+(-[0-9]+)?))?)$/.test(set)) {
    return ctx.fail(`cpu-map: invalid process/thread set '${threads}'.`);
  }
  for (const c of cpus) {
    if (!/^[0-9]+(-[0-9]+)?$/.test(c)) return ctx.fail(`cpu-map: invalid CPU set '${c}'.`);
  }
  return [...ctx.args];
}

const nbproc: SectionKeyword = {
  name: 'nbproc',
  status: 'ready',
  summary: 'removed in HAProxy 2.5; refused as HAProxy refuses it',
  parse(ctx) {
    return ctx.fail(
      'nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.',
      'E_UNSUPPORTED',
    );
  },
};

/** One whole number in [min, max], or HAProxy's "expects an integer argument between" alert. */
function rangedInt(ctx: KwContext, name: string, min: number, max: number): number | undefined {
  const v = Number(ctx.args[0]);
  if (ctx.args.length !== 1 || ctx.args[0]!.trim() === '' || !Number.isInteger(v) || v < min || v > max) {
    return ctx.fail(`'${name}' expects an integer argument between ${min} and ${max}.`);
  }
  return v;
}

const nbthread: SectionKeyword = {
  name: 'nbthread',
  status: 'ready',
  summary: 'number of data-plane worker threads',
  parse: (ctx) => rangedInt(ctx, 'nbthread', 1, 64),
};

const description: SectionKeyword = {
  name: 'description',
  status: 'ready',
  parse: (ctx) => (ctx.args.length ? ctx.args.join(' ') : ctx.fail(`'description' expects a string argument.`, 'E_MISSING_ARG')),
};

/** Switchyard's own global: how connections reach worker threads (DESIGN.md, bench/). */
const acceptMode: SectionKeyword = {
  name: 'switchyard.accept-mode',
  status: 'ready',
  summary: 'main | shared | reuseport: how accepted connections reach worker threads (not an HAProxy keyword)',
  parse(ctx) {
    const m = ctx.args[0];
    if (ctx.args.length !== 1 || (m !== 'main' && m !== 'shared' && m !== 'reuseport')) {
      return ctx.fail(`'switchyard.accept-mode' expects 'main', 'shared' or 'reuseport'.`);
    }
    return m;
  },
};

/** `pidfile FILE`: where the PID is written (`-p` on the command line wins), HAProxy's checks in its order. */
const pidfile: SectionKeyword = {
  name: 'pidfile',
  status: 'ready',
  summary: 'where the PID is written (-p on the command line wins)',
  parse(ctx) {
    if (ctx.args.length === 0) return ctx.fail(`'pidfile' expects a file name as an argument.`, 'E_MISSING_ARG');
    if (ctx.args.length > 1) return ctx.fail(`'pidfile' cannot handle unexpected argument '${ctx.args[1]}'.`);
    if (ctx.config.global.settings['pidfile']) return ctx.fail(`'pidfile' already specified. Continuing.`);
    return ctx.args[0]!;
  },
};

/** Switchyard's own global: spare server-table slots for `add server` (the table is fixed-size shared memory). */
const dynamicServers: SectionKeyword = {
  name: 'switchyard.dynamic-servers',
  status: 'ready',
  summary: 'how many servers `add server` may add at run time (default 1024; not an HAProxy keyword)',
  parse: (ctx) => rangedInt(ctx, 'switchyard.dynamic-servers', 0, 1_000_000),
};

export const GLOBAL_KEYWORDS: readonly SectionKeyword[] = [
  acceptMode,
  dynamicServers,
  nbproc,
  nbthread,
  { name: 'cpu-map', status: 'ready', multi: true, parse: cpuMap, summary: 'pins worker threads (needs the native addon; said at start-up otherwise)' },
  { name: 'daemon', status: 'ready', maxArgs: 0, summary: 'run in the background once serving (as -D)' },
  flag('master-worker'),
  flag('quiet', 'ready'),
  { ...flag('external-check', 'ready'), summary: "allows 'option external-check' (src/checks/external.ts)" },
  { ...flag('insecure-fork-wanted', 'ready'), summary: "without it haproxy warns that 'option external-check' will likely fail; Switchyard runs the command either way" },
  { ...flag('zero-warning', 'ready'), summary: 'any configuration warning is fatal, for -c and for starting (as -dW)' },
  STRICT_LIMITS,
  flag('noepoll'),
  { ...flag('nosplice', 'ready'), summary: 'TCP sessions are copied through JS sockets instead of the native splice forwarder' },
  NOREUSEPORT,
  ...IDENTITY_KEYWORDS,
  CHROOT,
  pidfile,
  { ...int('maxconn'), status: 'ready', summary: 'process-wide limit on concurrent connections (clients beyond it wait)' },
  int('maxsslconn', TLS),
  int('maxconnrate'),
  int('maxsessrate'),
  ULIMIT_N,
  HARD_STOP_AFTER,
  GRACE,
  description,
  word('node', 'ready'),
  int('spread-checks', 'ready'),
  word('localpeer', pending('peers')),
  // The runtime API's rows (stats socket/timeout/maxconn, server state files) live beside it.
  ...API_GLOBAL_KEYWORDS,
  { ...size('tune.bufsize'), status: 'ready', summary: 'bounds an HTTP head (with tune.maxrewrite), as in HAProxy' },
  { ...int('tune.maxrewrite'), status: 'ready' },
  { ...int('tune.http.maxhdr'), status: 'ready', summary: 'most headers in a request or response head (HTTP mode)' },
  {
    ...int('tune.pipesize'),
    status: 'ready',
    summary: 'size of the splice forwarder\'s pipes (default: the system\'s, grown to 1 MiB for streaming flows)',
  },
  int('tune.maxaccept'),
  int('tune.maxpollevents'),
  int('tune.ssl.default-dh-param', TLS),
  int('tune.ssl.cachesize', TLS),
  time('tune.ssl.lifetime', TLS),
  word('ssl-default-bind-ciphers', TLS),
  word('ssl-default-bind-ciphersuites', TLS),
  { name: 'ssl-default-bind-options', status: TLS, minArgs: 1 },
  word('ssl-default-bind-curves', TLS),
  word('ssl-default-bind-sigalgs', TLS),
  word('ssl-default-server-ciphers', TLS),
  word('ssl-default-server-ciphersuites', TLS),
  { name: 'ssl-default-server-options', status: TLS, minArgs: 1 },
  word('ssl-dh-param-file', TLS),
  word('ssl-server-verify', TLS),
  word('ca-base', TLS),
  word('crt-base', TLS),
  word('log-tag', 'ready'),
  { name: 'log-send-hostname', status: 'ready', maxArgs: 1 },
  ...ENVIRONMENT_KEYWORDS,
];
