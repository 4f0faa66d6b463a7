// From a backend's final ruleset (./ruleset.ts) to the closures a check session runs, once
// per server at start-up. HTTP requests are serialized the way HAProxy's H1 mux writes them
// (checked against haproxy 2.6.12): lower-case header names, `content-length` only with a
// body, `connection: close` added for HTTP/1.1 unless a Connection header was given.

import type { FinalRules } from './ruleset.js';
import { IMPLICIT_CONNECT } from './ruleset.js';
import type { ConnectSpec, HttpSendSpec, RuleSpec } from './spec.js';
import { httpExpect, tcpExpect, type ConnectRule, type Rule, type SendRule } from './rules.js';
import { ldapRules, mysqlRules, pgsqlRules, redisRules, smtpRules, sslHelloRules } from './protocols.js';

export interface CompiledCheck {
  readonly rules: readonly Rule[];
  /** `option tcp-check` (generic infos), as opposed to the default or a protocol check. */
  readonly tcpProto: boolean;
}

function connectRule(spec: ConnectSpec, index: number, implicit: boolean): ConnectRule {
  return {
    kind: 'connect',
    index,
    implicit,
    port: spec.port,
    addr: spec.addr,
    addrPort: spec.addrPort,
    linger: spec.linger,
    sendProxy: spec.sendProxy,
    serverDefaults: implicit || spec.default,
    comment: spec.comment,
  };
}

/** HTTP/1.1 or above (the request asks for a persistent connection by default). */
function isHttp11(ver: string): boolean {
  return (ver.length === 6 && ver[5] === '2') || (ver.length === 8 && (ver[5]! > '1' || (ver[5] === '1' && ver[7]! >= '1')));
}

export function httpRequest(spec: HttpSendSpec, stateHeader: (() => string) | null): { method: string; build: () => Buffer } {
  const method = spec.meth ?? 'OPTIONS';
  const ver = spec.ver ?? 'HTTP/1.0';
  const v11 = isHttp11(ver);
  const fixed: string[] = [];
  let connection = false;
  for (const [name, value] of spec.hdrs) {
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      connection = true;
      // The mux drops the token that is already the version's default.
      if (value.toLowerCase() === (v11 ? 'keep-alive' : 'close')) continue;
    }
    fixed.push(`${lower}: ${value}`);
  }
  const body = spec.body ?? '';
  const start = `${method} ${spec.uri ?? '/'} ${ver}\r\n`;
  const build = (): Buffer => {
    const lines = [...fixed];
    if (stateHeader) lines.push(`x-haproxy-server-state: ${stateHeader()}`);
    if (body !== '') lines.push(`content-length: ${Buffer.byteLength(body, 'latin1')}`);
    if (!connection && v11) lines.push('connection: close');
    return Buffer.from(`${start}${lines.map((l) => `${l}\r\n`).join('')}\r\n${body}`, 'latin1');
  };
  // Without `send-state` the request never changes: built once, shared by every run (the
  // buffer is only ever read).
  if (!stateHeader) {
    const once = build();
    return { method, build: () => once };
  }
  return { method, build };
}

function compileSpec(spec: RuleSpec, index: number, http: boolean, stateHeader: (() => string) | null): Rule | null {
  switch (spec.action) {
    case 'connect':
      return connectRule(spec, index, false);
    case 'send': {
      if (spec.type === 'http') {
        const req = httpRequest(spec, stateHeader);
        return { kind: 'send', index, comment: spec.comment, method: req.method, build: req.build } satisfies SendRule;
      }
      const data = Buffer.from(spec.data, 'latin1');
      return { kind: 'send', index, comment: spec.comment, method: null, ...(data.length === 0 ? { empty: true as const } : {}), build: () => data } satisfies SendRule;
    }
    case 'expect':
      return http ? httpExpect(spec, index) : tcpExpect(spec, index);
    case 'comment':
      return null;
  }
}

/** The rules one server's health check runs; `stateHeader` serves `http-check send-state`. */
export function compileCheck(final: FinalRules, stateHeader: () => string): CompiledCheck {
  let rules: Rule[];
  switch (final.kind) {
    case 'tcp':
    case 'http':
      rules = final.rules.flatMap((e) => compileSpec(e.spec, e.index, final.kind === 'http', final.sendState ? stateHeader : null) ?? []);
      break;
    case 'redis':
      rules = redisRules();
      break;
    case 'ssl-hello':
      rules = sslHelloRules();
      break;
    case 'smtp':
      rules = smtpRules(final.params);
      break;
    case 'pgsql':
      rules = pgsqlRules(final.params);
      break;
    case 'mysql':
      rules = mysqlRules(final.params);
      break;
    case 'ldap':
      rules = ldapRules();
      break;
    default:
      rules = [];
  }
  if (rules[0]?.kind !== 'connect') rules.unshift(connectRule(IMPLICIT_CONNECT, 0, true));
  return { rules, tcpProto: final.kind === 'tcp' };
}
