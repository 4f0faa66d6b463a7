// Logging keywords in proxies and global: `log`, `log-format`, `error-log-format`,
// `log-tag`, `capture request|response header`, `unique-id-format|header`.

import type { KwContext, SectionKeyword } from '../config/keyword.js';
import type { Json } from '../config/model.js';
import { ALL, DEF_FE, FE } from '../config/caps.js';
import { notImplemented, pending } from '../config/status.js';
import { parseLogTarget } from './target.js';
import { parseLogFormat } from './logformat.js';
import type { SampleRegistries } from '../rules/sample-expr.js';

const LOGGING = pending('logging');

/**
 * `log global | no log | log ADDR [len N] [format F] FACILITY [LEVEL [MINLEVEL]]` in a proxy
 * (`global`: not in the global section). The proxy's list keeps the lines in order; see
 * resolve.ts for what they mean together.
 */
function log(inGlobal: boolean) {
  return (ctx: KwContext): Json | undefined => {
    const a = ctx.args;
    if (ctx.negated) return a.length === 0 ? { clear: true } : ctx.fail(`log : 'no log' does not expect arguments`);
    if (a[0] === 'global') {
      if (inGlobal) return ctx.fail(`log : 'global' is not supported for a global syslog server`);
      if (a.length === 1) return 'global';
      // HAProxy then reads `global` as an address: its facility is checked first.
    }
    if (a.length === 0 && !inGlobal) return ctx.fail('log : expects <address> and <facility> or global as arguments');
    const r = parseLogTarget(a);
    // Plain data (strings and numbers); resolve.ts reads it back.
    if (r.ok) return r.target as unknown as Json;
    if (r.pending) return ctx.fail(notImplemented(r.error, pending(r.pending)), 'E_NOT_IMPLEMENTED');
    return ctx.fail(r.error);
  };
}

export function logKeywords(reg: SampleRegistries): { proxy: SectionKeyword[]; global: SectionKeyword[] } {
  const format = (name: string): SectionKeyword => ({
    name,
    caps: DEF_FE,
    misuse: 'warning',
    status: LOGGING,
    parse(ctx) {
      if (ctx.args.length !== 1) return ctx.fail(`'${name}' expects one argument (the format string).`);
      const r = parseLogFormat(ctx.args[0]!, reg);
      if (!r.ok) return ctx.fail(`failed to parse ${name} : ${r.error}`);
      const p = ctx.proxy!;
      if (name === 'log-format') {
        const prev = p.options['httplog']?.enabled ? 'httplog' : p.options['tcplog']?.enabled ? 'tcplog' : undefined;
        if (prev) ctx.warn(`'log-format' overrides previous 'option ${prev}' in '${p.type === 'defaults' ? 'defaults' : p.type}' section.`);
      }
      return { format: ctx.args[0]!, httpOnly: r.httpOnly };
    },
  });
  const capture = (dir: 'request' | 'response'): SectionKeyword => ({
    name: `capture ${dir} header`,
    caps: FE,
    misuse: 'warning',
    multi: true,
    status: LOGGING,
    parse(ctx) {
      const [name, len, n] = ctx.args;
      if (name === undefined || len !== 'len' || !/^[0-9]+$/.test(n ?? '')) {
        return ctx.fail(`'capture ${dir} header' expects <header name> 'len' <len>.`);
      }
      return { header: name, len: Number(n) };
    },
  });
  return {
    proxy: [
      { name: 'log', caps: ALL, multi: true, negatable: true, status: 'ready', parse: log(false) },
      format('log-format'),
      format('log-format-sd'),
      format('error-log-format'),
      {
        name: 'log-tag',
        caps: ALL,
        status: 'ready',
        parse: (ctx) => {
          if (ctx.args.length === 0) return ctx.fail(`'log-tag' expects a tag for use in syslog.`);
          // A proxy's log-tag takes its first word (haproxy 2.6 reads no further).
          return [ctx.args[0]!];
        },
      },
      capture('request'),
      capture('response'),
      { name: 'capture cookie', caps: FE, misuse: 'warning', status: LOGGING, minArgs: 3 },
      { name: 'unique-id-format', caps: DEF_FE, misuse: 'warning', status: LOGGING, minArgs: 1, maxArgs: 1 },
      { name: 'unique-id-header', caps: DEF_FE, misuse: 'warning', status: LOGGING, minArgs: 1, maxArgs: 1 },
    ],
    global: [{ name: 'log', multi: true, status: 'ready', parse: log(true) }],
  };
}
