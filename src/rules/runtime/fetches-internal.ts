// Sample fetches that do not read the HTTP message: constants, process and proxy state, the
// client connection, TLS facts the session knows, variables (manual 7.3.2 to 7.3.4).
// Keyed by the catalog's names; a name listed here is `ready` in src/rules/catalog/fetches.ts.
//
// Facts (haproxy 2.6.12): before switching a stream's backend is its frontend, so be_name and
// be_id give the frontend's; srv_name/srv_id fail without a server; ssl_fc is 0 and ssl_fc_sni
// fails on a clear connection; `date` is in seconds unless a unit is given.

import { hostname } from 'node:os';
import { randomInt, randomUUID } from 'node:crypto';
import { single, RuleCompileError, type CompileCtx, type CompiledFetch, type FetchImpl } from './context.js';
import { bool, parseIpv4, parseIpv6, sint, str, type Sample } from './sample.js';
import { getVar } from './vars.js';
import type { Txn } from './txn.js';

const HOSTNAME = hostname();

function intArg(args: readonly string[], i: number, dflt: bigint): bigint {
  const a = args[i];
  if (a === undefined || a === '') return dflt;
  if (!/^[+-]?[0-9]+$/.test(a)) throw new RuleCompileError(`'${a}' is not an integer`);
  return BigInt(a);
}

/** A 'be' argument: empty means the proxy the rule belongs to. */
function beArg(args: readonly string[], ctx: CompileCtx): string {
  return args[0] || ctx.proxy.name;
}

/** A 'srv' argument: "backend/server" or "server" of the current proxy. */
function srvArg(args: readonly string[], ctx: CompileCtx): [string, string] {
  const a = args[0] ?? '';
  const slash = a.indexOf('/');
  return slash < 0 ? [ctx.proxy.name, a] : [a.slice(0, slash), a.slice(slash + 1)];
}

const constant = (s: Sample | null): CompiledFetch => single(() => s);

function addrSample(text: string, family: 4 | 6): Sample | null {
  if (family === 4) {
    const b = parseIpv4(text);
    return b ? { type: 'ipv4', value: b } : null;
  }
  const b = parseIpv6(text);
  return b ? { type: 'ipv6', value: b } : null;
}

const beOf = (txn: Txn): { name: string; id: number } => txn.backend ?? txn.frontend;

export const INTERNAL_FETCHES: Readonly<Record<string, FetchImpl>> = {
  // --- constants
  always_true: () => constant(bool(true)),
  always_false: () => constant(bool(false)),
  bool: (a) => constant(bool(['true', '1'].includes((a[0] ?? '').toLowerCase()))),
  int: (a) => constant(sint(intArg(a, 0, 0n))),
  str: (a) => constant(str(a[0] ?? '')),
  bin: (a) => constant({ type: 'bin', value: Buffer.from(a[0] ?? '', 'hex') }),
  ipv4: (a) => constant(addrSample(a[0] ?? '', 4)),
  ipv6: (a) => constant(addrSample(a[0] ?? '', 6)),
  meth: (a) => constant({ type: 'meth', value: a[0] ?? '' }),
  env: (a) => {
    const name = a[0] ?? '';
    return single(() => {
      const v = process.env[name];
      return v === undefined ? null : str(Buffer.from(v, 'utf8').toString('latin1'));
    });
  },
  hostname: () => constant(str(HOSTNAME)),
  date: (a) => {
    const offset = intArg(a, 0, 0n);
    const unit = a[1] || 's';
    return single((txn) => {
      const ms = BigInt(Math.floor(txn.now()));
      const base = unit === 'ms' ? ms : unit === 'us' ? ms * 1000n : ms / 1000n;
      return sint(base + offset);
    });
  },
  date_us: () => single((txn) => sint((BigInt(Math.floor(txn.now())) % 1000n) * 1000n)),
  rand: (a) => {
    const range = intArg(a, 0, 0n);
    return single(() => {
      const r = BigInt(randomInt(0, 0x100000000));
      return sint(range > 0n ? (r * range) >> 32n : r);
    });
  },
  uuid: () => single(() => str(randomUUID())),
  // --- variables
  var: (a, ctx) => {
    const name = a[0] ?? '';
    const dflt = a.length > 1 ? str(a[1]!) : null;
    return single((txn) => getVar(txn, ctx.procVars, name) ?? dflt);
  },
  // --- client connection
  src: () => single((txn) => addrSample(txn.src, txn.family)),
  dst: () => single((txn) => addrSample(txn.dst, txn.family)),
  src_port: () => single((txn) => sint(txn.srcPort)),
  dst_port: () => single((txn) => sint(txn.dstPort)),
  ssl_fc: () => single((txn) => bool(txn.ssl)),
  ssl_fc_sni: () => single((txn) => (txn.ssl && txn.sni !== null ? str(txn.sni) : null)),
  // --- listener, proxies, server
  so_name: () => single((txn) => (txn.bindName !== undefined ? str(txn.bindName) : null)),
  so_id: () => single((txn) => (txn.bindId !== undefined ? sint(txn.bindId) : null)),
  fe_name: () => single((txn) => str(txn.frontend.name)),
  fe_id: () => single((txn) => sint(txn.frontend.id)),
  be_name: () => single((txn) => str(beOf(txn).name)),
  be_id: () => single((txn) => sint(beOf(txn).id)),
  srv_name: () => single((txn) => (txn.server ? str(txn.server.name) : null)),
  srv_id: () => single((txn) => (txn.server ? sint(txn.server.id) : null)),
  // --- process state
  stopping: () => single((txn) => bool(txn.state.stopping?.() ?? false)),
  // --- backend state
  nbsrv: (a, ctx) => {
    const be = beArg(a, ctx);
    return single((txn) => sint(txn.state.usableServers(be)));
  },
  be_conn: (a, ctx) => {
    const be = beArg(a, ctx);
    return single((txn) => sint(txn.state.backendConns(be)));
  },
  queue: (a, ctx) => {
    const be = beArg(a, ctx);
    return single((txn) => sint(txn.state.backendQueue(be)));
  },
  connslots: (a, ctx) => {
    const be = beArg(a, ctx);
    return single((txn) => sint(txn.state.connSlots(be)));
  },
  avg_queue: (a, ctx) => {
    // Queued connections divided by the usable servers, rounded up; twice the queue when
    // there is no usable server.
    const be = beArg(a, ctx);
    return single((txn) => {
      const n = BigInt(txn.state.usableServers(be));
      const q = BigInt(txn.state.backendQueue(be));
      return sint(n > 0n ? (q + n - 1n) / n : q * 2n);
    });
  },
  srv_is_up: (a, ctx) => {
    const [be, srv] = srvArg(a, ctx);
    return single((txn) => bool(txn.state.serverIsUp(be, srv)));
  },
};
