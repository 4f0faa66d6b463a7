// A log line as HAProxy 2.6 writes it for each header format (log.c build_log_header):
//   default/local  <PRI>Mmm dd hh:mm:ss TAG[PID]: MSG
//   rfc3164        <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG      (HOST "localhost" when unset)
//   rfc5424        <PRI>1 ISO-TIME HOST|- TAG PID - - MSG
//   priority       <PRI>MSG
//   short / timed  <SEV>MSG / <SEV>ISO-TIME MSG                 (severity only, no facility)
//   iso / raw      ISO-TIME MSG / MSG
// A datagram is cut to the target's `len` bytes, then ends with a newline; a line written to
// a stream (stdout, stderr, fd@N) is `len` bytes, newline included.

import type { LogTarget } from './target.js';
import { MONTHS, pad2, utcOffset } from './dates.js';


export interface LogIdentity {
  /** `log-tag` (default: the program's name). */
  readonly tag: string;
  readonly pid: number;
  /** `log-send-hostname`: '' when not set. */
  readonly hostname: string;
}


/** 'Nov  3 04:34:08' in local time. */
export function legacyTime(d: Date): string {
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ' ' : ''}${day} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** '2026-11-23T04:34:40.554373+00:00' in local time, microseconds. */
export function isoTime(d: Date, micros: number): string {
  const us = String(micros % 1_000_000).padStart(6, '0');
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${us}${utcOffset(d, true)}`;
}

/** The header before the message for `t` at severity `level` (already capped by minlevel). */
function header(t: LogTarget, level: number, id: LogIdentity, nowUs: number): string {
  const d = new Date(Math.floor(nowUs / 1000));
  const pri = `<${t.facility * 8 + level}>`;
  switch (t.format) {
    case 'raw':
      return '';
    case 'iso':
      return `${isoTime(d, nowUs)} `;
    case 'short':
      return `<${level}>`;
    case 'timed':
      return `<${level}>${isoTime(d, nowUs)} `;
    case 'priority':
      return pri;
    case 'rfc5424':
      return `${pri}1 ${isoTime(d, nowUs)} ${id.hostname || '-'} ${id.tag || '-'} ${id.pid} - - `;
    case 'rfc3164':
      return `${pri}${legacyTime(d)} ${id.hostname || 'localhost'} ${id.tag}[${id.pid}]: `;
    case 'default':
      if (id.hostname) return `${pri}${legacyTime(d)} ${id.hostname} ${id.tag}[${id.pid}]: `;
      return `${pri}${legacyTime(d)} ${id.tag}[${id.pid}]: `;
    case 'local':
      return `${pri}${legacyTime(d)} ${id.tag}[${id.pid}]: `;
  }
}

/** The datagram (or stream line) for `message` at severity `level`, or null when filtered. */
export function syslogLine(t: LogTarget, level: number, message: string, id: LogIdentity, nowUs: number): Buffer | null {
  if (level > t.level) return null;
  const sev = Math.max(level, t.minlevel);
  const line = Buffer.from(header(t, sev, id, nowUs) + message, 'utf8');
  // A datagram gets `len` bytes and its newline; a stream line (stdout, fd@) `len` in all.
  const max = t.address.kind === 'fd' ? t.len - 1 : t.len;
  const body = line.length > max ? line.subarray(0, max) : line;
  const out = Buffer.allocUnsafe(body.length + 1);
  body.copy(out);
  out[body.length] = 0x0a;
  return out;
}
