// Variables: 'txn.', 'req.', 'res.', 'sess.' ones live in the Txn; 'proc.' ones are shared by
// everything compiled together (one worker: HAProxy shares them across its whole process).
// The session clears 'req.' variables after the request, 'res.' ones after the response.
//
// set-var conditions (manual 7.3.1 set-var): ifexists/ifnotexists and ifset/ifnotset look at
// whether the variable is currently set; ifempty/ifnotempty at the input (only strings and
// binaries can be empty); ifgt/iflt compare the variable with the input when both are
// integers, and are true otherwise.

import { isEmpty, type Sample } from './sample.js';
import type { Txn } from './txn.js';

export type VarCond = 'ifexists' | 'ifnotexists' | 'ifempty' | 'ifnotempty' | 'ifset' | 'ifnotset' | 'ifgt' | 'iflt';
export const VAR_CONDS: readonly VarCond[] = ['ifexists', 'ifnotexists', 'ifempty', 'ifnotempty', 'ifset', 'ifnotset', 'ifgt', 'iflt'];

function store(txn: Txn, procVars: Map<string, Sample>, name: string): Map<string, Sample> {
  return name.startsWith('proc.') ? procVars : txn.vars;
}

export function getVar(txn: Txn, procVars: Map<string, Sample>, name: string): Sample | undefined {
  return store(txn, procVars, name).get(name);
}

function condsHold(prev: Sample | undefined, input: Sample, conds: readonly VarCond[]): boolean {
  for (const c of conds) {
    switch (c) {
      case 'ifexists':
      case 'ifset':
        if (prev === undefined) return false;
        break;
      case 'ifnotexists':
      case 'ifnotset':
        if (prev !== undefined) return false;
        break;
      case 'ifempty':
        if (!isEmpty(input)) return false;
        break;
      case 'ifnotempty':
        if (isEmpty(input)) return false;
        break;
      case 'ifgt':
        if (prev?.type === 'sint' && input.type === 'sint' && !(prev.value > input.value)) return false;
        break;
      case 'iflt':
        if (prev?.type === 'sint' && input.type === 'sint' && !(prev.value < input.value)) return false;
        break;
    }
  }
  return true;
}

/** Store a copy-free sample (samples are immutable) when the conditions hold. */
export function setVar(txn: Txn, procVars: Map<string, Sample>, name: string, value: Sample, conds: readonly VarCond[] = []): boolean {
  const m = store(txn, procVars, name);
  if (conds.length && !condsHold(m.get(name), value, conds)) return false;
  m.set(name, value);
  return true;
}

export function unsetVar(txn: Txn, procVars: Map<string, Sample>, name: string): void {
  store(txn, procVars, name).delete(name);
}

/** Split "txn.x,ifset,ifgt" into the name and its conditions (unknown words are refused). */
export function parseVarSpec(spec: string): { name: string; conds: VarCond[] } | { error: string } {
  const [name, ...rest] = spec.split(',').map((w) => w.trim());
  const conds: VarCond[] = [];
  for (const c of rest) {
    if (!(VAR_CONDS as readonly string[]).includes(c)) return { error: `unknown condition "${c}"` };
    conds.push(c as VarCond);
  }
  if (conds.length > 4) return { error: 'too many conditions (at most 4)' };
  return { name: name ?? '', conds };
}
