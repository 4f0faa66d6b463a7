// `option NAME [args]` and `no option NAME`: every proxy option HAProxy 2.6 documents, with
// its matrix row; options with arguments get a parser. The option's value is recorded in
// proxy.options so `no option x` in a proxy overrides `option x` from defaults.

import type { KwContext, ProxyCaps, SectionKeyword } from '../config/keyword.js';
import type { Json } from '../config/model.js';
import { ALL, BE, DEF_BE, DEF_FE } from '../config/caps.js';
import { pending, statusLabel, type Area, type Status } from '../config/status.js';

interface OptionSpec {
  readonly name: string;
  readonly caps: ProxyCaps;
  readonly area: Area;
  readonly parse?: (ctx: KwContext) => Json | undefined;
  /** Takes no arguments (most options). */
  readonly noArgs?: boolean;
}

const simple = (name: string, caps: ProxyCaps, area: Area): OptionSpec => ({ name, caps, area, noArgs: true });

/** `option httpchk [METH] [URI] [VERSION]`, including the legacy "VERSION\r\nHeader: x" form. */
function httpchk(ctx: KwContext): Json | undefined {
  if (ctx.args.length > 3) return ctx.fail(`'option httpchk' cannot handle unexpected argument '${ctx.args[3]}'.`);
  let [meth, uri, ver] = ctx.args;
  if (ctx.args.length === 1) {
    uri = meth;
    meth = 'OPTIONS';
  }
  if (ver !== undefined && /[\r\n]/.test(ver)) {
    ctx.warn(
      `'option httpchk' : hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead.`,
      'W_DEPRECATED',
    );
  }
  return { method: meth ?? 'OPTIONS', uri: uri ?? '/', version: ver ?? 'HTTP/1.0' };
}

/** `option forwardfor [except NET] [header NAME] [if-none]`. */
function forwardfor(ctx: KwContext): Json | undefined {
  const out: Record<string, Json> = { header: 'X-Forwarded-For', except: null, ifNone: false };
  for (let i = 0; i < ctx.args.length; i++) {
    const w = ctx.args[i]!;
    if (w === 'except' || w === 'header') {
      const v = ctx.args[++i];
      if (v === undefined) return ctx.fail(`'option forwardfor' : '${w}' expects <${w === 'except' ? 'address' : 'header name'}> as argument.`);
      out[w] = v;
    } else if (w === 'if-none') out['ifNone'] = true;
    else return ctx.fail(`'option forwardfor' only supports optional values: 'header', 'except' and 'if-none'.`);
  }
  return out;
}

/** `option mysql-check [user U [post-41|pre-41]]`, `option pgsql-check user U`. */
function dbCheck(kind: 'mysql' | 'pgsql') {
  return (ctx: KwContext): Json | undefined => {
    const [kw, user, variant] = ctx.args;
    if (kw === undefined && kind === 'mysql') return { user: null };
    if (kw !== 'user' || user === undefined) {
      return ctx.fail(`'option ${kind}-check' only supports optional values: 'user'.`);
    }
    if (variant !== undefined && (kind === 'pgsql' || (variant !== 'post-41' && variant !== 'pre-41'))) {
      return ctx.fail(`'option ${kind}-check' only supports optional values: 'user'.`);
    }
    return { user, variant: variant ?? null };
  };
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
  withArgs('forwardfor', ALL, 'http', forwardfor),
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
  withArgs('ldap-check', DEF_BE, 'checks'),
  simple('external-check', DEF_BE, 'checks'),
  simple('log-health-checks', DEF_BE, 'checks'),
  simple('log-separate-errors', DEF_FE, 'logging'),
  simple('logasap', DEF_FE, 'logging'),
  withArgs('mysql-check', DEF_BE, 'checks', dbCheck('mysql')),
  simple('nolinger', ALL, 'data-plane'),
  withArgs('originalto', ALL, 'http'),
  simple('persist', DEF_BE, 'data-plane'),
  withArgs('pgsql-check', DEF_BE, 'checks', dbCheck('pgsql')),
  simple('prefer-last-server', DEF_BE, 'data-plane'),
  withArgs('redispatch', DEF_BE, 'data-plane'),
  simple('redis-check', DEF_BE, 'checks'),
  simple('smtpchk', DEF_BE, 'checks'),
  simple('socket-stats', DEF_FE, 'stats'),
  simple('splice-auto', ALL, 'data-plane'),
  simple('splice-request', ALL, 'data-plane'),
  simple('splice-response', ALL, 'data-plane'),
  simple('spop-check', BE, 'checks'),
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

/**
 * Options the data plane honours today. The splice options are accepted as HAProxy accepts
 * them: with the native addon every TCP session is forwarded by the splice forwarder (which
 * falls back to copying by itself), and global `nosplice` turns it off.
 */
const READY_OPTIONS: ReadonlySet<string> = new Set([
  'redispatch',
  'allbackups',
  'splice-auto',
  'splice-request',
  'splice-response',
  'forwardfor',
  'httpclose',
  'http-server-close',
  'http-keep-alive',
  'persist',
]);

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
