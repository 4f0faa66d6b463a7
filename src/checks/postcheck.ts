// Whole-configuration checks of health-check settings, with HAProxy 2.6's texts
// (cfgparse.c, check.c init_srv_check, server.c): rules declared for a check the proxy does
// not use, checks that cannot find a port, tracking a server that has no check, and agent
// checks without an agent port.

import type { Diagnostics } from '../config/diag.js';
import type { ConfigModel, ProxyModel } from '../config/model.js';
import { finalize, setupOf } from './ruleset.js';
import { mailSettings, mentionsMail } from './mail-alerts.js';
import { mailersSection } from './mailers.js';

const typeName = (p: ProxyModel): string => (p.type === 'listen' ? 'proxy' : p.type);

/**
 * Email alerts (cfgparse.c): all of from, mailers and to, or the others are ignored; a
 * mailers section must exist; one that no complete setting uses is dropped.
 */
function checkMailConfig(model: ConfigModel, diag: Diagnostics): void {
  const used = new Set<string>();
  for (const p of model.proxies) {
    if (!mentionsMail(p)) continue;
    const name = p.settings['email-alert mailers']?.value;
    if (!mailSettings(model, p) && (typeof name !== 'string' || !name || !p.settings['email-alert from']?.value || !p.settings['email-alert to']?.value)) {
      diag.warning(
        'W_IGNORED',
        undefined,
        `'email-alert' will be ignored for ${typeName(p)} '${p.name}' (the presence any of 'email-alert from', 'email-alert level' 'email-alert mailers', 'email-alert myhostname', or 'email-alert to' requires each of 'email-alert from', 'email-alert mailers' and 'email-alert to' to be present).`,
      );
    } else if (typeof name === 'string' && !mailersSection(model, name)) {
      diag.alert('E_REFERENCE', undefined, `Proxy '${p.name}': unable to find mailers '${name}'.`);
    } else if (typeof name === 'string') used.add(name);
  }
  for (const s of model.sections) {
    if (s.type === 'mailers' && !used.has(s.name)) diag.warning('W_IGNORED', undefined, `Removing incomplete section 'mailers ${s.name}'.`);
  }
}

/** `option external-check` needs the global `external-check` and a command (cfgparse.c). */
function checkExternalConfig(model: ConfigModel, p: ProxyModel, diag: Diagnostics): void {
  const on = p.options['external-check']?.enabled === true;
  if (!on) {
    for (const k of ['external-check command', 'external-check path']) {
      if (p.settings[k]) diag.warning('W_IGNORED', undefined, `'${k}' will be ignored for ${typeName(p)} '${p.name}' (requires 'option external-check').`);
    }
    return;
  }
  const who = `Proxy '${p.name}' : 'option external-check'`;
  if (!model.global.settings['external-check']) diag.alert('E_MISSING_ARG', undefined, `${who} unable to find required 'global.external-check'.`);
  if (!p.settings['external-check command']) diag.alert('E_MISSING_ARG', undefined, `${who} unable to find required 'external-check command'.`);
  if (!model.global.settings['insecure-fork-wanted']) {
    diag.warning('W_CONFIG', undefined, `Proxy '${p.name}' : 'insecure-fork-wanted' not enabled in the global section, 'option external-check' will likely fail.`);
  }
}

export function checkHealthConfig(model: ConfigModel, diag: Diagnostics): void {
  checkMailConfig(model, diag);
  for (const p of model.proxies) if (p.cap.backend) checkExternalConfig(model, p, diag);
  const byName = new Map<string, ProxyModel>();
  for (const p of model.proxies) if (p.cap.backend && !byName.has(p.name)) byName.set(p.name, p);
  for (const p of model.proxies) {
    if (!p.cap.backend) continue;
    const setup = setupOf(model, p);
    const who = `${typeName(p)} '${p.name}'`;
    if (setup.unusedHttp) diag.warning('W_IGNORED', undefined, `${who} uses http-check rules without 'option httpchk', so the rules are ignored.`);
    if (setup.kind !== 'http') {
      for (const [flag, set] of [['disable-on-404', setup.disableOn404], ['send-state', setup.sendState]] as const) {
        if (set) diag.warning('W_IGNORED', undefined, `'${flag}' will be ignored for ${who} (requires 'option httpchk').`);
      }
    }
    if (setup.unusedTcp) diag.warning('W_IGNORED', undefined, `${who} uses tcp-check rules without 'option tcp-check', so the rules are ignored.`);
    const final = finalize(setup);
    const first = final.rules[0]?.spec;
    for (const s of p.servers) {
      const o = s.options;
      const srv = `'server ${p.name}/${s.name}'`;
      const track = o['track'];
      if (o['check'] === true && typeof track === 'string') {
        diag.alert('E_BAD_ARG', s.loc, `${srv} : unable to enable checks and tracking at the same time!`, undefined, 'bracket');
      }
      if (typeof track === 'string') {
        const [pxName, srvName] = track.includes('/') ? track.split('/', 2) : [p.name, track];
        const target = byName.get(pxName!)?.servers.find((x) => x.name === srvName);
        const to = target?.options;
        if (to && to['check'] !== true && to['agent-check'] !== true && typeof to['track'] !== 'string') {
          diag.alert('E_REFERENCE', s.loc, `${srv} : unable to use ${pxName}/${srvName} for tracking as it does not have any check nor agent enabled.`, undefined, 'bracket');
        }
      }
      if (o['agent-check'] === true && typeof o['agent-port'] !== 'number') {
        diag.alert('E_MISSING_ARG', s.loc, `${srv} : server ${s.name} does not have agent port. Agent check has been disabled.`, undefined, 'bracket');
      }
      if (o['check'] !== true || typeof track === 'string') continue;
      const servicePort = s.address && s.address.ports[0] > 0;
      const addr = typeof o['addr'] === 'string' ? o['addr'] : '';
      const checkPort = (typeof o['port'] === 'number' && o['port'] > 0) || /:[0-9]+$/.test(addr.replace(/^\[[^\]]*\]/, ''));
      if (servicePort || checkPort) continue;
      const connects = final.rules.filter((e) => e.spec.action === 'connect');
      const where = `config: ${typeName(p)} '${p.name}': server '${s.name}' has neither service port nor check port`;
      if (!first || first.action !== 'connect') diag.alert('E_MISSING_ARG', undefined, `${where}.`);
      else if (!first.port && !first.addrPort) diag.alert('E_MISSING_ARG', undefined, `${where} nor tcp_check rule 'connect' with port information.`);
      else if (connects.some((e) => e.spec.action === 'connect' && !e.spec.port && !e.spec.addrPort)) {
        diag.alert('E_MISSING_ARG', undefined, `${where}, and a tcp_check rule 'connect' with no port information.`);
      }
    }
  }
}
