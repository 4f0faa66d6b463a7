// `option NAME [args]` and `no option NAME`: every proxy option HAProxy 2.6 documents, with
// its matrix row; options with arguments get a parser. The option's value is recorded in
// proxy.options so `no option x` in a proxy overrides `option x` from defaults.

import type { KwContext, ProxyCaps, SectionKeyword } from '../config/keyword.js';
import type { Json, ProxyModel } from '../config/model.js';
import type { Diagnostics } from '../config/diag.js';
import { ALL, BE, DEF_BE, DEF_FE } from '../config/caps.js';
import { isIPv4, isIPv6 } from 'node:net';
import { notImplemented, pending, statusLabel, type Area, type Status } from '../config/status.js';

interface OptionSpec {
  readonly name: string;
  readonly caps: ProxyCaps;
  readonly area: Area;
  readonly parse?: (ctx: KwContext) => Json | undefined;
  /** Takes no arguments (most options). */
  readonly noArgs?: boolean;
}

const simple = (name: string, caps: ProxyCaps, area: Area): OptionSpec => ({ name, caps, area, noArgs: true });

/**
 * `option httpchk [METH] [URI] [VERSION]`, including the legacy "VERSION\r\nHeader: x" form.
 * Only what is written is kept (null otherwise): an `http-check send` merges with it field by
 * field, as HAProxy does (src/checks/ruleset.ts).
 */
function httpchk(ctx: KwContext): Json | undefined {
  if (ctx.args.length > 3) return ctx.fail(`'option httpchk' cannot handle unexpected argument '${ctx.args[3]}'.`);
  let meth: string | undefined = ctx.args[0];
  let uri: string | undefined = ctx.args[1];
  const ver = ctx.args[2];
  if (ctx.args.length === 1) {
    uri = meth;
    meth = undefined;
  }
  if (ver !== undefined && /[\r\n]/.test(ver)) {
    ctx.warn(
      `'option httpchk' : hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead.`,
      'W_DEPRECATED',
    );
  }
  return { method: meth ?? null, uri: uri ?? null, version: ver ?? null };
}

/**
 * `option forwardfor [except NET] [header NAME] [if-none]` and `option originalto [except NET]
 * [header NAME]`: one grammar, haproxy 2.6.12's messages. NET is an IPv4 address with an
 * optional /bits or dotted mask, or an IPv6 address with an optional /bits.
 */
function addressHeaderOption(name: 'forwardfor' | 'originalto'): (ctx: KwContext) => Json | undefined {
  const known = name === 'forwardfor' ? `'except', 'header' and 'if-none'` : `'except' and 'header'`;
  return (ctx) => {
    const out: Record<string, Json> = { header: name === 'forwardfor' ? 'X-Forwarded-For' : 'X-Original-To', except: null, ifNone: false };
    for (let i = 0; i < ctx.args.length; i++) {
      const w = ctx.args[i]!;
      const v = ctx.args[i + 1];
      if (w === 'except') {
        if (v === undefined || v === '' || !validNetwork(v)) return ctx.fail(`'option ${name} except' expects <address>[/mask] as argument.`);
        out['except'] = v;
        i++;
      } else if (w === 'header') {
        if (v === undefined || v === '') return ctx.fail(`'option ${name} header' expects <header_name> as argument.`);
        out['header'] = v;
        i++;
      } else if (w === 'if-none' && name === 'forwardfor') out['ifNone'] = true;
      else return ctx.fail(`'option ${name}' only supports optional values: ${known}.`);
    }
    return out;
  };
}

/** What HAProxy's str2net / str62net accept for `except` (host names aside). */
function validNetwork(text: string): boolean {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const mask = slash < 0 ? null : text.slice(slash + 1);
  if (isIPv4(addr)) return mask === null || (/^[0-9]{1,2}$/.test(mask) && Number(mask) <= 32) || isIPv4(mask);
  return isIPv6(addr) && (mask === null || (/^[0-9]{1,3}$/.test(mask) && Number(mask) <= 128));
}

/** `option mysql-check [user U [post-41|pre-41]]`, with HAProxy 2.6's messages. */
function mysqlCheck(ctx: KwContext): Json | undefined {
  const [kw, user, variant, extra] = ctx.args;
  if (extra !== undefined) return ctx.fail(`'option mysql-check' cannot handle unexpected argument '${extra}'.`);
  if (kw === undefined) return { user: null, variant: null };
  if (kw !== 'user') return ctx.fail(`'option mysql-check' only supports optional values: 'user' (got '${kw}').`);
  if (user === undefined || user === '') return ctx.fail(`'option mysql-check user' expects <username> as argument.`);
  if (variant !== undefined && variant !== 'post-41' && variant !== 'pre-41') {
    return ctx.fail(`keyword 'user' only supports 'post-41' and 'pre-41' (got '${variant}').`);
  }
  return { user, variant: variant ?? null };
}

