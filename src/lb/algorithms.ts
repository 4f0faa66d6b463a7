// `balance` algorithms and their arguments, as HAProxy 2.6 accepts them (messages checked
// against haproxy 2.6.12). Each algorithm's selection code lands as its own small module in
// this folder with the data plane; this file only turns the words into a plain description.

import type { Json } from '../config/model.js';

export interface BalanceSpec {
  readonly algorithm: string;
  readonly [key: string]: Json;
}

type Parser = (name: string, param: string | undefined, rest: readonly string[]) => { value: BalanceSpec } | { error: string };

const ONLY =
  "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.";

const plain: Parser = (name, param) => (param !== undefined ? { error: ONLY } : { value: { algorithm: name } });

function positive(alg: string, opt: string, word: string | undefined): number | string {
  const n = word === undefined ? NaN : Number(word);
  if (!Number.isInteger(n) || n <= 0) return `balance ${alg} : '${opt}' expects a positive integer (got '${word ?? ''}').`;
  return n;
}

export const BALANCE_ALGORITHMS: Record<string, Parser> = {
  roundrobin: plain,
  'static-rr': plain,
  leastconn: plain,
  first: plain,
  source: plain,
  uri(_n, param, rest) {
    if (param !== undefined) return { error: ONLY };
    const spec: Record<string, Json> = { algorithm: 'uri', whole: false, pathOnly: false, len: 0, depth: 0 };
    for (let i = 0; i < rest.length; i++) {
      const w = rest[i]!;
      if (w === 'whole') spec['whole'] = true;
      else if (w === 'path-only') spec['pathOnly'] = true;
      else if (w === 'len' || w === 'depth') {
        const v = positive('uri', w, rest[++i]);
        if (typeof v === 'string') return { error: v };
        spec[w] = v;
      } else {
        return { error: `balance uri only accepts parameters 'len', 'depth', 'path-only' and 'whole'.` };
      }
    }
    return { value: spec as BalanceSpec };
  },
  url_param(_n, param, rest) {
    if (param !== undefined) return { error: ONLY };
    const name = rest[0];
    if (name === undefined) return { error: 'balance url_param requires an URL parameter name.' };
    const spec: Record<string, Json> = { algorithm: 'url_param', param: name, checkPost: false };
    if (rest[1] === 'check_post') {
      spec['checkPost'] = true;
      if (rest[2] !== undefined) {
        const v = positive('url_param', 'check_post', rest[2]);
        if (typeof v === 'string') return { error: v };
        spec['checkPostMax'] = v;
      }
    } else if (rest[1] !== undefined) {
      return { error: `balance url_param only accepts 'check_post' as an option.` };
    }
    return { value: spec as BalanceSpec };
  },
  hdr(_n, param, rest) {
    if (param === undefined || param === '') return { error: ONLY };
    if (rest[0] !== undefined && rest[0] !== 'use_domain_only') {
      return { error: `hdr(name) only accepts 'use_domain_only' as an option.` };
    }
    return { value: { algorithm: 'hdr', header: param, domainOnly: rest[0] === 'use_domain_only' } };
  },
  random(_n, param) {
    let draws = 2;
    if (param !== undefined) {
      const m = /^([0-9]*)(.*)$/.exec(param)!;
      if (m[2] !== '') return { error: `balance random : unexpected character '${m[2]![0]}' after argument.` };
      draws = Number(m[1] || '2');
    }
    return { value: { algorithm: 'random', draws } };
  },
  'rdp-cookie'(_n, param) {
    return { value: { algorithm: 'rdp-cookie', cookie: param ?? 'mstshash' } };
  },
  hash(_n, param, rest) {
    if (param !== undefined || rest.length === 0) return { error: `balance hash requires a sample expression.` };
    return { value: { algorithm: 'hash', expr: rest.join(' ') } };
  },
};

/** Parse `balance` arguments; an absent algorithm keeps the default (roundrobin), as HAProxy does. */
export function parseBalance(args: readonly string[]): { value: BalanceSpec } | { error: string } {
  if (args.length === 0) return { value: { algorithm: 'roundrobin' } };
  const m = /^([a-z_-]+)(?:\((.*)\))?$/.exec(args[0]!);
  if (!m) return { error: ONLY };
  const parser = BALANCE_ALGORITHMS[m[1]!];
  if (!parser) return { error: ONLY };
  return parser(m[1]!, m[2], args.slice(1));
}
