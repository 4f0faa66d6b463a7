// tcp-request connection / session / content and tcp-response content rules: accept and
// reject, and the variable actions shared with the HTTP rule sets. `accept` stops the list.

import type { Condition } from '../acl.js';
import { RuleCompileError, type CompileCtx } from './context.js';
import { compileCondition, type AclResolver } from './acl.js';
import { compileVarAction, type RuleData } from './actions-http.js';
import type { TcpVerdict } from './verdict.js';
import type { Txn } from './txn.js';

export const TCP_ACTION_IMPLS: ReadonlySet<string> = new Set(['accept', 'reject', 'set-var()', 'set-var-fmt()', 'unset-var()']);

export type TcpRuleFn = (txn: Txn) => TcpVerdict | null;

const ACCEPT: TcpVerdict = { kind: 'accept' };
const REJECT: TcpVerdict = { kind: 'reject' };

export function compileTcpRule(ruleset: string, rule: RuleData, ctx: CompileCtx, acls: AclResolver): TcpRuleFn {
  const cond = compileCondition(rule.cond as unknown as Condition | null, ctx, acls);
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
  return (txn) => (cond(txn) ? act(txn) : null);
}
