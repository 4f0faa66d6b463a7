// Which check a backend runs, and with which rules: HAProxy 2.6 assembles a proxy's ruleset
// from `option httpchk|tcp-check|mysql-check|...`, `tcp-check ...` and `http-check ...` lines
// in declaration order, inheriting the defaults section's choice (tcpcheck.c). This replays
// that assembly over the config model: the keyword parsers use it to report HAProxy's
// ordering errors at the right line, and the check runner to get the final rules.

import type { ConfigModel, Json, ProxyModel } from '../config/model.js';
import type { Loc } from '../config/diag.js';
import { expectSpec, type ConnectSpec, type HttpSendSpec, type RuleSpec } from './spec.js';

export type CheckKind = 'none' | 'tcp' | 'http' | 'mysql' | 'pgsql' | 'redis' | 'smtp' | 'ldap' | 'ssl-hello' | 'external' | 'spop';

/** `option NAME` → the check it selects. */
export const CHECK_OPTIONS: Readonly<Record<string, CheckKind>> = {
  httpchk: 'http',
  'tcp-check': 'tcp',
  'mysql-check': 'mysql',
  'pgsql-check': 'pgsql',
  'redis-check': 'redis',
  smtpchk: 'smtp',
  'ldap-check': 'ldap',
  'ssl-hello-chk': 'ssl-hello',
  'external-check': 'external',
  'spop-check': 'spop',
};

/** One rule of a ruleset, with HAProxy's step index (comments count; implicit rules do not). */
export interface Entry {
  spec: RuleSpec;
  index: number;
  /** The request of `option httpchk`, merged into the first `http-check send` if any. */
  fromOption: boolean;
}

export interface CheckSetup {
  kind: CheckKind;
  /** tcp/http: the ruleset in use (shared with the defaults section when inherited). */
  rules: Entry[] | null;
  /** The builtin option's arguments (mysql user, smtp EHLO ...). */
  params: Json;
  disableOn404: boolean;
  sendState: boolean;
  /** Rules declared for a check type the proxy does not use (HAProxy warns they are ignored). */
  unusedTcp: boolean;
  unusedHttp: boolean;
  ownTcp: Entry[] | null;
  ownHttp: Entry[] | null;
  /** The defaults section's own tcp-check ruleset (what `option tcp-check` falls back to). */
  parentTcp: Entry[] | null;
}

export type CheckEvent =
  | { readonly kind: 'option'; readonly name: string; readonly value: Json; readonly loc: Loc }
  | { readonly kind: 'rule'; readonly family: 'tcp-check' | 'http-check'; readonly spec: RuleSpec; readonly loc: Loc }
  | { readonly kind: 'flag'; readonly name: 'disable-on-404' | 'send-state'; readonly loc: Loc };

export function emptySetup(): CheckSetup {
  return {
    kind: 'none',
    rules: null,
    params: null,
    disableOn404: false,
    sendState: false,
    unusedTcp: false,
    unusedHttp: false,
    ownTcp: null,
    ownHttp: null,
    parentTcp: null,
  };
}

function inherit(parent: CheckSetup): CheckSetup {
  return { ...emptySetup(), kind: parent.kind, rules: parent.rules, params: parent.params, disableOn404: parent.disableOn404, sendState: parent.sendState, parentTcp: parent.ownTcp };
}

const CONNECT_FIRST =
  "first step MUST also be a 'connect', optionally preceded by a 'set-var', an 'unset-var' or a 'comment', when there is a 'connect' step in the tcp-check ruleset";

/** A connect rule is only valid when every rule before it is a comment (or the option's request). */
function connectError(list: readonly Entry[] | null): string | null {
  for (const e of list ?? []) {
    if (e.spec.action === 'connect') return null;
    if (e.spec.action === 'comment' || e.fromOption) continue;
    return CONNECT_FIRST;
  }
  return null;
}

const isImplicitSend = (e: Entry | undefined): boolean => e !== undefined && e.spec.action === 'send' && e.fromOption;
const lastRule = (l: readonly Entry[]): Entry | undefined => [...l].reverse().find((e) => e.spec.action !== 'comment');
const firstRule = (l: readonly Entry[]): Entry | undefined => l.find((e) => e.spec.action !== 'comment');

/** tcpcheck_overwrite_send_http_rule: the new request's fields replace the old one's. */
function mergeSend(old: HttpSendSpec, add: HttpSendSpec): HttpSendSpec {
  return {
    ...old,
    meth: add.meth ?? old.meth,
    uri: add.uri ?? old.uri,
    ver: add.ver ?? old.ver,
    hdrs: add.hdrs,
    body: add.body ?? old.body,
  };
}

