// Log-format aliases (%ci, %HU, ...) that can be computed from a Txn. Those missing here need
// timers, byte counters, captures or connection counters the Txn does not carry; the config
// refuses a log-format using them ("not implemented yet") instead of printing wrong values.
//
// Facts (haproxy 2.6.12):
//  - %b is the frontend's name until switching; %s is "<NOSRV>" without a server;
//  - %ft is the frontend name followed by '~' on a TLS connection;
//  - %HM %HU %HP %HPO %HQ %HV %r print the request line as received (HAProxy's captured line);
//    %HP is the target without its query (scheme and authority included), %HPO the path only,
//    %HQ the query with its '?' (empty without one), %HV "HTTP/1.x";
//  - %ST is -1 while processing the request, the response status after;
//  - %t "22/Nov/2026:12:49:05.752" local, %T "22/Nov/2026:12:49:05 +0000" GMT, %Tl the local
//    time with its offset, %Ts the epoch seconds, %ms the milliseconds on 3 digits;
//  - %{+X} prints addresses (IPv4) and ports in upper-case hex (%08X / %04X), not other numbers.

import { hostname } from 'node:os';
import { MONTHS, pad2, utcOffset } from '../../log/dates.js';
import { parseIpv4 } from './sample.js';
import { uriPath, uriQuery } from './uri.js';
import type { Txn } from './txn.js';

export interface AliasCtx {
  /** The status a reply being built will carry (%ST inside a `return` body). */
  readonly status?: number;
}

/** An alias: its text, or null for '-'. `hex` asks for the %{+X} form where one exists. */
export type AliasFn = (txn: Txn, hex: boolean, ctx: AliasCtx) => string | null;

const HOST = hostname();

function dateText(ms: number, utc: boolean): string {
  const d = new Date(ms);
  const [day, mon, year, h, m, s] = utc
    ? [d.getUTCDate(), d.getUTCMonth(), d.getUTCFullYear(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getDate(), d.getMonth(), d.getFullYear(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${pad2(day)}/${MONTHS[mon]}/${year}:${pad2(h)}:${pad2(m)}:${pad2(s)}`;
}

const accept = (txn: Txn): number => txn.acceptTime ?? txn.now();

function ipText(ip: string, hex: boolean): string {
  if (!hex) return ip;
  const b = parseIpv4(ip);
  return b ? b.toString('hex').toUpperCase() : ip;
}

const portText = (p: number, hex: boolean): string => (hex ? p.toString(16).toUpperCase().padStart(4, '0') : String(p));

function line(txn: Txn): { method: string; uri: string; versionMinor: 0 | 1 } | null {
  return txn.requestLine ?? txn.req ?? null;
}

function fromLine(f: (l: { method: string; uri: string; versionMinor: 0 | 1 }) => string): AliasFn {
  return (txn) => {
    const l = line(txn);
    return l ? f(l) : '<BADREQ>';
  };
}

export const LOG_ALIAS_IMPLS: Readonly<Record<string, AliasFn>> = {
  ci: (t, hex) => ipText(t.src, hex),
  cp: (t, hex) => portText(t.srcPort, hex),
  fi: (t, hex) => ipText(t.dst, hex),
  fp: (t, hex) => portText(t.dstPort, hex),
  f: (t) => t.frontend.name,
  ft: (t) => t.frontend.name + (t.ssl ? '~' : ''),
  b: (t) => (t.backend ?? t.frontend).name,
  s: (t) => (t.server ? t.server.name : '<NOSRV>'),
  H: () => HOST,
  pid: () => String(process.pid),
  HM: fromLine((l) => l.method),
  HU: fromLine((l) => l.uri),
  HP: fromLine((l) => {
    const q = l.uri.indexOf('?');
    return q < 0 ? l.uri : l.uri.slice(0, q);
  }),
  HPO: fromLine((l) => uriPath(l.uri) ?? ''),
  HQ: fromLine((l) => {
    const q = uriQuery(l.uri);
    return q === null ? '' : `?${q}`;
  }),
  HV: fromLine((l) => `HTTP/1.${l.versionMinor}`),
  r: fromLine((l) => `${l.method} ${l.uri} HTTP/1.${l.versionMinor}`),
  ST: (t, _hex, ctx) => String(ctx.status ?? t.res?.status ?? -1),
  t: (t) => {
    const ms = accept(t);
    return `${dateText(ms, false)}.${String(Math.floor(ms) % 1000).padStart(3, '0')}`;
  },
  T: (t) => `${dateText(accept(t), true)} +0000`,
  Tl: (t) => `${dateText(accept(t), false)} ${utcOffset(new Date(accept(t)))}`,
  Ts: (t) => String(Math.floor(accept(t) / 1000)),
  ms: (t) => String(Math.floor(accept(t)) % 1000).padStart(3, '0'),
};

/** Aliases a log-format may use (the others are refused at load); %o only carries flags. */
export const LOG_ALIAS_READY: ReadonlySet<string> = new Set([...Object.keys(LOG_ALIAS_IMPLS), 'o']);
