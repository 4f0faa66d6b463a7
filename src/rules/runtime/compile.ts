// Compile one proxy's rules from the plain configuration model into closures, once per worker.
// The session sequences the proxies (HAProxy: frontend http-request rules, then the backend's;
// http-response: backend then frontend); each list here is one proxy's, defaults' rules first.
//
// Order inside a proxy (manual 4.2 and haproxy 2.6.12's own warning "a 'http-request' rule
// placed after a 'redirect' rule will still be processed before"): http-request rules, then
// the legacy `redirect` rules (also after an `allow`), then use_backend (frontends) and
// use-server (backends).

import type { ConfigModel, Directive, ProxyModel } from '../../config/model.js';
import { installFeatures } from '../../features.js';
import { RuleCompileError, type CompileCtx } from './context.js';
import { AclResolver } from './acl.js';
import { compileHttpRule, compileRedirect, type HttpRuleSet, type RedirectSpec, type RuleData, type RuleFn } from './actions-http.js';
import { compileTcpRule, type TcpRuleFn } from './actions-tcp.js';
import { compileCondition } from './acl.js';
import { proxyErrorFiles, type ReplyFn } from './reply.js';
import { compileUseBackend, compileUseServer } from './switching.js';
import { CONTINUE, type TcpVerdict, type Verdict } from './verdict.js';
import type { Condition } from '../acl.js';
import type { Sample } from './sample.js';
import type { Txn } from './txn.js';

export interface CompileEnv {
  /** Directory relative file names (maps, -f patterns, errorfiles, reply files) resolve from. */
  readonly baseDir: string;
  /** The whole configuration: backend names for dynamic use_backend, http-errors sections. */
  readonly config?: ConfigModel;
  /** 'proc.' variables shared by the proxies compiled with the same map (one per worker). */
  readonly procVars?: Map<string, Sample>;
}

export interface CompiledProxyRules {
  /** http-request rules, then legacy `redirect` rules (the latter skipped once a final verdict). */
  httpRequest(txn: Txn): Verdict;
  httpResponse(txn: Txn): Verdict;
  httpAfterResponse(txn: Txn): Verdict;
  tcpRequestConnection(txn: Txn): TcpVerdict;
  tcpRequestSession(txn: Txn): TcpVerdict;
  tcpRequestContent(txn: Txn): TcpVerdict;
  tcpResponseContent(txn: Txn): TcpVerdict;
  /** Backend for this frontend/listen: a use_backend match, else default_backend, else the
   * proxy itself when it has the backend capability, else null. */
  useBackend(txn: Txn): string | null;
  /** Server a use-server rule forces, or null (load balancing). */
  useServer(txn: Txn): string | null;
  /** `monitor fail` conditions: true when one holds (the monitor-uri answer is then a 503). */
  monitorFail(txn: Txn): boolean;
  /** The proxy's own error replies by status (errorfile, errorfiles, errorloc*, http-error). */
  readonly errorReplies: ReadonlyMap<number, ReplyFn>;
  /** Whether each list has rules (the session can skip work). */
  readonly has: Readonly<Record<'httpRequest' | 'httpResponse' | 'httpAfterResponse' | 'tcpRequestConnection' | 'tcpRequestSession' | 'tcpRequestContent' | 'tcpResponseContent' | 'useServer', boolean>>;
}

const sharedProcVars = new Map<string, Sample>();

function ruleData(d: Directive): RuleData {
  const v = d.value as { action?: string; args?: unknown; cond?: unknown } | null;
  if (!v || typeof v.action !== 'string') throw new RuleCompileError(`malformed rule '${d.args.join(' ')}'`, d.loc);
  return v as unknown as RuleData;
}

function withLoc<T>(d: Directive, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RuleCompileError && !e.loc && !e.placed) throw new RuleCompileError(e.message, d.loc);
    throw e;
  }
}

function runHttp(rules: readonly RuleFn[]): (txn: Txn) => Verdict {
  if (rules.length === 0) return () => CONTINUE;
  return (txn) => {
    for (const r of rules) {
      const v = r(txn);
      if (v) return v;
    }
    return CONTINUE;
  };
}

function runTcp(rules: readonly TcpRuleFn[]): (txn: Txn) => TcpVerdict {
  const cont: TcpVerdict = { kind: 'continue' };
  if (rules.length === 0) return () => cont;
  return (txn) => {
    for (const r of rules) {
      const v = r(txn);
      if (v) return v;
    }
    return cont;
  };
}

