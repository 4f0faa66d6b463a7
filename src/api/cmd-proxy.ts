// Proxy-wide commands: `show backend`, `show servers state [<backend>]`, `set maxconn frontend`,
// `set maxconn global`, `clear counters [all]`. Answers as haproxy 2.6.12 prints them.

import { SRV } from '../ipc/server-table.js';
import { LEVEL_ADMIN, LEVEL_OPER, LEVEL_USER, err, type Answer, type CliCall, type CommandImpl } from './command.js';
import { STATE_HEADER, stateLine } from './server-state.js';

function showServersState(call: CliCall): Answer {
  const api = call.api;
  const name = call.args[3];
  const backends = name ? api.backends().filter((b) => b.name === name) : api.backends();
  if (name && backends.length === 0) return err("Can't find backend.\n");
  const now = Date.now();
  let out = STATE_HEADER;
  for (const be of backends) for (const s of api.servers(be)) out += `${stateLine(api, api.ref(be, s), now)}\n`;
  return out;
}

/** HAProxy's atoi(). */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

function setMaxconnFrontend(call: CliCall): Answer {
  const name = call.args[3];
  if (!name) return err('A frontend name is expected.\n');
  const fe = call.api.frontends().find((f) => f.name === name);
  if (!fe) return err('No such frontend.\n');
  const value = call.args[4];
  if (!value) return err('Integer value expected.\n');
  const v = atoi(value);
  if (v < 0) return err('Value out of range.\n');
  // Limiters in every worker read the new limit on their next admission; waiters are woken.
  call.api.gauges.setLimit(fe.index, v);
  return '';
}

function setMaxconnGlobal(call: CliCall): Answer {
  const value = call.args[3];
  if (!value) return err('Expects an integer value.\n');
  const v = atoi(value);
  const hard = call.api.dp.runtime.globalMaxconn;
  if (hard > 0 && v > hard) return err('Value out of range.\n');
  // 0 or less: back to the configured limit, as HAProxy returns to its hard limit.
  call.api.gauges.setLimit(-1, v > 0 ? v : null);
  return '';
}

function clearCounters(call: CliCall): Answer {
  const all = call.args[2] === 'all';
  if (all && call.session.level < LEVEL_ADMIN) return err('Permission denied\n');
  const api = call.api;
  const t = api.dp.table;
  if (all) {
    t.clearCounters();
    api.gauges.clearCounters();
    api.dp.backendCounters.clear();
    api.state.clearBackendCounters();
  }
  for (const be of api.backends()) {
    for (const s of be.servers) {
      t.set(s.slot, SRV.MAX_CONN_SEEN, t.get(s.slot, SRV.CUR_CONN));
      t.set(s.slot, SRV.QUEUE_MAX, t.get(s.slot, SRV.QUEUE));
    }
  }
  for (const fe of api.frontends()) api.gauges.resetMax(fe.index);
  api.gauges.resetMax(-1);
  api.rates.clearMax();
  return '';
}

export const PROXY_COMMANDS: readonly CommandImpl[] = [
  { name: 'show backend', level: LEVEL_USER, run: (call) => `# name\n${call.api.backends().map((b) => `${b.name}\n`).join('')}` },
  { name: 'show servers state', level: LEVEL_USER, run: showServersState },
  { name: 'set maxconn frontend', level: LEVEL_ADMIN, run: setMaxconnFrontend },
  { name: 'set maxconn global', level: LEVEL_ADMIN, run: setMaxconnGlobal },
  { name: 'clear counters', level: LEVEL_OPER, run: clearCounters },
];
