// `show sess`, `shutdown session`, `show errors`, `show pools`, `show env`: HAProxy's formats
// with what this process really has. Sessions: each worker thread lists its client sessions
// (and ends one on request), the control plane adds its own CLI sessions; the per-stream
// internals HAProxy appends (rq[...], scf=[...]) have no counterpart here and are left out.
// Errors: no request/response capture yet, so none; pools: JavaScript has no memory pools.

import { LEVEL_ADMIN, LEVEL_OPER, err, type Answer, type CliCall, type CommandImpl } from './command.js';
import type { SessionRow } from '../ipc/messages.js';
import { MONTHS, pad2 } from '../log/dates.js';


/** HAProxy's capture date: `[22/Nov/2026:13:28:54.333]` (local time). */
export function captureDate(t: Date): string {
  return `[${pad2(t.getDate())}/${MONTHS[t.getMonth()]}/${t.getFullYear()}:${pad2(t.getHours())}:${pad2(t.getMinutes())}:${pad2(t.getSeconds())}.${String(t.getMilliseconds()).padStart(3, '0')}]`;
}

const hexId = (id: number): string => `0x${id.toString(16).padStart(12, '0')}`;

/** HAProxy reads the id with strtoul(…, 0): decimal, 0x hex or 0 octal; 0 when it is not one. */
function sessionId(text: string | undefined): number {
  if (!text) return 0;
  const m = /^\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (!m) return 0;
  const t = m[1]!;
  return /^0[xX]/.test(t) ? parseInt(t.slice(2), 16) : t.length > 1 && t[0] === '0' ? parseInt(t, 8) : Number(t);
}

async function allSessions(call: CliCall): Promise<SessionRow[]> {
  const rows = await call.api.dp.sessions();
  for (const s of call.api.sessions()) rows.push({ id: s.id, proto: s.proto, src: s.source, fe: 'GLOBAL', be: null, srv: null, since: s.since, calls: s.calls });
  return rows;
}

/** HAProxy's human_time: at most two units, `0s`, `45s`, `1m30s`, `2h3m`, `1d2h`. */
export function humanTime(seconds: number): string {
  const t = Math.max(0, Math.floor(seconds));
  const parts: string[] = [];
  if (t >= 86400) parts.push(`${Math.floor(t / 86400)}d`);
  if (parts.length < 2 && Math.floor((t % 86400) / 3600)) parts.push(`${Math.floor((t % 86400) / 3600)}h`);
  if (parts.length < 2 && Math.floor((t % 3600) / 60)) parts.push(`${Math.floor((t % 3600) / 60)}m`);
  if ((parts.length < 2 && t % 60) || t === 0) parts.push(`${t % 60}s`);
  return parts.join('');
}

async function showSess(call: CliCall): Promise<Answer> {
  const now = Date.now();
  const line = (s: SessionRow): string =>
    `${hexId(s.id)}: proto=${s.proto} src=${s.src} fe=${s.fe} be=${s.be ?? '<NONE>'} srv=${s.srv ?? '<none>'} ts=00 epoch=0 age=${humanTime((now - s.since) / 1000)} calls=${s.calls ?? 0} rate=0 cpu=0 lat=0\n`;
  const rows = await allSessions(call);
  const want = call.args[2];
  // `show sess all` lists them all, as does an argument that is no number.
  const id = want === 'all' ? 0 : sessionId(want);
  if (!id) return rows.map(line).join('');
  const hit = rows.find((s) => s.id === id);
  return hit ? line(hit) : 'Session not found.\n';
}

/** `shutdown session <id>`: the session ends at once (HAProxy's termination state K). */
async function shutdownSession(call: CliCall): Promise<Answer> {
  const id = sessionId(call.args[2]);
  if (!id) return err("Session pointer expected (use 'show sess').\n");
  // A CLI session (this one included, as in HAProxy) ends after the answer is written.
  const cli = call.api.sessions().find((s) => s.id === id);
  if (cli) {
    setImmediate(() => cli.kill());
    return '';
  }
  return (await call.api.dp.killSession(id)) ? '' : err("No such session (use 'show sess').\n");
}

function showErrors(call: CliCall): Answer {
  const px = call.args[2];
  if (px && px !== 'request' && px !== 'response' && !call.api.model.proxies.some((p) => p.name === px) && !/^-?\d+$/.test(px)) {
    return err('No such proxy.\n');
  }
  return `Total events captured on ${captureDate(new Date())} : 0\n`;
}

function showEnv(call: CliCall): Answer {
  const name = call.args[2];
  const env = Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined);
  if (name) {
    const hit = env.find(([k]) => k === name);
    return hit ? `${hit[0]}=${hit[1]}\n` : err('Variable not found\n');
  }
  return env.map(([k, v]) => `${k}=${v}\n`).join('');
}

export const MISC_COMMANDS: readonly CommandImpl[] = [
  { name: 'show sess', level: LEVEL_OPER, run: showSess },
  { name: 'shutdown session', level: LEVEL_ADMIN, run: shutdownSession },
  { name: 'show errors', level: LEVEL_OPER, run: showErrors },
  { name: 'show pools', run: () => 'Dumping pools usage. Use SIGQUIT to flush them.\nTotal: 0 pools, 0 bytes allocated, 0 used (~0 by thread caches).\n' },
  { name: 'show env', level: LEVEL_OPER, run: showEnv },
];
