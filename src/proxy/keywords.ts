// Proxy core keywords: mode, limits, ids, timeouts, balancing and backend switching. Their
// behaviour is the data plane's; until it lands they are validated here and reported as
// pending by the parser.

import type { KwContext, SectionKeyword } from '../config/keyword.js';
import type { Json } from '../config/model.js';
import { ALL, DEF_BE, DEF_FE, FE_BE } from '../config/caps.js';
import { parseLooseInt, parseTime } from '../config/units.js';
import { notImplemented, pending } from '../config/status.js';
import { BALANCERS } from '../lb/index.js';
import { q } from '../config/diag.js';
import { BALANCE_ALGORITHMS, parseBalance } from '../lb/algorithms.js';
import { HAPROXY_26_FUNCTIONS, type HashFunction, type HashType } from '../lb/hash.js';

const DATA = pending('data-plane');

/** An integer the way HAProxy reads it (atol), warning when words were ignored. */
export function looseInt(ctx: KwContext, word: string | undefined, what = ctx.key): number | undefined {
  if (word === undefined) return ctx.fail(`${q(what)} expects an integer argument.`, 'E_MISSING_ARG');
  const r = parseLooseInt(word);
  if (!r) return ctx.fail(`${q(what)} expects an integer argument.`);
  if (r.trailing !== '') {
    ctx.warn(`${q(what)}: trailing characters '${r.trailing}' after the number are ignored, as HAProxy ignores them.`, 'W_IGNORED');
  }
  return r.value;
}

function integer(name: string, caps = ALL, min = 0, status = DATA): SectionKeyword {
  return {
    name,
    caps,
    misuse: 'warning',
    status,
    parse(ctx) {
      if (ctx.args.length !== 1) return ctx.fail(`${q(name)} expects an integer argument.`, 'E_MISSING_ARG');
      const v = looseInt(ctx, ctx.args[0]);
      if (v === undefined) return undefined;
      if (v < min) return ctx.fail(`${q(name)} expects a positive integer, got '${ctx.args[0]}'.`);
      return v;
    },
  };
}

/** The timeouts HAProxy knows, with the proxy sides that use them and who implements them. */
export const TIMEOUTS: Record<string, { side: 'fe' | 'be' | 'both'; ready?: boolean }> = {
  client: { side: 'fe', ready: true },
  'client-fin': { side: 'fe', ready: true },
  'http-request': { side: 'both', ready: true },
  'http-keep-alive': { side: 'both', ready: true },
  connect: { side: 'be', ready: true },
  server: { side: 'be', ready: true },
  'server-fin': { side: 'be', ready: true },
  queue: { side: 'be', ready: true },
  tunnel: { side: 'be', ready: true },
  check: { side: 'be', ready: true },
  tarpit: { side: 'both', ready: true },
};

function timeout(name: string): SectionKeyword {
  const side = TIMEOUTS[name]!.side;
  return {
    name: `timeout ${name}`,
    caps: ALL,
    misuse: 'warning',
    status: TIMEOUTS[name]!.ready ? 'ready' : name === 'check' ? pending('checks') : pending('http'),
    parse(ctx) {
      const key = `timeout ${name}`;
      if (ctx.args.length === 0) return ctx.fail(`${q(key)} expects an integer value (in milliseconds)`, 'E_MISSING_ARG');
      if (ctx.args.length > 1) return ctx.fail(`${q(key)} expects only one argument, got '${ctx.args[1]}'.`);
      const r = parseTime(ctx.args[0]!, key);
      if (!r.ok) return ctx.fail(r.error);
      const p = ctx.proxy!;
      // HAProxy keeps the value but warns when the proxy has no side that would use it.
      if (p.type !== 'defaults' && side !== 'both') {
        const lacks = side === 'fe' ? !p.cap.frontend : !p.cap.backend;
        if (lacks) {
          ctx.warn(`${q(key)} will be ignored because ${p.type} '${p.name}' has no ${side === 'fe' ? 'frontend' : 'backend'} capability`, 'W_IGNORED');
        }
      }
      p.timeouts[name] = r.value;
      return r.value;
    },
  };
}

const modeKw: SectionKeyword = {
  name: 'mode',
  caps: ALL,
  status: 'ready',
  summary: "'tcp' and 'http' (HTTP/1.1, both sides)",
  parse(ctx) {
    const m = ctx.args[0];
    if (m !== 'http' && m !== 'tcp' && m !== 'log') {
      return ctx.fail(`unknown proxy mode '${m ?? ''}'.`);
    }
    if (m === 'log') return ctx.fail(`'mode log' is only available in 'log-forward' sections.`);
    ctx.proxy!.mode = m;
    return m;
  },
};

