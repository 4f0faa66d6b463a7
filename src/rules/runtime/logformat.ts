// Log-format strings (manual 8.2.4) compiled into `(txn) => string`. Two flavours, as HAProxy
// 2.6.12 behaves (recorded with http-request return lf-string / set-header and a log line):
//  - 'rule' (set-header, return lf-string, redirect location, use_backend %[...] ...): a
//    missing or empty sample prints nothing; %{+Q} does not quote samples (it does quote
//    aliases); %{+E} escapes '"', '\' and ']' with a backslash;
//  - 'log' (log lines): a missing or empty sample prints '-' ('""' with +Q), +Q quotes, +E
//    escapes as above.
// %{+X} only affects address and port aliases. %o sets the flags of every following node.

import { parseLogFormat, type LogNode } from '../../log/logformat.js';
import { RuleCompileError, type CompileCtx } from './context.js';
import { compileExpr } from './expr.js';
import { LOG_ALIAS_IMPLS, type AliasCtx } from './log-aliases.js';
import { toStr } from './sample.js';
import type { Txn } from './txn.js';

export type LogFormatFn = (txn: Txn, actx?: AliasCtx) => string;

function escapeE(s: string): string {
  return s.replace(/["\\\]]/g, (c) => `\\${c}`);
}

function mergeFlags(base: readonly string[], own: readonly string[]): Set<string> {
  const f = new Set<string>();
  for (const x of [...base, ...own]) {
    const name = x.slice(1);
    if (x[0] === '+') f.add(name);
    else f.delete(name);
  }
  return f;
}

type Part = string | ((txn: Txn, actx: AliasCtx) => string);

export function compileLogFormat(text: string, ctx: CompileCtx, mode: 'rule' | 'log' = 'rule'): LogFormatFn {
  const r = parseLogFormat(text, ctx.registries);
  if (!r.ok) throw new RuleCompileError(`failed to parse log-format '${text}' : ${r.error}`, ctx.loc);
  return compileNodes(r.nodes, ctx, mode);
}

export function compileNodes(nodes: readonly LogNode[], ctx: CompileCtx, mode: 'rule' | 'log'): LogFormatFn {
  const parts: Part[] = [];
  let defaults: readonly string[] = [];
  for (const n of nodes) {
    if (n.kind === 'text') {
      parts.push(n.text);
      continue;
    }
    if (n.kind === 'alias' && n.name === 'o') {
      defaults = n.flags;
      continue;
    }
    const flags = mergeFlags(defaults, n.flags);
    const quote = flags.has('Q');
    const esc = flags.has('E');
    if (n.kind === 'sample') {
      const e = compileExpr(n.expr, ctx);
      if (mode === 'rule') {
        parts.push((txn) => {
          const s = e.one(txn);
          const v = s ? toStr(s) ?? '' : '';
          return esc ? escapeE(v) : v;
        });
      } else {
        parts.push((txn) => {
          const s = e.one(txn);
          const v = s ? toStr(s) ?? '' : '';
          if (v === '') return quote ? '""' : '-';
          const t = esc ? escapeE(v) : v;
          return quote ? `"${t}"` : t;
        });
      }
      continue;
    }
    const impl = LOG_ALIAS_IMPLS[n.name];
    if (!impl) throw new RuleCompileError(`log-format variable '%${n.name}' is not implemented yet`, ctx.loc);
    const hex = flags.has('X');
    parts.push((txn, actx) => {
      const v = impl(txn, hex, actx) ?? '-';
      const t = esc ? escapeE(v) : v;
      return quote ? `"${t}"` : t;
    });
  }
  if (parts.every((p) => typeof p === 'string')) {
    const constant = (parts as string[]).join('');
    return () => constant;
  }
  const NO_CTX: AliasCtx = {};
  return (txn, actx = NO_CTX) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(txn, actx);
    return out;
  };
}