/** `option pgsql-check user U`. */
function pgsqlCheck(ctx: KwContext): Json | undefined {
  const [kw, user, extra] = ctx.args;
  if (extra !== undefined) return ctx.fail(`'option pgsql-check' cannot handle unexpected argument '${extra}'.`);
  if (kw === undefined || user === undefined || user === '') return ctx.fail(`'option pgsql-check' expects 'user <username>' as argument.`);
  if (kw !== 'user') return ctx.fail(`'option pgsql-check' only supports optional values: 'user'.`);
  return { user };
}

/** `option smtpchk [HELO|EHLO domain]`: anything else falls back to "HELO localhost". */
function smtpchk(ctx: KwContext): Json | undefined {
  if (ctx.args.length > 2) return ctx.fail(`'option smtpchk' cannot handle unexpected argument '${ctx.args[2]}'.`);
  return [...ctx.args];
}

const withArgs = (name: string, caps: ProxyCaps, area: Area, parse?: (ctx: KwContext) => Json | undefined): OptionSpec => ({ name, caps, area, parse });

/** The option list of configuration.txt §4.1 (HAProxy 2.6). */
export const OPTIONS: readonly OptionSpec[] = [
  simple('abortonclose', DEF_BE, 'http'),
  simple('accept-invalid-http-request', DEF_FE, 'http'),
  simple('accept-invalid-http-response', DEF_BE, 'http'),
  simple('allbackups', DEF_BE, 'data-plane'),
  simple('checkcache', DEF_BE, 'http'),
  simple('clitcpka', DEF_FE, 'data-plane'),
  simple('contstats', ALL, 'stats'),
  simple('disable-h2-upgrade', DEF_FE, 'h2'),
  simple('dontlog-normal', DEF_FE, 'logging'),
  simple('dontlognull', DEF_FE, 'logging'),
  withArgs('forwardfor', ALL, 'http', addressHeaderOption('forwardfor')),
  simple('h1-case-adjust-bogus-client', DEF_FE, 'http'),
  simple('h1-case-adjust-bogus-server', DEF_BE, 'http'),
  simple('http-buffer-request', ALL, 'http'),
  simple('http-ignore-probes', DEF_FE, 'http'),
  simple('http-keep-alive', ALL, 'http'),
  simple('http-no-delay', ALL, 'http'),
  simple('http-pretend-keepalive', ALL, 'http'),
  simple('http-server-close', ALL, 'http'),
  simple('http-use-proxy-header', DEF_FE, 'http'),
  withArgs('httpchk', DEF_BE, 'checks', httpchk),
  simple('httpclose', ALL, 'http'),
  withArgs('httplog', ALL, 'logging', (ctx) => (ctx.args.length === 0 || ctx.args[0] === 'clf' ? { clf: ctx.args[0] === 'clf' } : ctx.fail(`'option httplog' only supports option 'clf'.`))),
  simple('httpslog', DEF_FE, 'logging'),
  simple('http_proxy', ALL, 'http'),
  simple('independent-streams', ALL, 'data-plane'),
  simple('ldap-check', DEF_BE, 'checks'),
  simple('external-check', DEF_BE, 'checks'),
  simple('log-health-checks', DEF_BE, 'checks'),
  simple('log-separate-errors', DEF_FE, 'logging'),
  simple('logasap', DEF_FE, 'logging'),
  withArgs('mysql-check', DEF_BE, 'checks', mysqlCheck),
  simple('nolinger', ALL, 'data-plane'),
  withArgs('originalto', ALL, 'http', addressHeaderOption('originalto')),
  simple('persist', DEF_BE, 'data-plane'),
  withArgs('pgsql-check', DEF_BE, 'checks', pgsqlCheck),
  simple('prefer-last-server', DEF_BE, 'data-plane'),
  withArgs('redispatch', DEF_BE, 'data-plane'),
  simple('redis-check', DEF_BE, 'checks'),
  withArgs('smtpchk', DEF_BE, 'checks', smtpchk),
  simple('socket-stats', DEF_FE, 'stats'),
  simple('splice-auto', ALL, 'data-plane'),
  simple('splice-request', ALL, 'data-plane'),
  simple('splice-response', ALL, 'data-plane'),
  simple('spop-check', BE, 'other'),
  simple('srvtcpka', DEF_BE, 'data-plane'),
  simple('ssl-hello-chk', DEF_BE, 'checks'),
  simple('tcp-check', DEF_BE, 'checks'),
  simple('tcp-smart-accept', DEF_FE, 'data-plane'),
  simple('tcp-smart-connect', DEF_BE, 'data-plane'),
  simple('tcpka', ALL, 'data-plane'),
  withArgs('tcplog', ALL, 'logging'),
  simple('transparent', DEF_BE, 'data-plane'),
  simple('idle-close-on-response', DEF_FE, 'http'),
  simple('http-restrict-req-hdr-names', ALL, 'http'),
];

