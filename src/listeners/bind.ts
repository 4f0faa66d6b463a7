// `bind ADDR[,ADDR...] [options]`: listener addresses and the bind option registry. Messages
// are HAProxy 2.6's. Listening itself is the data plane's (pending).

import type { KwContext, LineOption, SectionKeyword } from '../config/keyword.js';
import type { AddressModel, Json } from '../config/model.js';
import type { Registry } from '../config/registry.js';
import { FE } from '../config/caps.js';
import { pending, statusLabel } from '../config/status.js';
import { didYouMean } from '../config/hint.js';
import { parseAddress } from '../net/address.js';
import { atoiCInt, parseLooseInt } from '../config/units.js';
import { fstatSync } from 'node:fs';
import { groupId, userId } from '../process/accounts.js';

const DATA = pending('data-plane');
const TLS = pending('tls');

const flag = (name: string, status = TLS, summary?: string): LineOption => ({ name, args: 0, status, summary });
const valued = (name: string, status = TLS, summary?: string): LineOption => ({ name, args: 1, status, summary });

const intOpt = (name: string, status = DATA): LineOption => ({
  name,
  args: 1,
  status,
  parse(words) {
    const r = parseLooseInt(words[0]!);
    if (!r || r.value < 0) return { error: `'${name}' : expects a positive integer argument.` };
    return { value: r.value };
  },
});

/** uid/gid as HAProxy reads them: atol(), so a non-number is 0. */
const atol = (w: string): number => {
  const m = /^\s*([+-]?\d+)/.exec(w);
  return m ? Number(m[1]) : 0;
};


/** `maxconn` / `backlog` as HAProxy reads them (atolInt), then refused below 0 in its words. */
function nonNegative(name: string, w: string, rule: string): { value: number } | { error: string } {
  const v = atoiCInt(w);
  return v < 0 ? { error: `'${name}' : invalid value ${v}, must be ${rule}` } : { value: v };
}

const UNIX_SOCKET = 'applies to unix@ listeners (the socket file), as in HAProxy';

/** Ownership and permissions of a unix@ listener's socket file. */
const UNIX_OPTIONS: readonly LineOption[] = [
  {
    name: 'mode',
    args: 1,
    status: 'ready',
    summary: UNIX_SOCKET,
    parse: (w) => (/^[0-7]+$/.test(w[0]!) ? { value: parseInt(w[0]!, 8) } : { error: `'mode' : missing or invalid mode '${w[0]}' (octal integer expected)` }),
  },
  { name: 'uid', args: 1, status: 'ready', summary: UNIX_SOCKET, parse: (w) => ({ value: atol(w[0]!) }) },
  { name: 'gid', args: 1, status: 'ready', summary: UNIX_SOCKET, parse: (w) => ({ value: atol(w[0]!) }) },
  {
    name: 'user',
    args: 1,
    status: 'ready',
    summary: UNIX_SOCKET,
    parse: (w) => {
      const id = userId(w[0]!);
      return id === undefined ? { error: `'user' : unknown user name '${w[0]}'` } : { value: id };
    },
  },
  {
    name: 'group',
    args: 1,
    status: 'ready',
    summary: UNIX_SOCKET,
    parse: (w) => {
      const id = groupId(w[0]!);
      return id === undefined ? { error: `'group' : unknown group name '${w[0]}'` } : { value: id };
    },
  },
];

