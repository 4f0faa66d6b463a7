// Content switching (manual 4.2 use_backend, default_backend, use-server):
//  - use_backend rules are tried in order; the first whose condition holds names the
//    backend. A name is a log-format string: when it is only text it is a static name, else
//    it is evaluated per request, and when the result names no backend (or nothing), no
//    further use_backend rule is tried and default_backend applies;
//  - without a match: default_backend, else the proxy itself when it is a backend (listen),
//    else null (no backend: HAProxy answers 503);
//  - use-server rules: the first matching rule whose server is up (or any state with
//    `option persist`) wins; a dynamic name naming no server stops the rules (load balancing
//    applies: null).

import type { Condition } from '../acl.js';
import { parseLogFormat } from '../../log/logformat.js';
import { RuleCompileError, type CompileCtx } from './context.js';
import { compileCondition, type AclResolver, type Predicate } from './acl.js';
import { compileNodes, type LogFormatFn } from './logformat.js';
import type { Txn } from './txn.js';

/** A static name, or a log-format to evaluate. */
function nameOf(text: string, ctx: CompileCtx): string | LogFormatFn {
  const r = parseLogFormat(text, ctx.registries);
  if (!r.ok) throw new RuleCompileError(`failed to parse log-format '${text}' : ${r.error}`, ctx.loc);
  if (r.nodes.every((n) => n.kind === 'text')) return r.nodes.map((n) => (n.kind === 'text' ? n.text : '')).join('');
  return compileNodes(r.nodes, ctx, 'rule');
}

export function compileUseBackend(ctx: CompileCtx, acls: AclResolver): (txn: Txn) => string | null {
  const p = ctx.proxy;
  const rules: { cond: Predicate; name: string | LogFormatFn }[] = [];
  for (const d of p.lists['use_backend'] ?? []) {
    const v = d.value as { backend?: string; cond?: unknown } | null;
    if (!v || typeof v.backend !== 'string') continue;
    const c = { ...ctx, loc: d.loc };
    rules.push({ cond: compileCondition(v.cond as Condition | null, c, acls), name: nameOf(v.backend, c) });
  }
  const def = p.settings['default_backend']?.value;
  const fallback = typeof def === 'string' ? def : p.cap.backend ? p.name : null;
  const backends = ctx.backends;
  return (txn) => {
    for (const r of rules) {
      if (!r.cond(txn)) continue;
      if (typeof r.name === 'string') return r.name;
      const n = r.name(txn);
      if (n !== '' && backends.has(n)) return n;
      break;
    }
    return fallback;
  };
}

export function compileUseServer(ctx: CompileCtx, acls: AclResolver): (txn: Txn) => string | null {
  const p = ctx.proxy;
  const servers = new Set(p.servers.map((s) => s.name));
  const persist = p.options['persist']?.enabled === true;
  const rules: { cond: Predicate; name: string | LogFormatFn }[] = [];
  for (const d of p.lists['use-server'] ?? []) {
    const v = d.value as { server?: string; cond?: unknown } | null;
    if (!v || typeof v.server !== 'string') continue;
    const c = { ...ctx, loc: d.loc };
    const name = nameOf(v.server, c);
    if (typeof name === 'string' && !servers.has(name)) {
      throw new RuleCompileError(`unable to find server '${name}' referenced in a 'use-server' rule`, d.loc);
    }
    rules.push({ cond: compileCondition(v.cond as Condition | null, c, acls), name });
  }
  if (rules.length === 0) return () => null;
  return (txn) => {
    for (const r of rules) {
      if (!r.cond(txn)) continue;
      let n: string;
      if (typeof r.name === 'string') n = r.name;
      else {
        n = r.name(txn);
        if (!servers.has(n)) return null;
      }
      if (persist || txn.state.serverIsUp(p.name, n)) return n;
    }
    return null;
  };
}
