// Log-format strings (configuration.txt §8.2.4): literal text, `%alias` variables with
// optional `%{+Q,-E}` flags, and `%[sample,expr]` blocks. One alias table drives parsing here
// and, later, the log line writer; it also says which aliases need HTTP mode.

import { parseSampleExpr, type SampleExpr, type SampleRegistries } from '../rules/sample-expr.js';
import type { Status } from '../rules/types.js';
import { pending } from '../config/status.js';
import { LOG_ALIAS_READY } from '../rules/runtime/log-aliases.js';

export interface LogAlias {
  readonly name: string;
  /** 'H' in the manual's table: only valid in HTTP mode. */
  readonly http?: boolean;
  /** 'S': needs TLS. */
  readonly ssl?: boolean;
  readonly type: 'string' | 'numeric' | 'date' | 'IP' | 'string list';
}

const a = (name: string, type: LogAlias['type'], flag?: 'H' | 'S'): LogAlias => ({ name, type, http: flag === 'H', ssl: flag === 'S' });

/** The aliases HAProxy 2.6 documents, in the manual's order. */
export const LOG_ALIASES: readonly LogAlias[] = [
  a('o', 'string'),
  a('B', 'numeric'),
  a('CC', 'string', 'H'),
  a('CS', 'string', 'H'),
  a('H', 'string'),
  a('HM', 'string', 'H'),
  a('HP', 'string', 'H'),
  a('HPO', 'string', 'H'),
  a('HQ', 'string', 'H'),
  a('HU', 'string', 'H'),
  a('HV', 'string', 'H'),
  a('ID', 'string'),
  a('ST', 'numeric'),
  a('T', 'date'),
  a('Ta', 'numeric', 'H'),
  a('Tc', 'numeric'),
  a('Td', 'numeric'),
  a('Tl', 'date'),
  a('Th', 'numeric'),
  a('Ti', 'numeric', 'H'),
  a('Tq', 'numeric', 'H'),
  a('TR', 'numeric', 'H'),
  a('Tr', 'numeric', 'H'),
  a('Ts', 'numeric'),
  a('Tt', 'numeric'),
  a('Tu', 'numeric'),
  a('Tw', 'numeric'),
  a('U', 'numeric'),
  a('ac', 'numeric'),
  a('b', 'string'),
  a('bc', 'numeric'),
  a('bi', 'IP'),
  a('bp', 'numeric'),
  a('bq', 'numeric'),
  a('ci', 'IP'),
  a('cp', 'numeric'),
  a('f', 'string'),
  a('fc', 'numeric'),
  a('fi', 'IP'),
  a('fp', 'numeric'),
  a('ft', 'string'),
  a('lc', 'numeric'),
  a('hr', 'string'),
  a('hrl', 'string list'),
  a('hs', 'string'),
  a('hsl', 'string list'),
  a('ms', 'numeric'),
  a('pid', 'numeric'),
  a('r', 'string', 'H'),
  a('rc', 'numeric'),
  a('rt', 'numeric'),
  a('s', 'string'),
  a('sc', 'numeric'),
  a('si', 'IP'),
  a('sp', 'numeric'),
  a('sq', 'numeric'),
  a('sslc', 'string', 'S'),
  a('sslv', 'string', 'S'),
  a('t', 'date'),
  a('tr', 'date', 'H'),
  a('trg', 'date', 'H'),
  a('trl', 'date', 'H'),
  a('ts', 'string'),
  a('tsc', 'string', 'H'),
];

const BY_NAME = new Map(LOG_ALIASES.map((x) => [x.name, x]));
const FLAGS = new Set(['Q', 'X', 'E', 'M']);

export type LogNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'alias'; readonly name: string; readonly flags: readonly string[] }
  | { readonly kind: 'sample'; readonly expr: SampleExpr; readonly flags: readonly string[] };

export type LogFormatResult =
  | { ok: true; nodes: LogNode[]; httpOnly: string[]; pending: { what: string; status: Status }[] }
  | { ok: false; error: string };

/** Parse a log-format string (HAProxy's parse_logformat_string), without mode checks. */
export function parseLogFormat(fmt: string, reg: SampleRegistries): LogFormatResult {
  const nodes: LogNode[] = [];
  const httpOnly: string[] = [];
  const pendingList: { what: string; status: Status }[] = [];
  let text = '';
  let i = 0;
  const flush = (): void => {
    if (text) nodes.push({ kind: 'text', text });
    text = '';
  };
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c !== '%') {
      text += c;
      i++;
      continue;
    }
    if (fmt[i + 1] === '%') {
      text += '%';
      i += 2;
      continue;
    }
    i++;
    let flags: string[] = [];
    if (fmt[i] === '{') {
      const close = fmt.indexOf('}', i);
      if (close < 0) return { ok: false, error: `missing '}' after '%{' at position ${i}` };
      flags = fmt.slice(i + 1, close).split(',').filter((f) => f !== '');
      for (const f of flags) {
        if (!/^[+-]/.test(f) || !FLAGS.has(f.slice(1))) return { ok: false, error: `unknown flag '${f}' in '%{${flags.join(',')}}'` };
      }
      i = close + 1;
    }
    if (fmt[i] === '[') {
      const close = findSampleEnd(fmt, i + 1);
      if (close < 0) return { ok: false, error: `missing ']' after '%[' at position ${i}` };
      const exprText = fmt.slice(i + 1, close);
      const r = parseSampleExpr(exprText, reg);
      // HAProxy quotes the rest of the format from the expression on.
      if (!r.ok) return { ok: false, error: `failed to parse sample expression <${fmt.slice(i + 1)}> : ${r.error}.` };
      pendingList.push(...r.pending);
      flush();
      nodes.push({ kind: 'sample', expr: r.expr, flags });
      i = close + 1;
      continue;
    }
    const m = /^[A-Za-z]+/.exec(fmt.slice(i));
    if (!m) {
      // HAProxy accepts a '%' followed by a non-letter as a literal in some versions; 2.6 refuses.
      return { ok: false, error: `unexpected character '${fmt[i] ?? ''}' after '%' at position ${i}` };
    }
    // Longest alias that is a prefix of the letters (e.g. %HPO before %HP).
    let name = m[0];
    while (name.length > 0 && !BY_NAME.has(name)) name = name.slice(0, -1);
    if (!name) return { ok: false, error: `no such format variable '${m[0]}'. If you wanted to emit the '%' character verbatim, you need to use '%%'` };
    const alias = BY_NAME.get(name)!;
    if (alias.http) httpOnly.push(name);
    // Aliases needing timers, counters or captures the rules engine does not have yet.
    if (!LOG_ALIAS_READY.has(name)) pendingList.push({ what: `log-format variable '%${name}'`, status: pending('logging') });
    flush();
    nodes.push({ kind: 'alias', name, flags });
    i += name.length;
  }
  flush();
  return { ok: true, nodes, httpOnly, pending: pendingList };
}

function findSampleEnd(s: string, from: number): number {
  let depth = 0;
  let quote = '';
  for (let i = from; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ']' && depth <= 0) return i;
  }
  return -1;
}

/** HAProxy's message when an HTTP-only alias is used by a proxy not in HTTP mode. */
export function httpOnlyMessage(alias: string): string {
  return `failed to parse log-format : format variable '${alias}' is reserved for HTTP mode.`;
}