/** Compile a proxy's rules. Throws RuleCompileError (with the directive's location) for what
 * only compiling can check: regexes, pattern/map/reply files, patterns. */
export function compileProxyRules(proxy: ProxyModel, env: CompileEnv): CompiledProxyRules {
  const registries = installFeatures();
  const backends = new Set((env.config?.proxies ?? []).filter((p) => p.cap.backend).map((p) => p.name));
  const base: CompileCtx = {
    proxy,
    dir: 'req',
    baseDir: env.baseDir,
    registries,
    procVars: env.procVars ?? sharedProcVars,
    files: new Map(),
    backends,
  };
  const acls = new AclResolver(base);
  const errorFiles = proxyErrorFiles(proxy, env.config, base);
  const ruleEnv = { acls, errorFiles, config: env.config };

  const http = (rs: HttpRuleSet): RuleFn[] =>
    (proxy.lists[rs] ?? []).map((d) =>
      withLoc(d, () => compileHttpRule(rs, ruleData(d), { ...base, dir: rs === 'http-request' ? 'req' : 'res', loc: d.loc }, ruleEnv)),
    );
  const tcp = (rs: string, dir: 'req' | 'res'): TcpRuleFn[] =>
    (proxy.lists[rs] ?? []).map((d) => withLoc(d, () => compileTcpRule(rs, ruleData(d), { ...base, dir, loc: d.loc }, acls)));

  const reqRules = http('http-request');
  const redirects: RuleFn[] = (proxy.lists['redirect'] ?? []).map((d) =>
    withLoc(d, () => {
      const v = d.value as { redirect?: unknown; cond?: unknown } | null;
      const ctx = { ...base, loc: d.loc };
      const cond = compileCondition((v?.cond ?? null) as Condition | null, ctx, acls);
      const r = compileRedirect((v?.redirect ?? {}) as RedirectSpec, ctx, true);
      return (txn: Txn) => (cond(txn) ? r(txn) : null);
    }),
  );
  const runReq = runHttp(reqRules);
  const runRedirects = runHttp(redirects);
  const httpRequest =
    redirects.length === 0
      ? runReq
      : (txn: Txn): Verdict => {
          const v = runReq(txn);
          if (v.kind !== 'continue' && v.kind !== 'allow') return v;
          const r = runRedirects(txn);
          return r.kind === 'continue' ? v : r;
        };
  const resRules = http('http-response');
  const afterRules = http('http-after-response');
  const tcpConn = tcp('tcp-request connection', 'req');
  const tcpSess = tcp('tcp-request session', 'req');
  const tcpContent = tcp('tcp-request content', 'req');
  const tcpRes = tcp('tcp-response content', 'res');
  const useBackend = proxy.cap.frontend ? compileUseBackend(base, acls) : () => (proxy.cap.backend ? proxy.name : null);
  const useServer = proxy.cap.backend ? compileUseServer(base, acls) : () => null;
  const monitorConds = (proxy.lists['monitor'] ?? []).map((d) =>
    withLoc(d, () => {
      const v = d.value as { cond?: unknown; polarity?: unknown } | null;
      // `monitor fail if|unless` with nothing after: an empty condition, which is false.
      if (!v?.cond) return v?.polarity === 'unless' ? () => true : () => false;
      return compileCondition(v.cond as Condition, { ...base, loc: d.loc }, acls);
    }),
  );
  return {
    httpRequest,
    httpResponse: runHttp(resRules),
    httpAfterResponse: runHttp(afterRules),
    tcpRequestConnection: runTcp(tcpConn),
    tcpRequestSession: runTcp(tcpSess),
    tcpRequestContent: runTcp(tcpContent),
    tcpResponseContent: runTcp(tcpRes),
    useBackend,
    useServer,
    monitorFail: (txn) => monitorConds.some((c) => c(txn)),
    errorReplies: errorFiles,
    has: {
      httpRequest: reqRules.length + redirects.length > 0,
      httpResponse: resRules.length > 0,
      httpAfterResponse: afterRules.length > 0,
      tcpRequestConnection: tcpConn.length > 0,
      tcpRequestSession: tcpSess.length > 0,
      tcpRequestContent: tcpContent.length > 0,
      tcpResponseContent: tcpRes.length > 0,
      useServer: (proxy.lists['use-server'] ?? []).length > 0,
    },
  };
}
