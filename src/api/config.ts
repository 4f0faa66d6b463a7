// The configuration of the runtime API: `stats socket ADDR [bind options]`, `stats timeout`,
// `stats maxconn`, the `stats` family's own error, `server-state-file`, `server-state-base`,
// and the backend keywords `load-server-state-from-file` and `server-state-file-name`. Messages
// are haproxy 2.6.12's (checked with `haproxy -c`).

import type { KwContext, LineOption, SectionKeyword } from '../config/keyword.js';
import type { Json } from '../config/model.js';
import { DEF_BE } from '../config/caps.js';
import { bestMatch } from '../config/hint.js';
import { parseTime, TIME_MAX_MS } from '../config/units.js';
import { BIND_OPTIONS } from '../listeners/bind.js';
import { BIND_OPTIONS as BIND_CATALOG } from '../config/catalog/bind-options.js';
import { parseAddress } from '../net/address.js';

/** A `stats socket` line as the runtime API opens it (plain data: it lives in the model). */
export interface StatsSocketSpec {
  readonly [key: string]: Json;
  readonly kind: 'unix' | 'tcp';
  readonly path: string;
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly level: 'user' | 'operator' | 'admin';
  /** Socket file mode/owner (-1: as created). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** `expose-fd listeners`: HAProxy's `_getsocks` is allowed here (not implemented by Switchyard). */
  readonly exposeFd: boolean;
  readonly severityOutput: 'none' | 'number' | 'string';
  /** `file:line`, for bind error messages. */
  readonly where: string;
}

const UNIX_OPTIONS = new Map<string, LineOption>(BIND_OPTIONS.filter((o) => ['mode', 'uid', 'gid', 'user', 'group'].includes(o.name)).map((o) => [o.name, o]));

function choice(name: string, allowed: readonly string[], text: string, word: string | undefined): { value: string } | { error: string } {
  if (word === undefined) return { error: `'${name}' : missing ${name === 'level' ? 'level' : 'value'}` };
  return allowed.includes(word) ? { value: word } : { error: `'${name}' only supports ${text} (got '${word}')` };
}

function parseStatsSocket(ctx: KwContext): Json | undefined {
  const addr = ctx.args[0];
  if (addr === undefined) return ctx.fail(`'stats socket' in global section expects an address or a path to a UNIX socket`, 'E_MISSING_ARG');
  // str2listener's errors come with their own location prefix, so HAProxy prints it twice.
  const where = `parsing [${ctx.loc.file}:${ctx.loc.line}] : 'stats socket' : `;
  const r = parseAddress(addr, { bind: true });
  if (!r.ok) {
    const port = /:([^:\]]*)$/.exec(addr.replace(/^[a-z0-9]+@/, ''));
    if (!port || port[1] === '') return ctx.fail(`${where}missing port specification in '${addr}'`);
    const bad = /[^0-9-]/.exec(port[1]!);
    if (bad) return ctx.fail(`${where}invalid character '${bad[0]}' in port number '${port[1]}' in '${addr}'`);
    return ctx.fail(`${where}${r.error}`);
  }
  const a = r.addr;
  if (a.family !== 'unix' && a.family !== 'ipv4' && a.family !== 'ipv6') {
    return ctx.fail(`'stats socket ${a.family}@' addresses are not implemented yet in Switchyard.`, 'E_NOT_IMPLEMENTED');
  }
  if (a.family !== 'unix' && a.ports[0] !== a.ports[1]) return ctx.fail(`${where}port ranges are not supported for 'stats socket' in Switchyard.`);

  const spec: Record<string, Json> = {
    kind: a.family === 'unix' ? 'unix' : 'tcp',
    path: a.family === 'unix' ? a.host : '',
    host: a.family === 'unix' ? '' : a.host || (a.family === 'ipv6' ? '::' : '0.0.0.0'),
    port: a.ports[0],
    family: a.family === 'ipv6' ? 6 : 4,
    level: 'operator',
    mode: -1,
    uid: -1,
    gid: -1,
    exposeFd: false,
    severityOutput: 'none',
    where: `${ctx.loc.file}:${ctx.loc.line}`,
  };
  const known = [...new Set([...BIND_CATALOG.map((b) => b.name), ...BIND_OPTIONS.map((b) => b.name)])];
  for (let i = 1; i < ctx.args.length; i++) {
    const name = ctx.args[i]!;
    const next = ctx.args[i + 1];
    let r2: { value: Json } | { error: string };
    if (name === 'level') r2 = choice('level', ['user', 'operator', 'admin'], "'user', 'operator', and 'admin'", next);
    else if (name === 'expose-fd') r2 = choice('expose-fd', ['listeners'], "'listeners'", next);
    else if (name === 'severity-output') r2 = choice('severity-output', ['none', 'number', 'string'], "'none', 'number', and 'string'", next);
    else if (UNIX_OPTIONS.has(name)) {
      const row = UNIX_OPTIONS.get(name)!;
      if (next === undefined && name !== 'mode') r2 = { error: `'${name}' : missing value` };
      else r2 = row.parse!([next ?? ''], ctx);
    } else if (known.includes(name)) {
      return ctx.fail(`'${name}' on 'stats socket' is not implemented yet in Switchyard.`, 'E_NOT_IMPLEMENTED');
    } else {
      const best = bestMatch(name, known);
      return ctx.fail(`'stats socket' : unknown keyword '${name}'.${best ? ` Did you mean '${best}' maybe ?` : ''}`, 'E_UNKNOWN_KEYWORD');
    }
    if ('error' in r2) return ctx.fail(`'stats socket' : '${r2.error}'`);
    i++;
    if (name === 'expose-fd') spec['exposeFd'] = true;
    else if (name === 'severity-output') spec['severityOutput'] = r2.value;
    else if (name === 'user') spec['uid'] = r2.value;
    else if (name === 'group') spec['gid'] = r2.value;
    else spec[name] = r2.value;
  }
  return spec;
}

