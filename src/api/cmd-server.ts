// Server commands: `get weight`, `set weight`, `enable|disable server`, `set server … state |
// weight | health | agent`, `set maxconn server`, `enable|disable health|agent`, `add server`,
// `del server`, `shutdown sessions server`. Admin state goes to the shared table (workers'
// balancers rebuild), health through the checks' registry. Answers and their order of checks
// as haproxy 2.6.12 prints them.

import { CNT, SRV } from '../ipc/server-table.js';
import { LEVEL_ADMIN, LEVEL_USER, err, msg, warn, type Answer, type CliCall, type CommandImpl } from './command.js';
import { isRef, type ServerRef } from './context.js';
import { ADMF_CMAINT, ADMF_FDRAIN, ADMF_FMAINT, ADMF_MAINT } from './state.js';
import { parseMaxconn, parseWeight } from './weight.js';
import { runtimeServer, type RuntimeBackend, type RuntimeServer } from '../dataplane/compile.js';
import { dynamicBalance } from '../dataplane/dynamic-servers.js';
import { parseAddedServer } from '../servers/dynamic.js';
import { installFeatures } from '../features.js';

const SET_SERVER_USAGE =
  'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n';

/** Run `then` on the server named by args[i], or answer HAProxy's lookup error. */
function withServer(call: CliCall, i: number, then: (ref: ServerRef) => Answer, bare = false): Answer {
  const r = call.api.findServer(call.args[i], bare);
  return isRef(r) ? then(r) : r;
}

/** HAProxy's srv_adm_set_ready/drain/maint: the operator's flags (a config `disabled` goes with maint). */
function setAdmin(call: CliCall, ref: ServerRef, to: 'ready' | 'drain' | 'maint'): void {
  const meta = call.api.state.server(ref.server.slot);
  let admin = meta.admin & ~(ADMF_FMAINT | ADMF_CMAINT | ADMF_FDRAIN);
  if (to === 'drain') admin |= ADMF_FDRAIN;
  if (to === 'maint') admin |= ADMF_FMAINT;
  call.api.state.setAdmin(ref.server, admin);
  call.api.changed(ref.server);
}

function setWeight(call: CliCall, ref: ServerRef, text: string | undefined): Answer {
  const t = call.api.dp.table;
  const r = parseWeight(text, t.get(ref.server.slot, SRV.WEIGHT_INIT), ref.backend);
  if ('error' in r) return err(r.error);
  t.set(ref.server.slot, SRV.WEIGHT_USER, r.weight);
  call.api.changed(ref.server);
  return '';
}

function setServer(call: CliCall): Answer {
  return withServer(call, 2, (ref) => {
    const what = call.args[3];
    const value = call.args[4];
    const checks = call.api.checks;
    const slot = ref.server.slot;
    switch (what) {
      case 'state':
        if (value !== 'ready' && value !== 'drain' && value !== 'maint') return err("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n");
        setAdmin(call, ref, value);
        return '';
      case 'weight':
        return setWeight(call, ref, value);
      case 'health':
        if (typeof ref.config.options['track'] === 'string') return warn('cannot change health on a tracking server.\n');
        if (value !== 'up' && value !== 'stopping' && value !== 'down') return err("'set server <srv> health' expects 'up', 'stopping', or 'down'.\n");
        checks.force(slot, 'health', value);
        // HAProxy moves the health counter even without checks: rise + fall - 1, or 0.
        if (!checks.view(slot)?.configured) call.api.state.server(slot).idleHealth = value === 'down' ? 0 : 4;
        return '';
      case 'agent': {
        const view = checks.view(slot);
        if (!view?.agent.configured || !view.agent.enabled) return err('agent checks are not enabled on this server.\n');
        if (value !== 'up' && value !== 'down') return err("'set server <srv> agent' expects 'up' or 'down'.\n");
        checks.force(slot, 'agent', value);
        return '';
      }
      case 'addr':
      case 'fqdn':
      case 'ssl':
      case 'check-addr':
      case 'check-port':
      case 'agent-addr':
      case 'agent-port':
      case 'agent-send':
        // Addresses are compiled into every worker at start-up; changing them is not built yet.
        return err(`'set server <srv> ${what}' is not implemented yet in Switchyard.\n`);
      default:
        return err(SET_SERVER_USAGE);
    }
  });
}

