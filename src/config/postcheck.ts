// Checks that need the whole configuration, run after parsing (HAProxy's
// check_config_validity): references, mode compatibility, numeric ids, HTTP-only settings in
// TCP proxies, missing timeouts, log-format aliases, and whether anything listens.

import type { Diagnostics, Loc } from './diag.js';
import type { ConfigModel, ProxyModel } from './model.js';
import type { Registries } from '../features.js';
import { httpOnlyMessage } from '../log/logformat.js';
import { checkHealthConfig } from '../checks/postcheck.js';
import { checkBalance } from '../lb/balance-check.js';
import { checkOptionModes } from '../proxy/options.js';

export interface PostCheckResult {
  readonly hasListener: boolean;
}

const TIMEOUT_DETAIL = [
  '   | While not properly invalid, you will certainly encounter various problems',
  '   | with such a configuration. To fix this, please ensure that all following',
  "   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
];

/**
 * HAProxy's automatic ids: a counter starting at 1 walks the objects in declaration order;
 * one without an explicit id takes the lowest free id at or above the counter, and the
 * counter then moves one past the current position, explicit ids included. (Checked against
 * haproxy 2.6.12's `show stat` iid/sid columns.)
 */
export function assignIds(items: { id: number }[], reserved: readonly number[] = []): void {
  const used = new Set<number>(reserved);
  for (const it of items) if (it.id > 0) used.add(it.id);
  let next = 1;
  for (const it of items) {
    if (it.id <= 0) {
      while (used.has(next)) next++;
      it.id = next;
      used.add(next);
    }
    next++;
  }
}

export function postCheck(model: ConfigModel, diag: Diagnostics, _reg: Registries): PostCheckResult {
  const backends = new Map<string, ProxyModel>();
  for (const p of model.proxies) if (p.cap.backend && !backends.has(p.name)) backends.set(p.name, p);

  // Ids: the stats socket's internal proxy takes the first one, as in HAProxy.
  const hasCli = (model.global.lists['stats socket']?.length ?? 0) > 0;
  const pxIds = model.proxies.map((p) => ({ id: p.id }));
  assignIds(hasCli ? [{ id: 0 }, ...pxIds] : pxIds);
  model.proxies.forEach((p, i) => (p.id = pxIds[i]!.id));
  checkDuplicateIds(model, diag);
  for (const p of model.proxies) {
    const ids = p.servers.map((s) => ({ id: s.id }));
    assignIds(ids);
    p.servers.forEach((s, i) => (s.id = ids[i]!.id));
  }

  const tables = new Set<string>();
  for (const p of model.proxies) if (p.lists['stick-table']?.length) tables.add(p.name);
  for (const s of model.sections) {
    if (s.type !== 'peers') continue;
    for (const d of s.directives) if (d.key === 'table' && d.args[0]) tables.add(`${s.name}/${d.args[0]}`);
  }
  for (const p of model.proxies) {
    checkDuplicateServers(p, diag);
    if (p.cap.frontend) checkSwitching(p, backends, diag);
    checkTracking(p, model, diag);
    checkTables(p, tables, diag);
  }
  // Health checks: ports, tracking, agent ports, rules for an unused check type.
  checkHealthConfig(model, diag);

  const reported = new Set<string>();
  for (const p of model.proxies) {
    if (p.settings['disabled']) continue;
    // HAProxy's order: monitor-uri and the L7 balance fallback, then rules and options.
    if (p.mode !== 'http' && p.cap.frontend && p.settings['monitor-uri']) {
      diag.warning('W_IGNORED', undefined, `monitor-uri will be ignored for ${p.type === 'listen' ? 'proxy' : p.type} '${p.name}' (needs 'mode http').`);
    }
    checkBalance(p, diag, _reg);
    checkHttpOnly(p, diag);
    checkOptionModes(p, diag);
    checkTcpRulesInHttpMode(p, diag);
    checkTimeouts(p, diag);
    checkLogFormat(p, diag, reported);
  }

  const hasListener = model.proxies.some((p) => p.cap.frontend && p.binds.length > 0 && !p.settings['disabled']);
  return { hasListener };
}