/** `stats timeout`: parse_time_err()'s messages; the empty argument is cut by a NUL in HAProxy's text. */
function parseStatsTimeout(ctx: KwContext): Json | undefined {
  const text = ctx.args[0] ?? '';
  if (text === '') return ctx.fail(`'stats timeout' : unexpected character '`);
  const r = parseTime(text, 'stats timeout');
  if (!r.ok) {
    const bad = /unexpected character '(.)'/.exec(r.error);
    return ctx.fail(bad ? `'stats timeout' : unexpected character '${bad[1]}'` : r.error);
  }
  if (r.value > TIME_MAX_MS) {
    return ctx.fail(`timer overflow in argument '${text}' to 'stats timeout' (maximum value is 2147483647 ms or ~24.8 days)`);
  }
  if (r.value === 0) return ctx.fail(`'stats timeout' expects a positive value`);
  return r.value;
}

/** `stats maxconn`: atol(), positive. */
function parseStatsMaxconn(ctx: KwContext): Json | undefined {
  const m = /^\s*([+-]?\d+)/.exec(ctx.args[0] ?? '');
  const v = m ? Number(m[1]) : 0;
  if (v <= 0) return ctx.fail(`'stats maxconn' expects a positive value`);
  return v;
}

const API = 'ready' as const;

export const API_GLOBAL_KEYWORDS: readonly SectionKeyword[] = [
  {
    name: 'stats',
    status: API,
    summary: "the 'stats' family: socket, timeout, maxconn, bind-process",
    parse: (ctx) => ctx.fail(`'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '${ctx.args[0] ?? ''}')`),
  },
  {
    name: 'stats socket',
    status: API,
    multi: true,
    summary: 'runtime API on a unix or TCP socket; level, mode/uid/gid/user/group, severity-output, expose-fd listeners (fd passing itself is not implemented)',
    parse: parseStatsSocket,
  },
  { name: 'stats timeout', status: API, summary: 'idle timeout of runtime API connections (default 10s)', parse: parseStatsTimeout },
  { name: 'stats maxconn', status: API, summary: 'concurrent runtime API connections (default 10; more wait)', parse: parseStatsMaxconn },
  // One process since HAProxy 2.5: HAProxy 2.6 accepts the keyword and has nothing to bind.
  { name: 'stats bind-process', status: API, minArgs: 1, summary: 'accepted as HAProxy 2.6 accepts it: there is one process' },
  {
    name: 'server-state-file',
    status: API,
    summary: 'server states loaded at start-up by backends with load-server-state-from-file global',
    parse: (ctx) => (ctx.args[0] ? ctx.args[0] : ctx.fail(`'server-state-file' expect one argument: a file path.`, 'E_MISSING_ARG')),
  },
  {
    name: 'server-state-base',
    status: API,
    summary: 'directory of relative server state files',
    parse: (ctx) => (ctx.args[0] ? ctx.args[0] : ctx.fail(`'server-state-base' expects one argument: a directory path.`, 'E_MISSING_ARG')),
  },
];

export const API_PROXY_KEYWORDS: readonly SectionKeyword[] = [
  {
    name: 'load-server-state-from-file',
    caps: DEF_BE,
    misuse: 'warning',
    status: API,
    summary: 'apply saved server states (admin state, weight) at start-up',
    parse(ctx) {
      const v = ctx.args[0] ?? '';
      if (v === 'global' || v === 'local' || v === 'none') return v;
      return ctx.fail(`'load-server-state-from-file' expects 'global', 'local' or 'none'. Got '${v}'`);
    },
  },
  {
    name: 'server-state-file-name',
    caps: DEF_BE,
    misuse: 'warning',
    status: API,
    maxArgs: 1,
    summary: "the backend's own state file (load-server-state-from-file local); default: the backend's name",
    parse(ctx) {
      if (ctx.args.length > 1) return ctx.fail(`'server-state-file-name' cannot handle unexpected argument '${ctx.args[1]}'.`);
      return ctx.args[0] ?? 'use-backend-name';
    },
  },
];