/** tcpcheck_add_http_rule: HTTP rules must alternate connect → send → expect. */
function addHttpRule(e: Entry, list: Entry[]): string | null {
  if (e.spec.action === 'send' && e.fromOption) {
    let r = firstRule(list);
    if (r && r.spec.action === 'connect') r = list.slice(list.indexOf(r) + 1).find((x) => x.spec.action !== 'comment');
    if (!r || r.spec.action !== 'send') list.unshift(e);
    else if (r.fromOption) list.splice(list.indexOf(r), 1, e);
    else r.spec = mergeSend(r.spec as HttpSendSpec, e.spec as HttpSendSpec);
    return null;
  }
  const r = lastRule(list);
  const act = e.spec.action;
  if (r && !isImplicitSend(r)) {
    if (r.spec.action !== 'connect' && act === 'send') return `unable to add http-check send rule at step ${e.index + 1} (missing connect rule).`;
    if (r.spec.action !== 'send' && r.spec.action !== 'expect' && act === 'expect') {
      return `unable to add http-check expect rule at step ${e.index + 1} (missing send rule).`;
    }
    if (r.spec.action !== 'expect' && act === 'connect') return `unable to add http-check connect rule at step ${e.index + 1} (missing expect rule).`;
  }
  if (act === 'send') {
    const first = firstRule(list);
    if (first && isImplicitSend(first)) {
      // The option's request absorbs this one and moves here, keeping its own index.
      first.spec = mergeSend(first.spec as HttpSendSpec, e.spec as HttpSendSpec);
      first.fromOption = false;
      list.splice(list.indexOf(first), 1);
      list.push(first);
      return null;
    }
  }
  list.push(e);
  return null;
}

/** `option httpchk [METH] [URI] [VER]` with HAProxy's legacy "VER\r\nHeader: v\r\n\r\nbody". */
export function httpchkRequest(value: Json): HttpSendSpec {
  const v = (value ?? {}) as { method?: string; uri?: string; version?: string; explicit?: boolean[] };
  let ver: string | null = v.version ?? null;
  const hdrs: [string, string][] = [];
  let body: string | null = null;
  if (ver !== null) {
    const bodyAt = ver.indexOf('\r\n\r\n');
    const hdrAt = ver.indexOf('\r\n');
    let head = ver;
    if (bodyAt >= 0) {
      body = ver.slice(bodyAt + 4);
      head = ver.slice(0, bodyAt);
    }
    if (hdrAt >= 0 && hdrAt !== bodyAt) {
      for (const line of head.slice(hdrAt + 2).split('\r\n')) {
        const c = line.indexOf(':');
        if (c > 0) hdrs.push([line.slice(0, c).trim(), line.slice(c + 1).trim()]);
      }
    }
    ver = ver.slice(0, hdrAt >= 0 ? hdrAt : ver.length);
  }
  return { action: 'send', type: 'http', meth: v.method ?? null, uri: v.uri ?? null, ver, hdrs, body, comment: null };
}

/** Apply one event in declaration order; returns HAProxy's error text for a refused rule. */
export function applyEvent(s: CheckSetup, ev: CheckEvent): string | null {
  if (ev.kind === 'flag') {
    if (ev.name === 'disable-on-404') s.disableOn404 = true;
    else s.sendState = true;
    return null;
  }
  if (ev.kind === 'option') {
    const kind = CHECK_OPTIONS[ev.name];
    if (!kind) return null;
    if (kind === 'http') {
      s.kind = 'http';
      s.ownHttp ??= [];
      s.rules = s.ownHttp;
      s.unusedHttp = s.unusedTcp = false;
      return addHttpRule({ spec: httpchkRequest(ev.value), index: 0, fromOption: true }, s.rules);
    }
    if (kind === 'tcp') {
      if (s.kind === 'tcp') {
        if (s.rules) return null;
        if (!s.unusedTcp && s.parentTcp) {
          s.rules = s.parentTcp;
          s.unusedHttp = s.unusedTcp = false;
          return null;
        }
      }
      s.kind = 'tcp';
      s.ownTcp ??= [];
      s.rules = s.ownTcp;
      s.unusedHttp = s.unusedTcp = false;
      return null;
    }
    s.kind = kind;
    s.rules = null;
    s.params = ev.value;
    s.unusedHttp = s.unusedTcp = false;
    return null;
  }
  if (ev.family === 'tcp-check') {
    if (ev.spec.action === 'connect') {
      const err = connectError(s.ownTcp);
      if (err) return err;
    }
    const own = (s.ownTcp ??= []);
    const last = own[own.length - 1];
    own.push({ spec: ev.spec, index: last ? last.index + 1 : 0, fromOption: false });
    if (s.kind === 'tcp') {
      s.rules = own;
      s.unusedTcp = false;
    } else s.unusedTcp = true;
    return null;
  }
  if (ev.spec.action === 'connect') {
    const err = connectError(s.ownHttp);
    if (err) return err;
  }
  const last = s.ownHttp?.[s.ownHttp.length - 1];
  const entry: Entry = { spec: ev.spec, index: last && !isImplicitSend(last) ? last.index + 1 : 0, fromOption: false };
  if (s.kind === 'http') {
    s.ownHttp ??= [];
    s.rules = s.ownHttp;
    s.unusedHttp = false;
    return addHttpRule(entry, s.ownHttp);
  }
  (s.ownHttp ??= []).push(entry);
  s.unusedHttp = true;
  return null;
}