const maxconnKw: SectionKeyword = {
  name: 'maxconn',
  // Backends reach the parser so it can give HAProxy's own hint about 'fullconn'.
  caps: ALL,
  misuse: 'warning',
  status: 'ready',
  summary: 'frontend limit: beyond it, clients wait (accepted, not served) until a slot frees',
  parse(ctx) {
    const p = ctx.proxy!;
    if (p.type === 'backend') {
      ctx.warn(`'maxconn' ignored because backend '${p.name}' has no frontend capability. Maybe you want 'fullconn' instead ?`, 'W_IGNORED');
      return undefined;
    }
    if (ctx.args.length !== 1) return ctx.fail(`'maxconn' expects an integer argument.`, 'E_MISSING_ARG');
    return looseInt(ctx, ctx.args[0]);
  },
};

const balanceKw: SectionKeyword = {
  name: 'balance',
  caps: DEF_BE,
  misuse: 'warning',
  status: 'ready',
  summary: `algorithms: ${Object.keys(BALANCE_ALGORITHMS).join(', ')}`,
  parse(ctx) {
    const r = parseBalance(ctx.args);
    if ('error' in r) return ctx.fail(r.error);
    // Parsed for every algorithm; only those with a balancer module run.
    if (!BALANCERS.has(r.value.algorithm)) ctx.fail(notImplemented(`'balance ${r.value.algorithm}'`, pending('http')), 'E_NOT_IMPLEMENTED');
    return r.value;
  },
};

const hashTypeKw: SectionKeyword = {
  name: 'hash-type',
  caps: DEF_BE,
  misuse: 'warning',
  status: 'ready',
  summary: "'map-based' and 'consistent', functions sdbm, djb2, wt6, crc32, modifier avalanche",
  // Messages and defaults as haproxy 2.6.12: 'consistent' alone means sdbm + avalanche;
  // 'none' (HAProxy 2.9) is refused; words after the modifier are ignored.
  parse(ctx): HashType | undefined {
    const [method, fn, mod] = ctx.args;
    if (method === 'avalanche') {
      return ctx.fail(`experimental feature 'hash-type avalanche' is not supported anymore, please use 'hash-type map-based sdbm avalanche' instead.`);
    }
    if (method !== 'map-based' && method !== 'consistent') {
      return ctx.fail(`'hash-type' only supports 'consistent' and 'map-based'.`, method === undefined ? 'E_MISSING_ARG' : undefined);
    }
    if (fn === undefined) return { method, function: 'sdbm', avalanche: method === 'consistent' };
    if (!(HAPROXY_26_FUNCTIONS as readonly string[]).includes(fn)) {
      return ctx.fail(`'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions.`);
    }
    if (mod !== undefined && mod !== 'avalanche') return ctx.fail(`'hash-type' only supports 'avalanche' as a modifier for hash functions.`);
    return { method, function: fn as HashFunction, avalanche: mod === 'avalanche' };
  },
};

function backendName(ctx: KwContext): Json | undefined {
  const name = ctx.args[0];
  if (name === undefined) return ctx.fail(`${q(ctx.key)} expects a backend name.`, 'E_MISSING_ARG');
  if (ctx.key === 'default_backend' && ctx.args.length > 1) {
    return ctx.fail(`'default_backend' cannot handle unexpected argument '${ctx.args[1]}'.`);
  }
  return name;
}

const defaultBackendKw: SectionKeyword = {
  name: 'default_backend',
  caps: DEF_FE,
  misuse: 'warning',
  status: 'ready',
  parse: backendName,
};

const idKw: SectionKeyword = {
  name: 'id',
  caps: FE_BE,
  status: 'ready',
  summary: 'numeric proxy id, as shown in stats',
  parse(ctx) {
    const v = ctx.args[0] === undefined ? undefined : Number(ctx.args[0]);
    if (v === undefined || !Number.isInteger(v) || v <= 0) {
      return ctx.fail(`'id' : expects an integer argument`, 'E_BAD_ARG');
    }
    ctx.proxy!.id = v;
    return v;
  },
};

const descriptionKw: SectionKeyword = {
  name: 'description',
  caps: ALL,
  status: 'ready',
  summary: 'free text shown in stats',
  parse(ctx) {
    if (ctx.args.length === 0) return ctx.fail(`'description' expects a string argument.`, 'E_MISSING_ARG');
    return ctx.args.join(' ');
  },
};

export const PROXY_CORE_KEYWORDS: readonly SectionKeyword[] = [
  modeKw,
  maxconnKw,
  integer('fullconn', DEF_BE),
  integer('retries', DEF_BE, 0, 'ready'),
  { ...integer('backlog', DEF_FE, 0, 'ready'), summary: 'listen() backlog of the frontend\'s sockets (default: their maxconn)' },
  balanceKw,
  hashTypeKw,
  defaultBackendKw,
  idKw,
  descriptionKw,
  { name: 'disabled', caps: ALL, status: DATA, maxArgs: 0 },
  { name: 'enabled', caps: ALL, status: DATA, maxArgs: 0 },
  ...Object.keys(TIMEOUTS).map(timeout),
];
