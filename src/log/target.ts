// One `log` line: where a logger sends (UDP syslog, a unix datagram socket such as /dev/log,
// stdout/stderr), in which header format, and which severities (log.c parse_logsrv, with
// HAProxy 2.6's messages). Parsed once into plain data the threads share.

import { isIP } from 'node:net';

export const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'auth2', 'ftp', 'ntp', 'audit', 'alert', 'cron2', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
export const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** Syslog severities by name (RFC 5424 numbers). */
export const LOG_LEVEL = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 } as const;

/**
 * The header formats (log.c log_formats). `default` is HAProxy's unspecified format: RFC3164
 * when `log-send-hostname` gives a host name, else the same without it ("local").
 */
export const LOG_FORMATS = ['default', 'local', 'rfc3164', 'rfc5424', 'priority', 'short', 'timed', 'iso', 'raw'] as const;
export type LogFormatName = (typeof LOG_FORMATS)[number];

export type LogAddress =
  | { readonly kind: 'udp'; readonly host: string; readonly port: number; readonly family: 4 | 6 }
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'fd'; readonly fd: number };

export interface LogTarget {
  readonly address: LogAddress;
  readonly format: LogFormatName;
  /** Longest line sent, header included (the newline comes on top). */
  readonly len: number;
  readonly facility: number;
  /** Messages less severe than this are not sent. */
  readonly level: number;
  /** Messages more severe than this are sent at this severity. */
  readonly minlevel: number;
}

export type ParsedTarget = { ok: true; target: LogTarget } | { ok: false; error: string; pending?: 'resolvers' | 'other' };

const DEFAULT_LEN = 1024;
const SYSLOG_PORT = 514;

/** An address word: `[udp@|udp4@|udp6@|ipv4@|ipv6@]ip[:port]`, `[unix@]/path`, stdout, stderr, fd@N. */
function parseAddress(word: string): { ok: true; address: LogAddress } | { ok: false; error: string; pending?: 'resolvers' | 'other' } {
  if (word === 'stdout') return { ok: true, address: { kind: 'fd', fd: 1 } };
  if (word === 'stderr') return { ok: true, address: { kind: 'fd', fd: 2 } };
  const at = word.indexOf('@');
  const prefix = at >= 0 ? word.slice(0, at + 1) : '';
  const rest = at >= 0 ? word.slice(at + 1) : word;
  if (prefix === 'fd@') {
    if (!/^[0-9]+$/.test(rest)) return { ok: false, error: `log : file descriptor '${rest}' is not a valid integer in '${word}'` };
    return { ok: true, address: { kind: 'fd', fd: Number(rest) } };
  }
  if (prefix === 'unix@' || (prefix === '' && rest.startsWith('/'))) return { ok: true, address: { kind: 'unix', path: rest } };
  if (prefix === 'ring@' || prefix === 'abns@' || prefix === 'sockpair@') return { ok: false, error: `'log ${prefix}'`, pending: 'other' };
  if (prefix !== '' && !['udp@', 'udp4@', 'udp6@', 'ipv4@', 'ipv6@'].includes(prefix)) return { ok: false, error: `log : unknown address family '${prefix}'` };
  let host = rest;
  let portText: string | undefined;
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(rest);
  if (v6) {
    host = v6[1]!;
    portText = v6[2];
  } else if (isIP(rest) !== 6) {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    }
  }
  let port = SYSLOG_PORT;
  if (portText !== undefined) {
    const bad = /[^0-9]/.exec(portText);
    if (bad) return { ok: false, error: `log : invalid character '${bad[0]}' in port number '${portText}' in '${rest}'` };
    port = Number(portText);
    if (portText === '' || port < 1 || port > 65535) return { ok: false, error: `log : invalid port '${portText}'` };
  }
  const family = isIP(host);
  if (family === 0) return { ok: false, error: `'log' to the host name '${host}'`, pending: 'resolvers' };
  if ((prefix === 'udp4@' || prefix === 'ipv4@') && family !== 4) return { ok: false, error: `log : invalid address '${rest}' for family '${prefix}'` };
  if ((prefix === 'udp6@' || prefix === 'ipv6@') && family !== 6) return { ok: false, error: `log : invalid address '${rest}' for family '${prefix}'` };
  return { ok: true, address: { kind: 'udp', host, port, family: family as 4 | 6 } };
}

/** `ADDR [len N] [format F] [sample R:S] FACILITY [LEVEL [MINLEVEL]]` (after `log`). */
export function parseLogTarget(args: readonly string[]): ParsedTarget {
  if (args.length < 2) return { ok: false, error: 'log : expects <address> and <facility>  as arguments' };
  if (args[0] === 'global' && !FACILITIES.includes(args[1]!)) return { ok: false, error: `log : unknown log facility '${args[1]}'` };
  const addr = parseAddress(args[0]!);
  if (!addr.ok) return addr;
  let len = DEFAULT_LEN;
  let format: LogFormatName = 'default';
  let i = 1;
  let formatSeen = false;
  for (; i < args.length; i += 2) {
    const w = args[i]!;
    const v = args[i + 1];
    // haproxy reads `len`, then `format`, then `sample`: a `len` after `format` is no option.
    if (w === 'len' && !formatSeen) {
      const n = Number(v);
      if (v === undefined || !/^[0-9]+$/.test(v) || n < 80 || n > 65535) return { ok: false, error: `log : invalid log length '${v ?? ''}', must be between 80 and 65535` };
      len = n;
    } else if (w === 'format') {
      // `default` is no word of the config: it is what no `format` means.
      const f = LOG_FORMATS.find((x) => x === v && x !== 'default');
      if (!f) return { ok: false, error: `log : unknown log format '${v ?? ''}'` };
      format = f;
      formatSeen = true;
    } else if (w === 'sample') {
      return { ok: false, error: `'log ... sample'`, pending: 'other' };
    } else break;
  }
  const facility = FACILITIES.indexOf(args[i] ?? '');
  if (args[i] === undefined) return { ok: false, error: 'log : expects <address> and <facility>  as arguments' };
  if (facility < 0) return { ok: false, error: `log : unknown log facility '${args[i]}'` };
  let level: number = LOG_LEVEL.debug;
  let minlevel: number = LOG_LEVEL.emerg;
  for (const which of ['level', 'minlevel'] as const) {
    const w = args[++i];
    if (w === undefined) break;
    const l = LEVELS.indexOf(w);
    if (l < 0) return { ok: false, error: `log : unknown optional ${which === 'level' ? 'log level' : 'minimum log level'} '${w}'` };
    if (which === 'level') level = l;
    else minlevel = l;
  }
  if (i + 1 < args.length) return { ok: false, error: `log : cannot handle unexpected argument '${args[i + 1]}'` };
  return { ok: true, target: { address: addr.address, format, len, facility, level, minlevel } };
}