function locKey(model: ConfigModel, loc: Loc): number {
  const f = model.files.indexOf(loc.file);
  return (f < 0 ? model.files.length : f) * 1e9 + loc.line;
}

/** The check-related lines a proxy declares itself (inherited ones come from its defaults). */
export function ownEvents(model: ConfigModel, p: ProxyModel): CheckEvent[] {
  const start = locKey(model, p.loc);
  const own = (loc: Loc): boolean => locKey(model, loc) > start;
  const out: CheckEvent[] = [];
  for (const [key, dirs] of Object.entries(p.lists)) {
    const family = key.startsWith('tcp-check ') ? 'tcp-check' : key.startsWith('http-check ') ? 'http-check' : null;
    if (!family) continue;
    for (const d of dirs) {
      if (!own(d.loc)) continue;
      if (key === 'http-check disable-on-404' || key === 'http-check send-state') {
        out.push({ kind: 'flag', name: key === 'http-check disable-on-404' ? 'disable-on-404' : 'send-state', loc: d.loc });
      } else if (d.value !== null && typeof d.value === 'object' && !Array.isArray(d.value) && typeof d.value['action'] === 'string') {
        out.push({ kind: 'rule', family, spec: d.value as RuleSpec, loc: d.loc });
      }
    }
  }
  for (const name of Object.keys(CHECK_OPTIONS)) {
    const o = p.options[name];
    if (!o || !o.enabled || !own(o.loc)) continue;
    out.push({ kind: 'option', name, value: p.settings[`option ${name}`]?.value ?? null, loc: o.loc });
  }
  return out.sort((a, b) => locKey(model, a.loc) - locKey(model, b.loc));
}

/** The defaults section a proxy inherited from: the last one of that name declared before it. */
export function parentOf(model: ConfigModel, p: ProxyModel): ProxyModel | undefined {
  if (p.from === null) return undefined;
  const at = locKey(model, p.loc);
  let found: ProxyModel | undefined;
  for (const d of model.defaults) if (d.name === p.from && locKey(model, d.loc) < at && d !== p) found = d;
  return found;
}

/** Replay a proxy's check lines (after its defaults'), optionally stopping before `until`. */
export function setupOf(model: ConfigModel, p: ProxyModel, until?: Loc): CheckSetup {
  const parent = parentOf(model, p);
  const s = parent ? inherit(setupOf(model, parent)) : emptySetup();
  const stop = until ? locKey(model, until) : Infinity;
  for (const ev of ownEvents(model, p)) {
    if (locKey(model, ev.loc) >= stop) break;
    applyEvent(s, ev);
  }
  return s;
}

export interface FinalRules {
  readonly kind: CheckKind;
  readonly rules: readonly Entry[];
  readonly params: Json;
  readonly disableOn404: boolean;
  readonly sendState: boolean;
}

/**
 * check_proxy_tcpcheck: the option's request moves after a leading connect, an HTTP ruleset
 * ending on a send gets `expect status 200-399`, a ruleset not starting with a connect gets an
 * implicit one (step 0), and comments are folded into the rules that follow them.
 */
export function finalize(s: CheckSetup): FinalRules {
  const kind = s.kind;
  const out: Entry[] = (s.rules ?? []).map((e) => ({ ...e }));
  if (kind === 'http') {
    const first = firstRule(out);
    if (first && isImplicitSend(first)) {
      const next = out.slice(out.indexOf(first) + 1).find((x) => x.spec.action !== 'comment');
      if (next && next.spec.action === 'connect') {
        out.splice(out.indexOf(first), 1);
        out.splice(out.indexOf(next) + 1, 0, { ...first, index: next.index + 1 });
      }
    }
    const last = lastRule(out);
    if (last && last.spec.action === 'send') {
      out.push({ spec: expectSpec({ type: 'status', pattern: '200-399' }), index: last.index + 1, fromOption: false });
    }
  }
  const folded: Entry[] = [];
  let comment: string | null = null;
  let prev = 'comment';
  for (const e of out) {
    if (e.spec.action !== prev && prev !== 'comment') comment = null;
    prev = e.spec.action;
    if (e.spec.action === 'comment') {
      comment = e.spec.comment;
      continue;
    }
    if (comment !== null && e.spec.comment === null) e.spec = { ...e.spec, comment } as RuleSpec;
    if (e.spec.action === 'connect') comment = null;
    folded.push(e);
  }
  return { kind, rules: folded, params: s.params, disableOn404: s.disableOn404 && kind === 'http', sendState: s.sendState && kind === 'http' };
}

/** The implicit first connect HAProxy adds when a ruleset does not start with one. */
export const IMPLICIT_CONNECT: ConnectSpec = { action: 'connect', port: null, addr: null, addrPort: null, sendProxy: false, default: true, linger: false, comment: null };
