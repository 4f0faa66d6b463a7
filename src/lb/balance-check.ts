// What HAProxy checks about `balance` once the whole configuration is read (its
// check_config_validity), with haproxy 2.6.12's words, plus what Switchyard refuses:
//  - uri, url_param and hdr() need HTTP: in a TCP proxy HAProxy warns and balances by
//    round robin instead, so the model's value is replaced (on this proxy only: the
//    directive may be shared with a defaults section);
//  - `balance hash <expr>`: the expression must parse, and its fetch must be usable at
//    server selection; Switchyard also refuses pending fetches or converters, 'proc.'
//    variables (the rules' process-wide variables are not reachable from the balancer),
//    and hash in TCP mode (the TCP path does not evaluate sample expressions yet).
// (`url_param ... check_post` is accepted: HAProxy 2.6 looks in a POST's body either way.)

import type { Diagnostics } from '../config/diag.js';
import type { ProxyModel } from '../config/model.js';
import { notImplemented, pending, statusLabel } from '../config/status.js';
import type { Registries } from '../features.js';
import { fetchAvailable, fetchUnavailableMessage } from '../rules/contexts.js';
import { findFetch } from '../rules/catalog/fetches.js';
import { RuleCompileError } from '../rules/runtime/context.js';
import { parseSampleExpr } from '../rules/sample-expr.js';
import { compileHashExpr, hashExprText } from './hash-expr.js';

const L7: ReadonlySet<string> = new Set(['uri', 'url_param', 'hdr']);

/** HAProxy's proxy_type_str(): a listen section is a 'proxy'. */
const typeWord = (p: ProxyModel): string => (p.type === 'listen' ? 'proxy' : p.type);

export function checkBalance(p: ProxyModel, diag: Diagnostics, reg: Registries): void {
  const d = p.settings['balance'];
  const spec = d?.value as { readonly algorithm?: unknown; readonly [k: string]: unknown } | null | undefined;
  if (!d || !spec || p.type === 'defaults') return;
  const alg = spec.algorithm;
  if (typeof alg !== 'string') return;

  if (L7.has(alg) && p.mode !== 'http') {
    diag.warning('W_CONFIG', undefined, `Layer 7 hash not possible for ${typeWord(p)} '${p.name}' (needs 'mode http'). Falling back to round robin.`);
    p.settings['balance'] = { ...d, value: { algorithm: 'roundrobin' } };
    return;
  }
  if (alg === 'hash') checkHashExpr(p, hashExprText(spec), diag, reg);
}

function checkHashExpr(p: ProxyModel, text: string, diag: Diagnostics, reg: Registries): void {
  const where = `${typeWord(p)} '${p.name}' [${p.loc.file}:${p.loc.line}]`;
  const r = parseSampleExpr(text, reg);
  if (!r.ok) {
    diag.alert('E_BAD_ARG', undefined, `${where}: failed to parse 'balance hash' expression '${text}' in : ${r.error}.`);
    return;
  }
  const fetch = findFetch(r.expr.fetch.name);
  if (fetch && !fetchAvailable(fetch, ['BE_SET_SRV'])) {
    const m = fetchUnavailableMessage({ kind: 'balance-hash', expr: text }, fetch, ['BE_SET_SRV']);
    diag.alert('E_BAD_ARG', undefined, `${where}: ${m.message}`);
    return;
  }
  const loc = p.settings['balance']!.loc;
  let refused = false;
  for (const u of r.pending) {
    diag.alert('E_NOT_IMPLEMENTED', loc, `'balance hash' : ${u.what} is not implemented yet (${statusLabel(u.status)}).`);
    refused = true;
  }
  const calls = [r.expr.fetch, ...r.expr.converters];
  if (calls.some((c) => c.args.some((a) => a.startsWith('proc.')))) {
    diag.alert('E_NOT_IMPLEMENTED', loc, notImplemented(`'balance hash' reading a 'proc.' variable`, pending('rules')));
    refused = true;
  }
  if (p.mode !== 'http') {
    diag.alert('E_NOT_IMPLEMENTED', loc, notImplemented(`'balance hash' in a TCP-mode proxy`, pending('data-plane')));
    refused = true;
  }
  if (refused) return;
  try {
    compileHashExpr(text, p);
  } catch (e) {
    if (!(e instanceof RuleCompileError)) throw e;
    diag.alert('E_BAD_ARG', undefined, `${where}: failed to parse 'balance hash' expression '${text}' in : ${e.message.replace(/\.+$/, '')}.`);
  }
}