function checkDuplicateIds(model: ConfigModel, diag: Diagnostics): void {
  const seen = new Map<number, ProxyModel>();
  for (const p of model.proxies) {
    const other = seen.get(p.id);
    if (other && p.settings['id']) {
      diag.alert('E_DUPLICATE', p.settings['id'].loc, `${p.type} ${p.name} has the same ID (${p.id}) as ${other.type} ${other.name}.`);
    }
    seen.set(p.id, p);
  }
}

function checkSwitching(fe: ProxyModel, backends: Map<string, ProxyModel>, diag: Diagnostics): void {
  const check = (name: string, how: 'default' | 'use'): void => {
    if (name.includes('%[')) return; // dynamic: resolved per request
    const be = backends.get(name);
    if (!be) {
      diag.alert('E_REFERENCE', undefined, `Proxy '${fe.name}': unable to find required ${how === 'default' ? 'default_backend' : 'use_backend'}: '${name}'.`);
      return;
    }
    if (be.mode !== fe.mode && fe.mode === 'http') {
      const where = how === 'default' ? 'as its default backend' : "in a 'use_backend' rule";
      diag.alert(
        'E_REFERENCE',
        undefined,
        `${fe.mode} frontend '${fe.name}' (${fe.loc.file}:${fe.loc.line}) tries to use incompatible ${be.mode} backend '${be.name}' (${be.loc.file}:${be.loc.line}) ${where} (see 'mode').`,
      );
    }
  };
  // HAProxy resolves the default backend first, then the use_backend rules.
  const def = fe.settings['default_backend'];
  if (def && typeof def.value === 'string') check(def.value, 'default');
  for (const u of fe.lists['use_backend'] ?? []) {
    const v = u.value as { backend?: string } | null;
    if (v && typeof v.backend === 'string') check(v.backend, 'use');
  }
}

/** Two servers of one proxy with the same name: found after parsing, as HAProxy finds them. */
function checkDuplicateServers(p: ProxyModel, diag: Diagnostics): void {
  const first = new Map<string, Loc>();
  for (const s of p.servers) {
    const prev = first.get(s.name);
    if (!prev) first.set(s.name, s.loc);
    else diag.alert('E_DUPLICATE', s.loc, `${p.type} '${p.name}', another server named '${s.name}' was already defined at line ${prev.line}, please use distinct names.`);
  }
}

function checkTracking(p: ProxyModel, model: ConfigModel, diag: Diagnostics): void {
  for (const s of p.servers) {
    const t = s.options['track'];
    if (typeof t !== 'string') continue;
    const [pxName, srvName] = t.includes('/') ? t.split('/', 2) : [p.name, t];
    const px = model.proxies.find((x) => x.name === pxName && x.cap.backend);
    const who = `'server ${p.name}/${s.name}'`;
    if (!px) {
      diag.alert('E_REFERENCE', s.loc, `${who} : unable to find required proxy '${pxName}' for tracking.`, undefined, 'bracket');
    } else if (!px.servers.some((x) => x.name === srvName)) {
      diag.alert('E_REFERENCE', s.loc, `${who} : unable to find required server '${srvName}' for tracking.`, undefined, 'bracket');
    }
  }
}

/** `track-scN ... table T` and `stick ... table T` must name an existing table. */
function checkTables(p: ProxyModel, tables: ReadonlySet<string>, diag: Diagnostics): void {
  // Without `table`, the proxy's own table is meant (and it must exist).
  const own = p.name;
  for (const rs of ['tcp-request connection', 'tcp-request session', 'tcp-request content', 'http-request', 'http-response']) {
    for (const d of p.lists[rs] ?? []) {
      const v = d.value as { action?: string; args?: { table?: string | null } } | null;
      const action = v?.action ?? '';
      if (!/^track-sc[0-2]$/.test(action)) continue;
      const t = v?.args?.table ?? own;
      if (t !== null && !tables.has(t)) {
        diag.alert('E_REFERENCE', undefined, `Proxy '${p.name}': unable to find table '${t}' referenced by ${action}.`);
      }
    }
  }
  for (const key of ['stick on', 'stick match', 'stick store-request', 'stick store-response']) {
    for (const d of p.lists[key] ?? []) {
      const at = d.args.indexOf('table');
      const t = at >= 0 ? d.args[at + 1] : own;
      if (t !== undefined && !tables.has(t)) diag.alert('E_REFERENCE', undefined, `Proxy '${p.name}': unable to find stick-table '${t}'.`);
    }
  }
}

