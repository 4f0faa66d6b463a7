// `server NAME ADDR [options]` and `default-server [options]`: the server option registry and
// its validation, with HAProxy 2.6's messages ('[file:line] : 'server b/s1' : ...').

import type { KwContext, LineOption, SectionKeyword } from '../config/keyword.js';
import type { Json } from '../config/model.js';
import type { Registry } from '../config/registry.js';
import { BE, DEF_BE } from '../config/caps.js';
import { pending, statusLabel, type Status } from '../config/status.js';
import { didYouMean } from '../config/hint.js';
import { parseAddress } from '../net/address.js';
import { atoiCInt, parseTime } from '../config/units.js';
import { SERVER_OPTIONS as CATALOG } from '../config/catalog/server-options.js';
import { PROXY_V2_OPTIONS } from '../net/proxy-protocol.js';

const DATA = pending('data-plane');
const TLS = pending('tls');

const flag = (name: string, status: Status, negatable = false): LineOption => ({ name, args: 0, status, onDefaultServer: true, negatable });
const valued = (name: string, status: Status): LineOption => ({ name, args: 1, status, onDefaultServer: true });

function time(name: string, status: Status): LineOption {
  return {
    name,
    args: 1,
    status,
    onDefaultServer: true,
    parse(words) {
      const r = parseTime(words[0]!, name);
      if (!r.ok) return { error: r.error.replace(`in '${name}'`, `in '${name}' argument`) };
      if (r.value <= 0) return { error: `invalid value for '${name}' (must be positive).` };
      return { value: r.value };
    },
  };
}

function int(name: string, status: Status, min: number, max: number, what?: (v: string) => string): LineOption {
  return {
    name,
    args: 1,
    status,
    onDefaultServer: true,
    parse(words) {
      const v = Number(words[0]);
      if (!/^[0-9]+$/.test(words[0]!) || v < min || v > max) {
        return { error: what ? what(words[0]!) : `'${name}' expects an integer argument between ${min} and ${max}.` };
      }
      return { value: v };
    },
  };
}

/**
 * `observe none|layer4|layer7`. HAProxy checks the proxy's mode as the line is parsed: layer7
 * outside HTTP is an [ALERT] it goes on from, with observe left off.
 */
function observe(): LineOption {
  return {
    name: 'observe',
    args: 1,
    status: 'ready',
    onDefaultServer: true,
    parse(words, ctx) {
      const v = words[0]!;
      if (v === '') return { error: "'observe' expects <mode> as argument.." };
      if (v !== 'none' && v !== 'layer4' && v !== 'layer7') return { error: `'observe' expects one of 'none', 'layer4', 'layer7' but got '${v}'.` };
      if (v === 'layer7' && ctx.proxy?.mode !== 'http') {
        const who = ctx.section.type === 'defaults' ? 'default-server' : `server ${ctx.proxy?.name ?? ''}/${ctx.args[0] ?? ''}`;
        ctx.diag.alertNonFatal('E_BAD_ARG', ctx.loc, `'${who}' : 'layer7' can only be used in http proxies..`, 'bracket');
        return { value: 'none' };
      }
      return { value: v };
    },
  };
}

/** `weight N`, read as atol() does ("12abc" is 12, "abc" is 0); the message names the server. */
function weight(): LineOption {
  return {
    name: 'weight',
    args: 1,
    status: 'ready',
    onDefaultServer: true,
    parse(words, ctx) {
      const m = /^\s*([+-]?[0-9]+)/.exec(words[0]!);
      const n = m ? Number.parseInt(m[1]!, 10) : 0;
      if (n < 0 || n > 256) {
        const who = ctx.key === 'default-server' ? 'default-server' : (ctx.args[0] ?? '');
        return { error: `weight of server ${who} is not within 0 and 256 (${n})..` };
      }
      return { value: n };
    },
  };
}

/** `pool-max-conn N` (idle connections kept for the server, -1: no limit), read with atoi. */
function poolMaxConn(): LineOption {
  return {
    name: 'pool-max-conn',
    args: 1,
    status: 'ready',
    onDefaultServer: true,
    parse(words) {
      const n = atoiCInt(words[0]!);
      if (n < -1) return { error: "'pool-max-conn' must be >= -1." };
      return { value: n };
    },
  };
}

