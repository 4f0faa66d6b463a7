// `show sess`, `show errors`, `show pools`, `show env`: HAProxy's formats with what this
// process really has. Sessions: the control plane sees its own CLI sessions only (data-plane
// sessions live in the worker threads); errors: no request/response capture yet, so none; pools:
// JavaScript has no memory pools.

import { LEVEL_OPER, err, type Answer, type CliCall, type CommandImpl } from './command.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** HAProxy's capture date: `[22/Nov/2026:13:28:54.333]` (local time). */
export function captureDate(t: Date): string {
  return `[${p2(t.getDate())}/${MONTHS[t.getMonth()]}/${t.getFullYear()}:${p2(t.getHours())}:${p2(t.getMinutes())}:${p2(t.getSeconds())}.${String(t.getMilliseconds()).padStart(3, '0')}]`;
}

function showSess(call: CliCall): Answer {
  const now = Date.now();
  return call.api
    .sessions()
    .map((s) => `0x${s.id.toString(16).padStart(12, '0')}: proto=${s.proto} src=${s.source} fe=GLOBAL be=<NONE> srv=<none> ts=00 epoch=0 age=${Math.floor((now - s.since) / 1000)}s calls=${s.calls} rate=0 cpu=0 lat=0\n`)
    .join('');
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
  { name: 'show errors', level: LEVEL_OPER, run: showErrors },
  { name: 'show pools', run: () => 'Dumping pools usage. Use SIGQUIT to flush them.\nTotal: 0 pools, 0 bytes allocated, 0 used (~0 by thread caches).\n' },
  { name: 'show env', level: LEVEL_OPER, run: showEnv },
];