/**
 * The TCP path runs use_backend / use-server and the tcp-request / tcp-response rules
 * (src/dataplane/tcp-session.ts). In HTTP mode the HTTP session runs its own pipeline:
 * there, `tcp-request connection|session accept|reject` run (admitConnection(), before the
 * HTTP session starts) and `tcp-request content` runs per request; tcp-response content
 * rules and the connection/session variable actions (whose values would have to reach the
 * HTTP transaction) are refused rather than ignored.
 */
function checkTcpRulesInHttpMode(p: ProxyModel, diag: Diagnostics): void {
  if (p.mode !== 'http') return;
  const refuse = (d: { loc: Loc }, what: string): void =>
    diag.alert('E_NOT_IMPLEMENTED', d.loc, `${what} in an HTTP-mode proxy is not implemented yet (pending: rules engine (#4)).`);
  // tcp-request content runs per request before http-request (src/http/session.ts).
  for (const d of p.lists['tcp-response content'] ?? []) refuse(d, "'tcp-response content'");
  for (const key of ['tcp-request connection', 'tcp-request session']) {
    for (const d of p.lists[key] ?? []) {
      const action = (d.value as { action?: unknown } | null)?.action;
      if (action !== 'accept' && action !== 'reject') refuse(d, `'${key} ${String(action).replace(/\(.*$/, '')}'`);
    }
  }
  // HAProxy sizes req.len/res.len from its internal HTX blocks in HTTP mode: not reproduced.
  // (The other payload fetches simply find nothing there, as on HAProxy.)
  const directives = [...Object.values(p.lists).flat(), ...Object.values(p.settings)];
  for (const d of directives) {
    const json = JSON.stringify(d.value);
    const m = HTX_SIZED.exec(json) ?? (json.includes('"REQ_CONTENT"') ? ['', 'req.len'] : null);
    if (m) diag.alert('E_NOT_IMPLEMENTED', d.loc, `fetch '${m[1]}' is not implemented yet in HTTP mode (pending: rules engine (#4)).`);
  }
}

/** The buffer-length fetches, as they appear in a rule's or setting's parsed value. */
const HTX_SIZED = /(?<![\w.])(req\.len|req_len|res\.len)(?![\w.])/;

function checkHttpOnly(p: ProxyModel, diag: Diagnostics): void {
  if (p.mode === 'http') return;
  const side = p.cap.frontend ? 'frontend' : 'backend';
  for (const rs of ['http-request', 'http-response', 'http-after-response', 'redirect']) {
    if ((p.lists[rs]?.length ?? 0) > 0) {
      diag.warning('W_IGNORED', undefined, `'${rs}' rules ignored for ${side} '${p.name}' as they require HTTP mode.`);
    }
  }
  for (const opt of ['forwardfor', 'originalto', 'http-buffer-request']) {
    if (p.options[opt]?.enabled) {
      diag.warning('W_IGNORED', undefined, `'option ${opt}' ignored for ${side} '${p.name}' as it requires HTTP mode.`);
    }
  }
  const httplog = p.options['httplog'];
  if (p.cap.frontend && httplog?.enabled) {
    diag.warning('W_CONFIG', httplog.loc, `'option httplog' not usable with ${side} '${p.name}' (needs 'mode http'). Falling back to 'option tcplog'.`);
  }
}

function checkTimeouts(p: ProxyModel, diag: Diagnostics): void {
  const t = p.timeouts;
  const missing = (p.cap.frontend && !t['client']) || (p.cap.backend && (!t['connect'] || !t['server']));
  if (!missing) return;
  diag.warning('W_CONFIG', undefined, `missing timeouts for ${p.type === 'listen' ? 'proxy' : p.type} '${p.name}'.`, TIMEOUT_DETAIL);
}

/** A log-format inherited by several proxies is reported once, at its own line. */
function checkLogFormat(p: ProxyModel, diag: Diagnostics, reported: Set<string>): void {
  if (p.mode === 'http' || !p.cap.frontend) return;
  const lf = p.settings['log-format'];
  const v = lf?.value as { httpOnly?: string[] } | undefined;
  const first = v?.httpOnly?.[0];
  const key = lf ? `${lf.loc.file}:${lf.loc.line}` : '';
  if (!lf || !first || reported.has(key)) return;
  reported.add(key);
  diag.alert('E_BAD_ARG', lf.loc, httpOnlyMessage(first));
}
