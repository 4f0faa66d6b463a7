// Sample expressions: `fetch[(args)][,converter[(args)]]...`, as used in ACLs, `%[...]`
// log-format blocks, `track-sc`, `stick on`, `set-var` and friends. Parsed once into plain
// data; names, argument counts and converter input types are checked against the registries
// at load time, as HAProxy's sample.c does.

import type { Registry } from '../config/registry.js';
import type { ArgSpec, ConverterDef, FetchDef, SampleType, Status } from './types.js';
import { canCast } from './casts.js';
import { checkArgList } from './catalog/fetches.js';

export interface SampleCall {
  readonly name: string;
  readonly args: readonly string[];
}

export interface SampleExpr {
  readonly fetch: SampleCall;
  readonly converters: readonly SampleCall[];
  readonly text: string;
}

export interface SampleRegistries {
  readonly fetches: Registry<FetchDef>;
  readonly converters: Registry<ConverterDef>;
}

export type ExprResult =
  | { ok: true; expr: SampleExpr; out: SampleType; pending: { what: string; status: Status }[] }
  | { ok: false; error: string };

/** Split `name(a,b)` at the top level: quotes and nested parentheses respected. */
export function splitCall(text: string, at: number): { call: SampleCall; next: number; parens: boolean } | { error: string } {
  let i = at;
  while (i < text.length && /[A-Za-z0-9_.\-]/.test(text[i]!)) i++;
  const name = text.slice(at, i);
  if (name === '') return { error: `missing fetch method` };
  const args: string[] = [];
  const parens = text[i] === '(';
  if (parens) {
    i++;
    let cur = '';
    let depth = 0;
    let quote = '';
    for (;;) {
      if (i >= text.length) return { error: `missing closing ')' after arguments to '${name}'` };
      const c = text[i]!;
      if (quote) {
        if (c === '\\' && i + 1 < text.length) {
          cur += text[i + 1];
          i += 2;
          continue;
        }
        if (c === quote) quote = '';
        else cur += c;
        i++;
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        i++;
        continue;
      }
      if (c === '\\' && i + 1 < text.length) {
        cur += text[i + 1];
        i += 2;
        continue;
      }
      if (c === '(') depth++;
      if (c === ')') {
        if (depth === 0) {
          args.push(cur);
          i++;
          break;
        }
        depth--;
      }
      if (c === ',' && depth === 0) {
        args.push(cur);
        cur = '';
        i++;
        continue;
      }
      cur += c;
      i++;
    }
    if (args.length === 1 && args[0] === '') args.length = 0;
  }
  return { call: { name, args }, next: i, parens };
}

/** HAProxy's argument-list rules (make_arg_list), then the row's own validator. */
function checkArgs(kind: 'fetch method' | 'converter', name: string, spec: ArgSpec, call: SampleCall, hadParens: boolean): string | undefined {
  const r = checkArgList(spec, hadParens ? (call.args.length ? call.args : ['']) : undefined);
  // HAProxy's wording differs: count errors name the fetch, or the converter argument number.
  if (r.error) return kind === 'fetch method' ? `fetch method '${name}' : ${r.error}` : `invalid arg ${r.args.length + 1} in converter '${name}' : ${r.error}`;
  const v = spec.validate?.(r.args);
  return v === undefined ? undefined : `invalid args in ${kind} '${name}' : ${v}`;
}

/**
 * Parse a whole expression. `fetchError` formats an unknown-fetch message the way the caller's
 * context words it (ACL and log-format differ).
 */
export function parseSampleExpr(text: string, reg: SampleRegistries): ExprResult {
  const first = splitCall(text, 0);
  if ('error' in first) return { ok: false, error: first.error };
  const fdef = reg.fetches.get(first.call.name);
  if (!fdef) return { ok: false, error: `unknown fetch method '${first.call.name}'` };
  const argErr = checkArgs('fetch method', fdef.name, fdef.args, first.call, first.parens);
  if (argErr) return { ok: false, error: argErr };
  const pendingList: { what: string; status: Status }[] = [];
  if (fdef.status !== 'ready') pendingList.push({ what: `fetch '${fdef.name}'`, status: fdef.status });
  let type: SampleType = fdef.out;
  const converters: SampleCall[] = [];
  let i = first.next;
  while (i < text.length) {
    if (text[i] !== ',') {
      return { ok: false, error: `missing comma after fetch keyword '${first.call.name}'` };
    }
    const c = splitCall(text, i + 1);
    if ('error' in c) return { ok: false, error: c.error.replace('missing fetch method', 'missing converter') };
    const cdef = reg.converters.get(c.call.name);
    if (!cdef) return { ok: false, error: `unknown converter '${c.call.name}'` };
    const cErr = checkArgs('converter', cdef.name, cdef.args, c.call, c.parens);
    if (cErr) return { ok: false, error: cErr };
    if (cdef.in !== 'any' && !canCast(type, cdef.in)) {
      return { ok: false, error: `converter '${cdef.name}' cannot be applied` };
    }
    if (cdef.status !== 'ready') pendingList.push({ what: `converter '${cdef.name}'`, status: cdef.status });
    type = cdef.out;
    converters.push(c.call);
    i = c.next;
  }
  return { ok: true, expr: { fetch: first.call, converters, text }, out: type, pending: pendingList };
}