/** `pool-low-conn N`, read with atoi and not checked, as HAProxy does. */
function poolLowConn(): LineOption {
  return { name: 'pool-low-conn', args: 1, status: 'ready', onDefaultServer: true, parse: (words) => ({ value: atoiCInt(words[0]!) }) };
}

/** `pool-purge-delay T`: 0 is allowed (no idle connection is kept). */
function poolPurgeDelay(): LineOption {
  return {
    name: 'pool-purge-delay',
    args: 1,
    status: 'ready',
    onDefaultServer: true,
    parse(words) {
      const text = words[0]!;
      const r = parseTime(text, 'pool-purge-delay');
      if (!r.ok) {
        if (r.error.startsWith('timer overflow')) return { error: `${r.error}.` };
        const bad = /'(.)'/.exec(r.error)?.[1] ?? text[0] ?? '';
        return { error: `unexpected character '${bad}' in argument to <pool-purge-delay>..` };
      }
      // HAProxy rounds a sub-millisecond delay up (100us is 1 ms).
      return { value: r.value === 0 && /[1-9]/.test(text) ? 1 : r.value };
    },
  };
}

/** `error-limit N`: read as atoi() does ("3x" is 3); 0 or less is refused. */
function errorLimit(): LineOption {
  return {
    name: 'error-limit',
    args: 1,
    status: 'ready',
    onDefaultServer: true,
    parse(words) {
      const n = Number.parseInt(words[0]!, 10);
      if (!Number.isFinite(n) || n <= 0) return { error: 'error-limit has to be > 0..' };
      return { value: n };
    },
  };
}

function onError(): LineOption {
  return {
    name: 'on-error',
    args: 1,
    status: 'ready',
    onDefaultServer: true,
    parse(words) {
      const v = words[0]!;
      if (!['fastinter', 'fail-check', 'sudden-death', 'mark-down'].includes(v)) {
        return { error: `'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '${v}'.` };
      }
      return { value: v };
    },
  };
}

/** `on-marked-down shutdown-sessions`, `on-marked-up shutdown-backup-sessions`: one action each. */
function onMarked(name: string, action: string, summary: string): LineOption {
  return {
    name,
    args: 1,
    status: 'ready',
    onDefaultServer: true,
    summary,
    parse: (words) => (words[0] === action ? { value: action } : { error: `'${name}' expects '${action}' but got '${words[0]}'.` }),
  };
}

/** `addr <ipv4|ipv6>[:port]`: where health checks connect instead of the server's address. */
function checkAddr(name: string): LineOption {
  return {
    name,
    args: 1,
    status: 'ready',
    onDefaultServer: true,
    parse(words) {
      const a = parseAddress(words[0]!, { server: true });
      if (!a.ok || (a.addr.family !== 'ipv4' && a.addr.family !== 'ipv6')) return { error: `'${name}' : invalid address: '${words[0]}'.` };
      return { value: words[0]! };
    },
  };
}

const PROXY_SUMMARY = 'a PROXY protocol header (v1 / v2) first on every server connection, with the client\'s addresses';

/**
 * `proxy-v2-options a,b,...`: the TLVs a v2 header carries. Every option HAProxy 2.6 knows is
 * sent as it sends it for a plain (non-TLS) client connection (src/net/proxy-protocol.ts).
 */
function proxyV2Options(): LineOption {
  return {
    name: 'proxy-v2-options',
    args: 1,
    status: 'ready',
    onDefaultServer: true,
    summary: 'TLVs of the v2 header: crc32c, authority, unique-id, ssl, cert-cn, cert-key, cert-sig, ssl-cipher',
    parse(words) {
      const list = words[0]!.split(',');
      const bad = list.find((w) => !(PROXY_V2_OPTIONS as readonly string[]).includes(w));
      return bad === undefined ? { value: list } : { error: `'${bad}' : proxy v2 option not implemented.` };
    },
  };
}

