// tcp-request connection / session / content and tcp-response content rules: accept, reject,
// close (tcp-response), and the variable actions shared with the HTTP rule sets. `accept`
// stops the list.
//
// Conditions here have HAProxy's three outcomes (acl_exec_cond): a term whose fetch lacks data
// while the rules are not final (Txn.l4.miss, set by ./fetches-payload.ts) "misses". A miss
// stays a miss under `!` and `unless`, an AND stops at its first term that does not pass, an
// OR at its first that passes; a rule whose condition misses makes the list wait (`wait`), and
// the session evaluates the whole list again, from the top, when data comes or time is up.

import type { Condition } from '../acl.js';
import { RuleCompileError, type CompileCtx } from './context.js';
import { compileAclTerm, type AclResolver, type Predicate } from './acl.js';
import { compileVarAction, type RuleData } from './actions-http.js';
import type { TcpVerdict } from './verdict.js';
import type { Txn } from './txn.js';

export const TCP_ACTION_IMPLS: ReadonlySet<string> = new Set(['accept', 'reject', 'close', 'set-var()', 'set-var-fmt()', 'unset-var()']);

export type TcpRuleFn = (txn: Txn) => TcpVerdict | null;

const ACCEPT: TcpVerdict = { kind: 'accept' };
const REJECT: TcpVerdict = { kind: 'reject' };
const CLOSE: TcpVerdict = { kind: 'close' };
const WAIT: TcpVerdict = { kind: 'wait' };

/** HAProxy's ACL_TEST_FAIL / MISS / PASS: bitwise AND and OR combine them. */
const FAIL = 0;
const MISS = 1;
const PASS = 3;
type Tri = typeof FAIL | typeof MISS | typeof PASS;

function tri(p: Predicate): (txn: Txn) => Tri {
  return (txn) => {
    const l4 = txn.l4;
    if (l4) l4.miss = false;
    if (p(txn)) return PASS;
    return l4?.miss ? MISS : FAIL;
  };
}

/** acl_neg(): a miss stays a miss. */
const negate = (r: Tri): Tri => (r === PASS ? FAIL : r === FAIL ? PASS : MISS);

/** The condition before `unless` applies (a miss must be seen before negating). */
function compileTriCondition(cond: Condition, ctx: CompileCtx, acls: AclResolver): (txn: Txn) => Tri {
  const groups = cond.terms.map((and) =>
    and.map((t) => {
      const term = tri(typeof t.acl === 'string' ? acls.resolve(t.acl, ctx) : compileAclTerm(t.acl, ctx));
      return t.negate ? (txn: Txn): Tri => negate(term(txn)) : term;
    }),
  );
  return (txn) => {
    let res: number = FAIL;
    for (const and of groups) {
      let suite: number = PASS;
      for (const term of and) {
        suite &= term(txn);
        if (suite !== PASS) break;
      }
      res |= suite;
      if (res === PASS) break;
    }
    return res as Tri;
  };
}

export function compileTcpRule(ruleset: string, rule: RuleData, ctx: CompileCtx, acls: AclResolver): TcpRuleFn {
  const m = /^([a-z0-9-]+)(?:\((.*)\))?$/.exec(rule.action);
  const word = m ? m[1]! : rule.action;
  let act: TcpRuleFn;
  switch (word) {
    case 'accept':
      act = () => ACCEPT;
      break;
    case 'reject':
      act = () => REJECT;
      break;
    case 'close':
      act = () => CLOSE;
      break;
    case 'set-var':
    case 'set-var-fmt':
    case 'unset-var': {
      const f = compileVarAction(word, m?.[2], rule.args, ctx);
      act = (txn) => {
        f(txn);
        return null;
      };
      break;
    }
    default:
      throw new RuleCompileError(`'${ruleset} ${word}' is not implemented yet`, ctx.loc);
  }
  const cond = rule.cond as unknown as Condition | null;
  if (!cond) return act;
  const test = compileTriCondition(cond, ctx, acls);
  const unless = cond.polarity === 'unless';
  return (txn) => {
    const r = test(txn);
    if (r === MISS) return WAIT;
    return (r === PASS) !== unless ? act(txn) : null;
  };
}
