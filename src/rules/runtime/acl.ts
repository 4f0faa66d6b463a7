// ACLs and conditions compiled into `(txn) => boolean`, with HAProxy 2.6's semantics:
//  - an ACL matches when any value its fetch yields (every occurrence of a header, every
//    cookie ...) matches any pattern; with -m found when a value exists at all;
//  - several `acl` lines with the same name are OR-ed;
//  - a proxy's own ACL wins over a predefined one of the same name (manual 7.4, checked:
//    `acl TRUE always_false` makes `if TRUE` false);
//  - patterns: the words after the flags, stopping at the first empty word, plus the lines
//    of each -f file (-M: the keys of a map file); -i makes string matches case-insensitive;
//  - the default match method is the fetch's (or the ACL keyword's); when converters follow
//    an ACL keyword, the default of the converters' output type is used instead;
//  - conditions are OR-ed groups of AND-ed terms, `!` negates a term, `unless` the result.

import type { AclTerm, Condition } from '../acl.js';
import { parseAclTerm } from '../acl.js';
import type { MatchMethod } from '../types.js';
import { findFetch } from '../catalog/fetches.js';
import { PREDEFINED_ACLS } from '../catalog/acl-derivatives.js';
import { defaultMatchFor } from '../contexts.js';
import { RuleCompileError, type CompileCtx } from './context.js';
import { compileExpr } from './expr.js';
import { buildPatternSet } from './match.js';
import { cast } from './sample.js';
import { readMapFile, readPatternFile } from './files.js';
import type { Txn } from './txn.js';

export type Predicate = (txn: Txn) => boolean;

const ALWAYS: Predicate = () => true;

function methodOf(term: AclTerm, out: ReturnType<typeof compileExpr>['out']): MatchMethod {
  const explicit = term.flags.some((f) => f.startsWith('-m '));
  if (term.match && (explicit || term.expr.converters.length === 0)) return term.match;
  const dflt = term.expr.converters.length === 0 ? findFetch(term.expr.fetch.name)?.match : defaultMatchFor(out);
  const m = dflt ?? defaultMatchFor(out);
  if (!m) throw new RuleCompileError(`matching method must be specified first (using '-m') when using a sample fetch of this type ('${term.expr.text}')`);
  return m;
}

export function compileAclTerm(term: AclTerm, ctx: CompileCtx): Predicate {
  const expr = compileExpr(term.expr, ctx);
  const method = methodOf(term, expr.out);
  const icase = term.flags.includes('-i');
  const words: string[] = [];
  for (const p of term.patterns) {
    if (p === '') break;
    words.push(p);
  }
  const asMap = term.flags.includes('-M');
  for (const f of term.flags) {
    if (!f.startsWith('-f ')) continue;
    words.push(...(asMap ? readMapFile(ctx, f.slice(3)).map((e) => e.key) : readPatternFile(ctx, f.slice(3))));
  }
  if (method === 'found') return (txn) => expr.all(txn).length > 0;
  if (method === 'bool') {
    return (txn) =>
      expr.all(txn).some((s) => {
        const b = cast(s, 'bool');
        return b !== null && b.type === 'bool' && b.value;
      });
  }
  let set: ReturnType<typeof buildPatternSet<true>>;
  try {
    set = buildPatternSet<true>(method, words.map((pattern) => ({ pattern, value: true })), { icase });
  } catch (e) {
    if (e instanceof RuleCompileError) throw new RuleCompileError(`ACL '${term.expr.text}' : ${e.message}`, ctx.loc);
    throw e;
  }
  if (set.size === 0) return () => false;
  return (txn) => {
    for (const s of expr.all(txn)) if (set.lookup(s)) return true;
    return false;
  };
}

interface AclDecl extends AclTerm {
  readonly name: string;
}

/** Resolves named ACLs of one proxy (its own, then predefined), compiled once per direction. */
export class AclResolver {
  private readonly cache = new Map<string, Predicate>();

  constructor(private readonly ctx: CompileCtx) {}

  resolve(name: string, ctx: CompileCtx): Predicate {
    const key = `${ctx.dir} ${name}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const decls = (this.ctx.proxy.lists['acl'] ?? [])
      .map((d) => d.value as unknown as AclDecl | null)
      .filter((d): d is AclDecl => d !== null && typeof d === 'object' && d.name === name);
    let pred: Predicate;
    if (decls.length) {
      const preds = decls.map((d) => compileAclTerm(d, ctx));
      pred = preds.length === 1 ? preds[0]! : (txn) => preds.some((p) => p(txn));
    } else {
      const pre = PREDEFINED_ACLS.find((p) => p.name === name);
      if (!pre) throw new RuleCompileError(`no such ACL : '${name}'`, ctx.loc);
      const t = parseAclTerm(pre.expansion.split(' '), ctx.registries);
      if (!t.ok) throw new RuleCompileError(`predefined ACL '${name}' : ${t.error}`, ctx.loc);
      pred = compileAclTerm(t.value, ctx);
    }
    this.cache.set(key, pred);
    return pred;
  }
}

/** Compile `if|unless ...` (null: no condition, always true). */
export function compileCondition(cond: Condition | null | undefined, ctx: CompileCtx, acls: AclResolver): Predicate {
  if (!cond) return ALWAYS;
  const groups = cond.terms.map((and) =>
    and.map((t) => {
      const p = typeof t.acl === 'string' ? acls.resolve(t.acl, ctx) : compileAclTerm(t.acl, ctx);
      return t.negate ? (txn: Txn) => !p(txn) : p;
    }),
  );
  const test: Predicate = (txn) => {
    for (const and of groups) {
      let ok = true;
      for (const p of and) {
        if (!p(txn)) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
    return false;
  };
  return cond.polarity === 'unless' ? (txn) => !test(txn) : test;
}