function setMaxconnServer(call: CliCall): Answer {
  return withServer(call, 3, (ref) => {
    const r = parseMaxconn(call.args[4]);
    if ('error' in r) return err(r.error);
    const t = call.api.dp.table;
    t.set(ref.server.slot, SRV.MAXCONN, r.maxconn);
    // Clients queued for a slot re-check the limit when woken (they wait on CUR_CONN).
    Atomics.notify(t.i32, t.slot(ref.server.slot, SRV.CUR_CONN));
    return '';
  });
}

function toggleCheck(call: CliCall, which: 'health' | 'agent', on: boolean): Answer {
  return withServer(call, 2, (ref) => {
    const view = call.api.checks.view(ref.server.slot);
    const configured = which === 'health' ? !!view?.configured : !!view?.agent.configured;
    if (on && !configured) {
      return err(which === 'health' ? 'Health check was not configured on this server, cannot enable.\n' : 'Agent was not configured on this server, cannot enable.\n');
    }
    if (configured) call.api.checks.setEnabled(ref.server.slot, which, on);
    return '';
  });
}

function delServer(call: CliCall): Answer {
  return withServer(
    call,
    2,
    (ref) => {
      const api = call.api;
      const meta = api.state.server(ref.server.slot);
      // HAProxy's order: pointed to (SRV_F_NON_PURGEABLE) first, then maintenance.
      if (referenced(api, ref)) return err('This server cannot be removed at runtime due to other configuration elements pointing to it.');
      if (!(meta.admin & ADMF_MAINT)) return err('Only servers in maintenance mode can be deleted.');
      const t = api.dp.table;
      // Idle connections count too (HAProxy 2.6: "TODO idle connections should not prevent
      // server deletion"); they leave with maintenance, or with the purge.
      if (t.get(ref.server.slot, SRV.CUR_CONN) > 0 || t.get(ref.server.slot, SRV.QUEUE) > 0 || t.total(ref.server.slot, CNT.G_IDLE) > 0) {
        return err('Server still has connections attached to it, cannot remove it.');
      }
      // What it tracked stays non-purgeable after it is gone.
      const followed = trackTarget(api, ref.backend, ref.config.options['track']);
      if (followed) api.state.tracked.add(followed.slot);
      // Out of every worker's backend first; then the slot is free for a later `add server`.
      api.checks.removeServer(ref.server.slot);
      api.rates.removeServer(ref.server.slot);
      api.state.forgetServer(ref.server.slot);
      api.dp.removeServer(ref.backend, ref.server.slot);
      return msg('Server deleted.');
    },
    true,
  );
}

/**
 * A server a `use-server` rule names, or that another server tracks or ever tracked, must stay
 * (as in HAProxy, whose non-purgeable flag is never cleared).
 */
function referenced(api: CliCall['api'], ref: ServerRef): boolean {
  const name = ref.server.name;
  if (api.state.tracked.has(ref.server.slot)) return true;
  const rules = ref.proxy.lists['use-server'] ?? [];
  if (rules.some((d) => (d.value as { server?: string } | null)?.server === name)) return true;
  for (const be of api.backends()) {
    for (const s of api.servers(be)) {
      const t = api.ref(be, s).config.options['track'];
      if (typeof t === 'string' && (t === `${ref.backend.name}/${name}` || (be === ref.backend && t === name))) return true;
    }
  }
  return false;
}

/**
 * `track [<proxy>/]<server>` on an added server: what HAProxy's srv_apply_track refuses, in
 * its order and words (a new server cannot close a tracking loop; null when it may track).
 */
function trackError(api: CliCall['api'], be: RuntimeBackend, track: string): string | null {
  const slash = track.lastIndexOf('/');
  const pname = slash >= 0 ? track.slice(0, slash) : null;
  const sname = slash >= 0 ? track.slice(slash + 1) : track;
  const px = pname === null ? be : api.backend(pname);
  if (!px) return `unable to find required proxy '${pname}' for tracking.\n`;
  const target = api.servers(px).find((x) => x.name === sname);
  if (!target) return `unable to find required server '${sname}' for tracking.\n`;
  if (api.state.server(target.slot).dynamic) return `unable to use ${px.name}/${sname} for tracking as it is a dynamic server.\n`;
  const o = api.ref(px, target).config.options;
  if (o['check'] !== true && o['agent-check'] !== true && typeof o['track'] !== 'string') {
    return `unable to use ${px.name}/${sname} for tracking as it does not have any check nor agent enabled.\n`;
  }
  return null;
}

/** The server `track [<proxy>/]<server>` names, if present. */
function trackTarget(api: CliCall['api'], be: RuntimeBackend, track: unknown): RuntimeServer | undefined {
  if (typeof track !== 'string') return undefined;
  const slash = track.lastIndexOf('/');
  const px = slash >= 0 ? api.backend(track.slice(0, slash)) : be;
  return px ? api.servers(px).find((x) => x.name === track.slice(slash + 1)) : undefined;
}