/** Bind options HAProxy 2.6 documents (configuration.txt §5.1), with the words each consumes. */
export const BIND_OPTIONS: readonly LineOption[] = [
  {
    name: 'maxconn',
    args: 1,
    status: 'ready',
    summary: "this socket's own connection limit; beyond it new connections wait in the kernel's queue (0: the frontend's)",
    parse: (w) => nonNegative('maxconn', w[0]!, '>= 0'),
  },
  {
    name: 'backlog',
    args: 1,
    status: 'ready',
    summary: "listen() backlog of this socket (default: the frontend's backlog, then maxconn)",
    // HAProxy says "> 0" but accepts 0 (then the next default in the chain applies).
    parse: (w) => nonNegative('backlog', w[0]!, '> 0'),
  },
  intOpt('id'),
  valued('name', DATA),
  valued('thread', DATA),
  valued('process', DATA),
  {
    name: 'shards',
    args: 1,
    status: 'ready',
    summary: "'by-thread': one SO_REUSEPORT socket per worker thread (other values not yet)",
    parse: (w) => (w[0] === 'by-thread' ? { value: 'by-thread' } : { error: `'shards' : only 'by-thread' is implemented yet (got '${w[0]}').` }),
  },
  valued('interface', DATA),
  valued('mss', DATA),
  valued('nice', DATA),
  valued('namespace', DATA),
  valued('tcp-ut', DATA),
  ...UNIX_OPTIONS,
  valued('level', DATA),
  valued('severity-output', DATA),
  valued('expose-fd', DATA),
  valued('proto', DATA),
  flag('accept-proxy', 'ready', 'connections start with a PROXY protocol header (v1 or v2), whose addresses become the session\'s'),
  flag('accept-netscaler-cip', DATA),
  flag('defer-accept', DATA),
  flag('transparent', DATA),
  flag('tfo', DATA),
  flag('v4v6', DATA),
  flag('v6only', DATA),
  flag('ssl', TLS, 'TLS termination on this listener'),
  valued('crt'),
  valued('crt-list'),
  valued('ca-file'),
  valued('crl-file'),
  valued('ca-ignore-err'),
  valued('crt-ignore-err'),
  valued('ca-sign-file'),
  valued('ca-sign-pass'),
  valued('ca-verify-file'),
  valued('alpn'),
  valued('npn'),
  valued('ciphers'),
  valued('ciphersuites'),
  valued('curves'),
  valued('ecdhe'),
  valued('sigalgs'),
  valued('client-sigalgs'),
  valued('ssl-min-ver'),
  valued('ssl-max-ver'),
  valued('verify'),
  flag('no-sslv3'),
  flag('no-tlsv10'),
  flag('no-tlsv11'),
  flag('no-tlsv12'),
  flag('no-tlsv13'),
  flag('force-sslv3'),
  flag('force-tlsv10'),
  flag('force-tlsv11'),
  flag('force-tlsv12'),
  flag('force-tlsv13'),
  flag('no-tls-tickets'),
  flag('tls-ticket-keys'),
  flag('prefer-client-ciphers'),
  flag('strict-sni'),
  flag('allow-0rtt'),
  flag('generate-certificates'),
  flag('no-ca-names'),
  flag('no-alpn'),
  flag('ssl_fc'),
];

/** The first word after `bind`: one or more comma-separated addresses. */
function parseAddresses(ctx: KwContext, text: string): AddressModel[] | undefined {
  const out: AddressModel[] = [];
  for (const part of text.split(',')) {
    const r = parseAddress(part, { bind: true });
    if (!r.ok) return ctx.fail(`'bind' : ${r.error}`);
    out.push(r.addr);
  }
  return out;
}

export function bindKeyword(options: Registry<LineOption>): SectionKeyword {
  return {
    name: 'bind',
    caps: FE,
    misuse: 'alert',
    multi: true,
    status: 'ready',
    summary: 'listening addresses and their options',
    parse(ctx) {
      const first = ctx.args[0];
      if (first === undefined) {
        return ctx.fail(`'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.`, 'E_MISSING_ARG');
      }
      const addresses = parseAddresses(ctx, first);
      if (!addresses) return undefined;
      // TCP over IPv4/IPv6, unix sockets and inherited fds; other families are refused by name.
      for (const a of addresses) {
        if (a.family === 'fd') {
          // As HAProxy: the descriptor must exist when the configuration is read.
          const fd = Number(a.host);
          if (!/^\d+$/.test(a.host)) return ctx.fail(`'bind' : cannot parse file descriptor '${a.host}'.`);
          try {
            fstatSync(fd);
          } catch {
            return ctx.fail(`'bind' : cannot use file descriptor '${a.host}' : Bad file descriptor.`);
          }
        } else if (a.family !== 'ipv4' && a.family !== 'ipv6' && a.family !== 'unix') {
          ctx.fail(`'bind ${a.family}@' addresses are not implemented yet (${statusLabel(DATA)}).`, 'E_NOT_IMPLEMENTED');
        }
      }
      const opts: Record<string, Json> = {};
      const where = `'bind ${first}' in section '${ctx.section.type}'`;
      let ok = true;
      for (let i = 1; i < ctx.args.length; i++) {
        const name = ctx.args[i]!;
        const row = options.get(name);
        if (!row) {
          const hint = didYouMean(name, options.names());
          ctx.fail(`${where}: unknown keyword '${name}'${hint || '.'}`, 'E_UNKNOWN_KEYWORD');
          ok = false;
          break;
        }
        const words = ctx.args.slice(i + 1, i + 1 + row.args);
        if (words.length < row.args) {
          ctx.fail(`${where} : '${name}' : missing value`, 'E_MISSING_ARG');
          ok = false;
          break;
        }
        i += row.args;
        let value: Json = row.args === 0 ? true : row.args === 1 ? words[0]! : words;
        if (row.parse) {
          const r = row.parse(words, ctx);
          if ('error' in r) {
            ctx.fail(`${where} : ${r.error}`);
            ok = false;
            continue;
          }
          value = r.value;
        }
        opts[name] = value;
        if (row.status !== 'ready') {
          ctx.fail(`'${name}' on 'bind' is not implemented yet (${statusLabel(row.status)}).`, 'E_NOT_IMPLEMENTED');
        }
      }
      if (!ok) return undefined;
      ctx.proxy!.binds.push({ loc: ctx.loc, addresses, options: opts });
      return { addresses: addresses.map((a) => a.text), options: opts };
    },
  };
}
