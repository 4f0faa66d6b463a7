// HAProxy 2.6's wording for server state changes (server.c srv_append_status, check.c
// set_server_check_status): the "reason: ..., code: N, info: "...", check duration: Nms" part
// and the "N active and M backup servers left/online" tail.

import { isLayer7Data, statusDescription, type CheckStatus } from './status.js';

/** HAProxy keeps check descriptions in a 128-byte field. */
export const DESC_MAX = 127;

/** chunk_asciiencode: non-printable bytes, '<', '>' and the quote become "<HH>". */
export function asciiEncode(s: string, quote: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c > 0x7e || ch === '<' || ch === '>' || ch === quote) out += `<${(c & 0xff).toString(16).toUpperCase().padStart(2, '0')}>`;
    else out += ch;
  }
  return out;
}

/** What a state change is attributed to: a check result, a free-text reason, or nothing. */
export interface ChangeCause {
  readonly status: CheckStatus | null;
  readonly code: number;
  readonly durationMs: number;
  readonly desc: string;
}

export interface Counts {
  readonly active: number;
  readonly backup: number;
}

/**
 * The part after "Server be/s is DOWN": the check that caused it (or a reason, or "via" the
 * tracked server), then — when `tail` is given — the servers left and the sessions moved.
 */
export function appendStatus(
  cause: ChangeCause | null,
  via: string | null,
  tail: { readonly down: boolean; readonly counts: Counts; readonly sessions: number; readonly queue: number } | null,
): string {
  let m = '';
  if (cause && cause.status !== null) {
    m += `, reason: ${statusDescription(cause.status)}`;
    if (isLayer7Data(cause.status)) m += `, code: ${cause.code}`;
    if (cause.desc) m += `, info: "${asciiEncode(cause.desc, '"')}"`;
    if (cause.durationMs >= 0) m += `, check duration: ${cause.durationMs}ms`;
  } else if (cause && cause.desc) {
    m += `, ${cause.desc}`;
  } else if (via) {
    m += ` via ${via}`;
  }
  if (tail) {
    const { active, backup } = tail.counts;
    const onBackup = backup && !active ? ' Running on backup.' : '';
    m += tail.down
      ? `. ${active} active and ${backup} backup servers left.${onBackup} ${tail.sessions} sessions active, 0 requeued, ${tail.queue} remaining in queue`
      : `. ${active} active and ${backup} backup servers online.${onBackup} 0 sessions requeued, ${tail.queue} total in queue`;
  }
  return m;
}