/** Server options HAProxy 2.6 documents (configuration.txt §5.2). */
export const SERVER_OPTIONS: readonly LineOption[] = [
  // Health checks (src/checks): what runs is ready, passive observation (observe, error-limit,
  // on-error, on-marked-*) and the PROXY header on checks included; TLS is not implemented yet.
  flag('check', 'ready', true),
  time('inter', 'ready'),
  time('fastinter', 'ready'),
  time('downinter', 'ready'),
  int('rise', 'ready', 1, 1e9),
  int('fall', 'ready', 1, 1e9),
  int('port', 'ready', 0, 65535),
  checkAddr('addr'),
  flag('check-ssl', TLS, true),
  flag('check-send-proxy', 'ready', true),
  valued('check-sni', TLS),
  valued('check-alpn', TLS),
  valued('check-proto', pending('h2')),
  flag('agent-check', 'ready', true),
  int('agent-port', 'ready', 0, 65535),
  time('agent-inter', 'ready'),
  valued('agent-send', 'ready'),
  valued('agent-addr', 'ready'),
  observe(),
  errorLimit(),
  onError(),
  onMarked('on-marked-down', 'shutdown-sessions', 'when the server goes DOWN or into maintenance, its open sessions are closed'),
  onMarked('on-marked-up', 'shutdown-backup-sessions', "when this (non-backup) server comes UP, the backend's backup servers' sessions are closed"),
  valued('track', 'ready'),
  time('slowstart', 'ready'),
  valued('health-check', pending('other')),
  weight(),
  flag('backup', 'ready', true),
  valued('cookie', 'ready'),
  int('maxconn', 'ready', 0, 1e9),
  int('maxqueue', DATA, 0, 1e9),
  int('minconn', DATA, 0, 1e9),
  int('id', 'ready', 1, 2 ** 31 - 1),
  flag('disabled', 'ready'),
  flag('enabled', 'ready'),
  valued('init-addr', pending('resolvers')),
  valued('resolvers', pending('resolvers')),
  valued('resolve-prefer', pending('resolvers')),
  valued('resolve-net', pending('resolvers')),
  valued('resolve-opts', pending('resolvers')),
  { ...flag('send-proxy', 'ready', true), summary: PROXY_SUMMARY },
  { ...flag('send-proxy-v2', 'ready', true), summary: PROXY_SUMMARY },
  proxyV2Options(),
  valued('redir', pending('http')),
  valued('proto', pending('h2')),
  valued('alpn', TLS),
  valued('npn', TLS),
  flag('ssl', TLS, true),
  valued('verify', TLS),
  valued('verifyhost', TLS),
  valued('ca-file', TLS),
  valued('crl-file', TLS),
  valued('crt', TLS),
  valued('sni', TLS),
  valued('ciphers', TLS),
  valued('ciphersuites', TLS),
  valued('ssl-min-ver', TLS),
  valued('ssl-max-ver', TLS),
  flag('no-sslv3', TLS),
  flag('no-tlsv10', TLS),
  flag('no-tlsv11', TLS),
  flag('no-tlsv12', TLS),
  flag('no-tlsv13', TLS),
  flag('no-ssl-reuse', TLS),
  flag('no-tls-tickets', TLS),
  flag('tls-tickets', TLS),
  flag('ssl-reuse', TLS),
  flag('force-sslv3', TLS),
  flag('force-tlsv10', TLS),
  flag('force-tlsv11', TLS),
  flag('force-tlsv12', TLS),
  flag('force-tlsv13', TLS),
  flag('non-stick', pending('stick-tables'), true),
  flag('tfo', DATA),
  poolMaxConn(),
  poolPurgeDelay(),
  poolLowConn(),
  int('max-reuse', pending('http'), 0, 1e9),
  valued('source', DATA),
  valued('namespace', DATA),
  valued('usesrc', DATA),
  valued('tcp-ut', DATA),
  valued('set-proxy-v2-tlv-fmt', DATA),
  flag('ws', pending('http')),
  valued('log-proto', pending('logging')),
  valued('shard', pending('peers')),
];

/** HAProxy's own "expects a value" text per option (catalog), by name. */
const MISSING_ARG = new Map(CATALOG.flatMap((o) => (o.missingArg?.[0] ? [[o.name, o.missingArg[0].message] as const] : [])));

