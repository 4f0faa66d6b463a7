// `ulimit-n N` and `[no] strict-limits` (global), and what the process asks the kernel for at
// start-up. As HAProxy 2.6.12 (haproxy.c main()):
//  - the file-descriptor limit wanted is `ulimit-n`, or else, when `maxconn` is set, the
//    descriptors that maxconn needs (HAProxy's maxsock, estimated below);
//  - it is only ever raised (2.6.12 never shrinks RLIMIT_NOFILE), so a value at or below the
//    current limit changes nothing. Node raises its soft limit to the hard one as it boots, so
//    under Switchyard `ulimit-n` acts only above the hard limit (which needs CAP_SYS_RESOURCE);
//  - with strict-limits (the default) a limit that cannot be had is fatal, `no strict-limits`
//    makes it a warning and takes what the hard limit allows.
// Applying it is ./rlimits.ts.

import type { SectionKeyword } from '../config/keyword.js';
import type { ConfigModel } from '../config/model.js';
import { looseInt } from '../proxy/keywords.js';
import { atolToCInt } from '../config/units.js';

/** HAProxy keeps `ulimit-n` in a C int filled by atol(). */
// Clamped first: a number of 400 digits is Infinity, which BigInt() refuses.
const asCInt = (v: number): number => atolToCInt(BigInt(Math.trunc(Math.max(-(2 ** 63), Math.min(2 ** 63, v)))));

export const ULIMIT_N: SectionKeyword = {
  name: 'ulimit-n',
  status: 'ready',
  summary: 'raises the FD limit (RLIMIT_NOFILE) at start-up, never lowers it, as HAProxy 2.6.12; needs the native addon to raise',
  parse(ctx) {
    // HAProxy's order: too many arguments, "already specified" (non-fatal: the first value
    // wins; 0 counts as unset), then a missing value.
    if (ctx.args.length > 1) return ctx.fail(`'ulimit-n' cannot handle unexpected argument '${ctx.args[1]}'.`, 'E_SYNTAX');
    const prev = ctx.config.global.settings['ulimit-n']?.value;
    if (typeof prev === 'number' && prev !== 0) {
      ctx.diag.alertNonFatal('E_DUPLICATE', ctx.loc, `'ulimit-n' already specified. Continuing.`);
      return undefined;
    }
    if (!ctx.args[0]) return ctx.fail(`'ulimit-n' expects an integer argument.`, 'E_MISSING_ARG');
    const v = looseInt(ctx, ctx.args[0]);
    return v === undefined ? undefined : asCInt(v);
  },
};

export const STRICT_LIMITS: SectionKeyword = {
  name: 'strict-limits',
  status: 'ready',
  negatable: true,
  summary: 'on by default: a limit (ulimit-n, maxconn, -m) that cannot be set is fatal; `no strict-limits` makes it a warning',
  parse(ctx) {
    if (ctx.args.length > 0) return ctx.fail(`'strict-limits' cannot handle unexpected argument '${ctx.args[0]}'.`, 'E_SYNTAX');
    // HAProxy only ever clears the flag: a plain `strict-limits` after `no strict-limits` does
    // not turn it back on.
    return ctx.config.global.settings['strict-limits']?.value === false ? false : !ctx.negated;
  },
};

/** Whether a limit that cannot be set stops the process (HAProxy's GTUNE_STRICT_LIMITS). */
export function strictLimits(model: ConfigModel): boolean {
  return model.global.settings['strict-limits']?.value !== false;
}

/** HAProxy's reserve for its own descriptors before counting anything (global.maxsock = 10). */
const RESERVED_FDS = 10;
/** HAProxy's default `stats maxconn`: connections the CLI may hold. */
const CLI_MAXCONN = 10;

function setting(model: ConfigModel, key: string): number {
  const v = model.global.settings[key]?.value;
  return typeof v === 'number' ? v : 0;
}

/**
 * HAProxy's maxsock for a set maxconn: its reserve, one per listening socket (a port range
 * counts each port) and per stats socket, the CLI's connections, one per health or agent
 * check, two per connection and three per thread (poller and wake-up pipe). Splice pipes
 * (`maxpipes`, `option splice-*`) and peers are not counted.
 */
export function fdNeed(model: ConfigModel, maxconn: number, threads: number): number {
  let n = RESERVED_FDS;
  for (const p of model.proxies) {
    if (p.cap.frontend) {
      for (const b of p.binds) {
        for (const a of b.addresses) n += a.family === 'ipv4' || a.family === 'ipv6' || a.family === 'hostname' ? a.ports[1] - a.ports[0] + 1 : 1;
      }
    }
    for (const s of p.servers) n += (s.options['check'] === true ? 1 : 0) + (s.options['agent-check'] === true ? 1 : 0);
  }
  const statsSockets = model.global.lists['stats socket']?.length ?? 0;
  if (statsSockets > 0) n += statsSockets + (setting(model, 'stats maxconn') || CLI_MAXCONN);
  return n + 2 * maxconn + 3 * threads;
}

/**
 * The RLIMIT_NOFILE the process asks for (0: nothing): `ulimit-n`, or maxconn's need. Without
 * either, HAProxy sizes maxconn from the limit it finds, so it needs no more than it has.
 */
export function wantedFds(model: ConfigModel, threads: number): number {
  const explicit = setting(model, 'ulimit-n');
  if (explicit !== 0) return explicit;
  const maxconn = setting(model, 'maxconn');
  return maxconn > 0 ? fdNeed(model, maxconn, threads) : 0;
}
