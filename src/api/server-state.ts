// HAProxy's server state format, version 1 (`show servers state`, and the file that
// `server-state-file` + `load-server-state-from-file` read back at start-up): a version line,
// a `#` header naming the fields, one line per server. Layout recorded from haproxy 2.6.12.

import type { ApiContext, ServerRef } from './context.js';
import { serverFacts } from './server-view.js';

export const STATE_VERSION = '1';

export const STATE_FIELDS = [
  'be_id', 'be_name', 'srv_id', 'srv_name', 'srv_addr', 'srv_op_state', 'srv_admin_state', 'srv_uweight', 'srv_iweight',
  'srv_time_since_last_change', 'srv_check_status', 'srv_check_result', 'srv_check_health', 'srv_check_state',
  'srv_agent_state', 'bk_f_forced_id', 'srv_f_forced_id', 'srv_fqdn', 'srv_port', 'srvrecord', 'srv_use_ssl',
  'srv_check_port', 'srv_check_addr', 'srv_agent_addr', 'srv_agent_port',
] as const;

export const STATE_HEADER = `${STATE_VERSION}\n# ${STATE_FIELDS.join(' ')}\n`;

const optNumber = (v: unknown): number => (typeof v === 'number' ? v : 0);
const optWord = (v: unknown): string => (typeof v === 'string' && v !== '' ? v : '-');

export function stateLine(api: ApiContext, ref: ServerRef, now: number): string {
  const f = serverFacts(api, ref);
  const o = ref.config.options;
  const s = ref.server;
  const fqdn = ref.config.address?.family === 'hostname' ? ref.config.address.host : '-';
  return [
    ref.backend.id,
    ref.backend.name,
    s.id,
    s.name,
    s.host,
    f.opState,
    f.admin,
    f.uweight,
    f.iweight,
    Math.max(0, Math.floor((now - f.lastChange) / 1000)),
    f.checkCode,
    f.checkResult,
    f.health,
    f.checkState,
    f.agentState,
    ref.proxy.settings['id'] !== undefined ? 1 : 0,
    o['id'] !== undefined ? 1 : 0,
    fqdn,
    s.port,
    '-',
    o['ssl'] === true ? 1 : 0,
    optNumber(o['port']),
    optWord(o['addr']),
    optWord(o['agent-addr']),
    optNumber(o['agent-port']),
  ].join(' ');
}

/** One saved server line, keyed by the field names. */
export type StateRecord = Readonly<Record<(typeof STATE_FIELDS)[number], string>>;

/**
 * Parse a state file: the version line must be `1`; lines are matched to the `#` header's
 * fields (HAProxy reads them by position, the header documents them). Returns the records, or
 * the reason the file is unusable.
 */
export function parseStateFile(text: string): { records: StateRecord[] } | { error: string } {
  const lines = text.split('\n');
  if ((lines[0] ?? '').trim() !== STATE_VERSION) return { error: "version error" };
  const records: StateRecord[] = [];
  for (const line of lines.slice(1)) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const words = t.split(/[ \t]+/);
    if (words.length < STATE_FIELDS.length) continue;
    const rec: Record<string, string> = {};
    STATE_FIELDS.forEach((name, i) => (rec[name] = words[i]!));
    records.push(rec as StateRecord);
  }
  return { records };
}
