// `balance hash <expr>`: the sample expression, parsed and compiled with the rules runtime
// (src/rules/runtime) the same way at load (./balance-check.ts, so a bad expression or a
// missing map file is an alert with its line) and in each worker (src/http/balance-key.ts).
// The expression runs where HAProxy runs it: at server selection, after the backend's
// http-request rules (checkpoint BE_SET_SRV).

import type { ProxyModel } from '../config/model.js';
import { newProxy } from '../config/parser.js';
import { installFeatures } from '../features.js';
import { parseSampleExpr, type ExprResult } from '../rules/sample-expr.js';
import { compileExpr, type CompiledExpr } from '../rules/runtime/expr.js';
import { RuleCompileError, type CompileCtx } from '../rules/runtime/context.js';

/** The expression text of a `balance hash` spec (the parser keeps it as one word). */
export function hashExprText(spec: { readonly [k: string]: unknown }): string {
  return typeof spec['expr'] === 'string' ? spec['expr'] : '';
}

export function parseHashExpr(text: string): ExprResult {
  return parseSampleExpr(text, installFeatures());
}

/**
 * Compile the expression for backend `proxy` (a model, or only the backend's name in a
 * worker: a hash expression reads nothing else of the proxy than its name). Throws
 * RuleCompileError like the rules compiler (bad pattern, missing map file).
 */
export function compileHashExpr(text: string, proxy: ProxyModel | string, baseDir = process.cwd()): CompiledExpr {
  const r = parseHashExpr(text);
  if (!r.ok) throw new RuleCompileError(r.error);
  const ctx: CompileCtx = {
    proxy: typeof proxy === 'string' ? newProxy('backend', proxy, { file: '', line: 0 }, undefined) : proxy,
    dir: 'req',
    baseDir,
    registries: installFeatures(),
    // 'proc.' variables are refused in hash expressions (./balance-check.ts): this map stays empty.
    procVars: new Map(),
    files: new Map(),
    backends: new Set(),
  };
  return compileExpr(r.expr, ctx);
}