/** The check types src/checks runs (`option httpchk`, `option mysql-check` ...). */
const CHECK_TYPES = ['httpchk', 'tcp-check', 'mysql-check', 'pgsql-check', 'redis-check', 'smtpchk', 'ldap-check', 'ssl-hello-chk'];

/**
 * Options the data plane honours today. The splice options are accepted as HAProxy accepts
 * them: with the native addon every TCP session is forwarded by the splice forwarder (which
 * falls back to copying by itself), and global `nosplice` turns it off.
 */
const READY_OPTIONS: ReadonlySet<string> = new Set([
  'external-check',
  'redispatch',
  'allbackups',
  'splice-auto',
  'splice-request',
  'splice-response',
  'forwardfor',
  'originalto',
  'http-buffer-request',
  // HTTP mode: haproxy 2.6.12 behaves the same with and without it (recorded, see
  // src/http/session.ts); TCP-mode backends refuse it (checkOptionModes below).
  'abortonclose',
  'httpclose',
  'http-server-close',
  'http-keep-alive',
  'persist',
  // SO_KEEPALIVE on client (frontend) and server (backend) connections, every path.
  'tcpka',
  'clitcpka',
  'srvtcpka',
  // Closes with a reset on the client (frontend) or server (backend) side.
  'nolinger',
  // Health checks (src/checks).
  ...CHECK_TYPES,
  'log-health-checks',
]);

/** Check options HAProxy parses by hand: `no option x` is refused for them. */
const NOT_NEGATABLE: ReadonlySet<string> = new Set([...CHECK_TYPES, 'spop-check', 'external-check']);

export function optionKeywords(): SectionKeyword[] {
  return OPTIONS.map((o): SectionKeyword => {
    const status: Status = READY_OPTIONS.has(o.name) ? 'ready' : pending(o.area);
    return {
      name: `option ${o.name}`,
      caps: o.caps,
      misuse: 'warning',
      negatable: true,
      status,
      parse(ctx) {
        const p = ctx.proxy!;
        if (ctx.negated && NOT_NEGATABLE.has(o.name)) {
          ctx.diag.alert('E_SYNTAX', ctx.loc, `negation/default is not supported for option '${o.name}'.`, undefined, 'tight');
          return undefined;
        }
        if (ctx.negated && ctx.args.length) return ctx.fail(`'no option ${o.name}' cannot handle unexpected argument '${ctx.args[0]}'.`);
        if (o.noArgs && ctx.args.length) return ctx.fail(`'option ${o.name}' cannot handle unexpected argument '${ctx.args[0]}'.`);
        // HAProxy ignores tcplog in a pure backend and says so.
        if (o.name === 'tcplog' && p.type === 'backend') {
          ctx.warn(`backend '${p.name}' : 'option tcplog' directive is ignored in backends.`, 'W_IGNORED');
          return undefined;
        }
        // `option redispatch <interval>` (redispatch every N retries) is not implemented yet.
        if (o.name === 'redispatch' && ctx.args.length) {
          ctx.fail(`'option redispatch <interval>' is not implemented yet (${statusLabel(pending('data-plane'))}).`, 'E_NOT_IMPLEMENTED');
        }
        const value = ctx.negated ? null : o.parse ? o.parse(ctx) : ctx.args.length ? [...ctx.args] : null;
        if (value === undefined) return undefined;
        p.options[o.name] = { enabled: !ctx.negated, loc: ctx.loc, args: [...ctx.args] };
        return value;
      },
    };
  });
}

/**
 * Options ready in one mode only. `option abortonclose` in TCP mode makes haproxy 2.6.12 drop
 * a queued session whose client half-closed (recorded: CQ, nothing sent to the server); the
 * TCP path does not watch a queued client yet, so a TCP-mode backend is refused rather than
 * silently served. In HTTP mode the option is ready (see READY_OPTIONS).
 */
export function checkOptionModes(p: ProxyModel, diag: Diagnostics): void {
  const o = p.options['abortonclose'];
  if (o?.enabled && p.mode === 'tcp' && p.cap.backend) {
    diag.alert('E_NOT_IMPLEMENTED', o.loc, notImplemented(`'option abortonclose' in a TCP-mode backend`, pending('data-plane')));
  }
}