/** `add server <backend>/<server> <addr>[:<port>] [options]`, checked in HAProxy's order. */
function addServer(call: CliCall): Answer {
  const api = call.api;
  const arg = call.args[2];
  const slash = arg === undefined ? -1 : arg.indexOf('/');
  if (arg === undefined || slash < 0 || slash === arg.length - 1) return err("Require 'backend/server'.");
  const be = api.backend(arg.slice(0, slash));
  if (!be) return err('No such backend.');
  if (!dynamicBalance(be)) return err('Backend must use a dynamic load balancing to support dynamic servers.');
  const name = arg.slice(slash + 1);
  const words = call.args.slice(3);
  if (words.length === 0) return err("'server' expects <name> and <addr>[:<port>] as arguments.\n");
  const present = api.servers(be);
  if (present.some((s) => s.name === name)) return err('Already exists a server with the same name in backend.\n');
  const proxy = api.proxy(be.name);
  const existing = present.map((s) => ({ ...api.ref(be, s).config, id: s.id }));
  const r = parseAddedServer(installFeatures().serverOptions, api.model, proxy, existing, name, words);
  if ('error' in r) return err(r.error);
  const track = r.server.options['track'];
  const bad = typeof track === 'string' ? trackError(api, be, track) : null;
  if (bad) return err(bad);
  const followed = trackTarget(api, be, track);
  if (followed) api.state.tracked.add(followed.slot);
  const slot = api.dp.slots.take();
  if (slot === undefined) {
    return err(`No free server slot: 'switchyard.dynamic-servers' allows ${api.dp.slots.capacity - api.dp.slots.configured} servers added at run time.\n`);
  }
  const model = r.server;
  const o = model.options;
  const rt = runtimeServer(model, slot, model.id, proxy.mode);
  // A dynamic server starts in maintenance unless `enabled` (`disabled` adds the config flag).
  const admin = o['enabled'] === true ? 0 : o['disabled'] === true ? ADMF_FMAINT | ADMF_CMAINT : ADMF_FMAINT;
  api.dp.addServer(be, rt, admin !== 0);
  api.state.addServer(slot, admin, model);
  api.rates.addServer(slot);
  api.checks.addServer({ backend: be, server: rt, model, proxy });
  return msg('New server registered.\n');
}

export const SERVER_COMMANDS: readonly CommandImpl[] = [
  {
    name: 'get weight',
    level: LEVEL_USER,
    run: (call) =>
      withServer(call, 2, (ref) => {
        const t = call.api.dp.table;
        return `${t.get(ref.server.slot, SRV.WEIGHT_USER)} (initial ${t.get(ref.server.slot, SRV.WEIGHT_INIT)})\n`;
      }),
  },
  { name: 'set weight', level: LEVEL_ADMIN, run: (call) => withServer(call, 2, (ref) => setWeight(call, ref, call.args[3])) },
  { name: 'disable server', level: LEVEL_ADMIN, run: (call) => withServer(call, 2, (ref) => (setAdmin(call, ref, 'maint'), '')) },
  { name: 'enable server', level: LEVEL_ADMIN, run: (call) => withServer(call, 2, (ref) => (setAdmin(call, ref, 'ready'), '')) },
  { name: 'set server', level: LEVEL_ADMIN, run: setServer },
  { name: 'set maxconn server', level: LEVEL_ADMIN, run: setMaxconnServer },
  { name: 'enable health', level: LEVEL_ADMIN, run: (call) => toggleCheck(call, 'health', true) },
  { name: 'disable health', level: LEVEL_ADMIN, run: (call) => toggleCheck(call, 'health', false) },
  { name: 'enable agent', level: LEVEL_ADMIN, run: (call) => toggleCheck(call, 'agent', true) },
  { name: 'disable agent', level: LEVEL_ADMIN, run: (call) => toggleCheck(call, 'agent', false) },
  { name: 'del server', level: LEVEL_ADMIN, run: delServer },
  {
    name: 'shutdown sessions server',
    level: LEVEL_ADMIN,
    // Every thread closes the sessions connected to it now; the answer does not wait for that.
    run: (call) => withServer(call, 3, (ref) => (call.api.dp.shutdownSessions([ref.server.slot]), '')),
  },
  { name: 'add server', level: LEVEL_ADMIN, run: addServer },
];