function parseOptions(
  ctx: KwContext,
  options: Registry<LineOption>,
  words: readonly string[],
  who: string,
  isDefault: boolean,
): Record<string, Json> | undefined {
  const out: Record<string, Json> = {};
  // A server line's errors name it ('server be/s1' : ...); a default-server line's do not.
  const bracket = (msg: string, code: 'E_BAD_ARG' | 'E_UNKNOWN_KEYWORD' | 'E_MISSING_ARG' | 'E_NOT_IMPLEMENTED' = 'E_BAD_ARG'): void =>
    ctx.diag.alert(code, ctx.loc, isDefault ? msg : `'${who}' : ${msg}`, undefined, 'bracket');
  let ok = true;
  for (let i = 0; i < words.length; i++) {
    let name = words[i]!;
    let negated = false;
    let row = options.get(name);
    if (!row && name.startsWith('no-') && options.get(name.slice(3))?.negatable) {
      negated = true;
      name = name.slice(3);
      row = options.get(name);
    }
    if (!row || (isDefault && row.onDefaultServer === false)) {
      const hint = didYouMean(name, options.names());
      bracket(`unknown keyword '${name}'${hint || '.'}${isDefault ? ' Hint: no address was expected for this server.' : ''}`, 'E_UNKNOWN_KEYWORD');
      return undefined;
    }
    const vals = negated ? [] : words.slice(i + 1, i + 1 + row.args);
    if (vals.length < (negated ? 0 : row.args)) {
      bracket(MISSING_ARG.get(name) ?? `'${name}' expects <value> as argument..`, 'E_MISSING_ARG');
      return undefined;
    }
    i += vals.length;
    let value: Json = negated ? false : row.args === 0 ? true : row.args === 1 ? vals[0]! : vals;
    if (row.parse && !negated) {
      const r = row.parse(vals, ctx);
      if ('error' in r) {
        bracket(r.error);
        ok = false;
        continue;
      }
      value = r.value;
    }
    out[name] = value;
    if (row.status !== 'ready' && !negated) {
      bracket(`'${name}' is not implemented yet (${statusLabel(row.status)}).`, 'E_NOT_IMPLEMENTED');
    }
  }
  return ok ? out : undefined;
}

export function serverKeyword(options: Registry<LineOption>): SectionKeyword {
  return {
    name: 'server',
    caps: BE,
    misuse: 'alert',
    multi: true,
    status: 'ready',
    summary: 'a server of the backend, with its options',
    parse(ctx) {
      const p = ctx.proxy!;
      const [name, addrText, ...rest] = ctx.args;
      if (name === undefined || addrText === undefined) {
        ctx.diag.alert('E_MISSING_ARG', ctx.loc, `'server' expects <name> and <addr>[:<port>] as arguments.`, undefined, 'bracket');
        return undefined;
      }
      const who = `server ${p.name}/${name}`;
      // A name used twice is reported after parsing (src/config/postcheck.ts), as HAProxy does.
      const addr = parseAddress(addrText, { server: true });
      if (!addr.ok) {
        const msg = addr.error.startsWith('invalid address')
          ? `could not resolve address '${addrText.replace(/:[^:]*$/, '')}'.`
          : addr.error;
        ctx.diag.alert('E_BAD_ARG', ctx.loc, `'${who}' : ${msg}`, undefined, 'bracket');
        return undefined;
      }
      const opts = parseOptions(ctx, options, rest, who, false);
      if (!opts) return undefined;
      const id = typeof opts['id'] === 'number' ? opts['id'] : 0;
      // The server line's own enabled/disabled overrides the opposite one from default-server.
      const merged: Record<string, Json> = { ...p.defaultServer, ...opts };
      if ('enabled' in opts) delete merged['disabled'];
      if ('disabled' in opts) delete merged['enabled'];
      // PROXY options add up (HAProxy ORs them into the copy of default-server's).
      const v2d = p.defaultServer['proxy-v2-options'];
      const v2s = opts['proxy-v2-options'];
      if (Array.isArray(v2d) && Array.isArray(v2s)) merged['proxy-v2-options'] = [...new Set([...v2d, ...v2s])];
      p.servers.push({ loc: ctx.loc, name, id, address: addr.addr, options: merged });
      return { name, address: addrText, options: opts };
    },
  };
}

export function defaultServerKeyword(options: Registry<LineOption>): SectionKeyword {
  return {
    name: 'default-server',
    caps: DEF_BE,
    misuse: 'alert',
    status: 'ready',
    summary: 'options applied to the following servers',
    parse(ctx) {
      const p = ctx.proxy!;
      const opts = parseOptions(ctx, options, ctx.args, `default-server ${p.name}`, true);
      if (!opts) return undefined;
      Object.assign(p.defaultServer, opts);
      return opts;
    },
  };
}
