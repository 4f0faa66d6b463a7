// Sample expressions (`fetch(args),conv1(args),...`) compiled into closures. In an expression a
// fetch gives one value; an ACL iterates over every value (`all`), each going through the
// converters. Between steps the value is cast to the converter's input type (catalog `in`).

import type { SampleType } from '../types.js';
import type { SampleExpr } from '../sample-expr.js';
import { findConverter } from '../catalog/converters.js';
import { findFetch } from '../catalog/fetches.js';
import { RuleCompileError, type CompileCtx, type ConverterFn } from './context.js';
import { FETCH_IMPLS } from './fetch-table.js';
import { CONVERTER_IMPLS } from './converters.js';
import { cast, type Sample } from './sample.js';
import type { Txn } from './txn.js';

export interface CompiledExpr {
  /** Output type after the last converter (the catalog's). */
  readonly out: SampleType;
  one(txn: Txn): Sample | null;
  all(txn: Txn): Sample[];
}

interface Step {
  readonly input: SampleType;
  readonly fn: ConverterFn;
}

function wrap(ctx: CompileCtx, what: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (e instanceof RuleCompileError) throw new RuleCompileError(`${what} : ${e.message}`, e.loc ?? ctx.loc);
    throw e;
  }
}

export function compileExpr(expr: SampleExpr, ctx: CompileCtx): CompiledExpr {
  const fdef = findFetch(expr.fetch.name);
  const impl = FETCH_IMPLS[expr.fetch.name];
  if (!fdef || !impl) throw new RuleCompileError(`fetch '${expr.fetch.name}' is not implemented yet`, ctx.loc);
  let fetch!: ReturnType<typeof impl>;
  wrap(ctx, `fetch '${expr.fetch.name}'`, () => {
    fetch = impl(expr.fetch.args, ctx);
  });
  let out: SampleType = fdef.out;
  const steps: Step[] = [];
  for (const c of expr.converters) {
    const cdef = findConverter(c.name);
    const cimpl = CONVERTER_IMPLS[c.name];
    if (!cdef || !cimpl) throw new RuleCompileError(`converter '${c.name}' is not implemented yet`, ctx.loc);
    wrap(ctx, `converter '${c.name}'`, () => {
      steps.push({ input: cdef.in, fn: cimpl(c.args, ctx) });
    });
    out = cdef.out;
  }
  const convert = (s: Sample, txn: Txn): Sample | null => {
    let v: Sample | null = s;
    for (const st of steps) {
      const c = cast(v, st.input);
      if (!c) return null;
      v = st.fn(c, txn);
      if (!v) return null;
    }
    return v;
  };
  const one = steps.length === 0 ? (txn: Txn) => fetch.one(txn) : (txn: Txn) => {
    const s = fetch.one(txn);
    return s ? convert(s, txn) : null;
  };
  const all = (txn: Txn): Sample[] => {
    const vs = fetch.all ? fetch.all(txn) : [fetch.one(txn)].filter((x): x is Sample => x !== null);
    if (steps.length === 0) return vs;
    const res: Sample[] = [];
    for (const v of vs) {
      const c = convert(v, txn);
      if (c) res.push(c);
    }
    return res;
  };
  return { out, one, all };
}
