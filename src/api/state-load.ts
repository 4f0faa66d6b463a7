// `server-state-file` / `load-server-state-from-file global|local|none` /
// `server-state-file-name`: at start-up, backends that ask for it take back their servers'
// saved state — the operator's maintenance and drain, the operator's weight (when the
// configured weight did not change), disabled health checks, a server forced down — with
// HAProxy 2.6's rules for reconciling them with a changed configuration and its warnings.

import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { SRV } from '../ipc/server-table.js';
import type { ApiContext, ServerRef } from './context.js';
import { parseStateFile, type StateRecord } from './server-state.js';
import { ADMF_CMAINT, ADMF_FDRAIN, ADMF_FMAINT, ADMF_MAINT } from './state.js';

const CHK_CONFIGURED = 0x02;
const CHK_ENABLED = 0x04;

function setting(api: ApiContext, key: string): string | undefined {
  const v = api.model.global.settings[key]?.value;
  return typeof v === 'string' ? v : undefined;
}

function resolve(api: ApiContext, file: string): string {
  const base = setting(api, 'server-state-base');
  return base && !isAbsolute(file) ? join(base, file) : file;
}

function read(path: string): { records: StateRecord[] } | { error: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : String(code ?? e) };
  }
  return parseStateFile(text);
}

/** Apply one saved line to a server, as HAProxy's srv_update_state does for version 1. */
function apply(api: ApiContext, ref: ServerRef, r: StateRecord): void {
  const num = (k: keyof StateRecord): number => Number(r[k]);
  const saved = num('srv_admin_state');
  const meta = api.state.server(ref.server.slot);
  const configMaint = (meta.admin & ADMF_CMAINT) !== 0;
  let admin = meta.admin;
  const maint = (): void => void (admin = (admin | ADMF_FMAINT) & ~ADMF_FDRAIN);
  const ready = (): void => void (admin &= ~(ADMF_FMAINT | ADMF_CMAINT | ADMF_FDRAIN));
  if (((saved & ADMF_CMAINT) !== 0) !== configMaint) {
    // The configuration changed since the save: it wins.
    if (configMaint) maint();
    else ready();
  } else if (saved & ADMF_FMAINT && !configMaint) maint();
  else if (!(saved & ADMF_FMAINT) && configMaint) ready();
  const t = api.dp.table;
  const iweight = t.get(ref.server.slot, SRV.WEIGHT_INIT);
  // A drain forced by the operator survives; one inherited from a zero weight goes with it.
  if (!(admin & ADMF_FMAINT) && saved & ADMF_FDRAIN && (num('srv_iweight') > 0 || iweight === 0)) admin |= ADMF_FDRAIN;
  api.state.setAdmin(ref.server, admin);
  meta.lastChange = Date.now() - num('srv_time_since_last_change') * 1000;

  const view = api.checks.view(ref.server.slot);
  const checkState = num('srv_check_state');
  if (view?.configured && checkState & CHK_CONFIGURED && !(checkState & CHK_ENABLED)) api.checks.setEnabled(ref.server.slot, 'health', false);
  const agentState = num('srv_agent_state');
  if (view?.agent.configured && agentState & CHK_CONFIGURED && !(agentState & CHK_ENABLED)) api.checks.setEnabled(ref.server.slot, 'agent', false);
  if (num('srv_op_state') === 0 && !(saved & ADMF_MAINT)) api.checks.force(ref.server.slot, 'health', 'down');

  if (num('srv_iweight') === iweight) t.set(ref.server.slot, SRV.WEIGHT_USER, num('srv_uweight'));
  api.changed(ref.server);
}

export function loadServerStates(api: ApiContext): void {
  let global: StateRecord[] | undefined;
  let globalTried = false;
  for (const be of api.backends()) {
    const proxy = api.proxy(be.name);
    const how = proxy.settings['load-server-state-from-file']?.value;
    if (how !== 'global' && how !== 'local') continue;
    let records: StateRecord[];
    if (how === 'global') {
      const file = setting(api, 'server-state-file');
      if (!file) {
        api.log.warning(`config : backend '${be.name}' configured to load server state file from global section 'server-state-file' directive. Unfortunately, 'server-state-file' is not set!`);
        continue;
      }
      if (!globalTried) {
        globalTried = true;
        const r = read(resolve(api, file));
        if ('error' in r) api.log.warning(`config : config: Can't open global server state file '${resolve(api, file)}': ${r.error}`);
        else global = r.records;
      }
      if (!global) continue;
      records = global;
    } else {
      const named = proxy.settings['server-state-file-name']?.value;
      const file = resolve(api, typeof named === 'string' && named !== 'use-backend-name' ? named : be.name);
      const r = read(file);
      if ('error' in r) {
        api.log.warning(`config : Proxy '${be.name}': Can't open server state file '${file}': ${r.error}.`);
        continue;
      }
      records = r.records;
    }
    for (const rec of records) {
      if (rec.be_name !== be.name) continue;
      const s = api.servers(be).find((x) => x.name === rec.srv_name);
      if (s) apply(api, api.ref(be, s), rec);
    }
  }
}
