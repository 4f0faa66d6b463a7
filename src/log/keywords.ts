// Logging keywords in proxies and global: `log`, `log-format`, `error-log-format`,
// `log-tag`, `capture request|response header`, `unique-id-format|header`.

import type { KwContext, SectionKeyword } from '../config/keyword.js';
import type { Json } from '../config/model.js';
import { ALL, DEF_FE, FE } from '../config/caps.js';
import { pending } from '../config/status.js';
import { parseLogFormat } from './logformat.js';
import type { SampleRegistries } from '../rules/sample-expr.js';

const LOGGING = pending('logging');

export const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'auth2', 'ftp', 'ntp', 'audit', 'alert', 'cron2', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
export const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** `log global | log ADDR [len N] [format F] [sample R:S] FACILITY [LEVEL [MINLEVEL]]`. */
function log(ctx: KwContext): Json | undefined {
  const a = ctx.args;
  if (a[0] === 'global') return a.length === 1 ? 'global' : ctx.fail(`'log global' does not take arguments.`);
  if (a[0] === undefined) return ctx.fail(`'log' expects either <address[:port]> and <facility> or 'global' as arguments.`, 'E_MISSING_ARG');
  const out: Record<string, Json> = { target: a[0] };
  let i = 1;
  while (i < a.length && ['len', 'format', 'sample'].includes(a[i]!)) {
    out[a[i]!] = a[i + 1] ?? '';
    i += 2;
  }
  const facility = a[i];
  if (facility === undefined || !FACILITIES.includes(facility)) {
    return ctx.fail(`unknown log facility '${facility ?? ''}'`);
  }
  out['facility'] = facility;
  for (const which of ['level', 'minlevel']) {
    const l = a[++i];
    if (l === undefined) break;
    if (!LEVELS.includes(l)) return ctx.fail(`unknown optional log level '${l}'`);
    out[which] = l;
  }
  if (i + 1 < a.length) return ctx.fail(`'log' cannot handle unexpected argument '${a[i + 1]}'.`);
  return out;
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
      { name: 'log', caps: ALL, multi: true, status: LOGGING, parse: log },
      format('log-format'),
      format('log-format-sd'),
      format('error-log-format'),
      { name: 'log-tag', caps: ALL, status: LOGGING, minArgs: 1, maxArgs: 1 },
      capture('request'),
      capture('response'),
      { name: 'capture cookie', caps: FE, misuse: 'warning', status: LOGGING, minArgs: 3 },
      { name: 'unique-id-format', caps: DEF_FE, misuse: 'warning', status: LOGGING, minArgs: 1, maxArgs: 1 },
      { name: 'unique-id-header', caps: DEF_FE, misuse: 'warning', status: LOGGING, minArgs: 1, maxArgs: 1 },
    ],
    global: [{ name: 'log', multi: true, status: LOGGING, parse: log }],
  };
}
