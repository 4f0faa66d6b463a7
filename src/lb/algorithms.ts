// `balance` algorithms and their arguments, as HAProxy 2.6 accepts them (backend.c
// backend_parse_balance; words and messages checked against haproxy 2.6.12 in
// test/lb-keyed.test.ts). Each algorithm's selection code is its own small module in this
// folder; this file only turns the words into a plain description.
//
// HAProxy's quirks kept: most names are matched exactly and ignore extra words ("source x");
// `hdr(`, `rdp-cookie` and `random` are matched as prefixes (the name ends at the first ')',
// what follows it is ignored); numbers are read with atoi/strtol ("len 5x" is 5, "0x10" is 0
// for atoi but 16 for random's strtol); an empty word ends the option list.

import type { Json } from '../config/model.js';

export interface BalanceSpec {
  readonly algorithm: string;
  readonly [key: string]: Json;
}

type Result = { value: BalanceSpec } | { error: string };
/** `word` is the algorithm word as written (e.g. "hdr(host)"), `rest` the words after it. */
type Parser = (word: string, rest: readonly string[]) => Result;

const ONLY =
  "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.";

/** C's strtol: leading spaces, a sign, digits in `base` (0: 0x hex, leading 0 octal), saturating at the 64-bit limits. */
function strtol(s: string, base: 0 | 10): { value: bigint; end: number } {
  const m = /^[ \t\n\v\f\r]*([+-]?)/.exec(s)!;
  let i = m[0].length;
  let radix: number = base === 0 ? 10 : base;
  if (base === 0 && s[i] === '0') {
    if ((s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
      radix = 16;
      i += 2;
    } else radix = 8;
  }
  const digits = radix === 16 ? /^[0-9a-fA-F]*/ : radix === 8 ? /^[0-7]*/ : /^[0-9]*/;
  const d = digits.exec(s.slice(i))![0];
  if (d === '' && radix !== 8) return { value: 0n, end: 0 };
  let v = d === '' ? 0n : BigInt(radix === 16 ? `0x${d}` : radix === 8 ? `0o${d}` : d);
  if (m[1] === '-') v = -v;
  const MAX = (1n << 63n) - 1n;
  v = v > MAX ? MAX : v < -MAX - 1n ? -MAX - 1n : v;
  return { value: v, end: i + d.length };
}

/** C's atoi: strtol base 10, truncated to an int. */
const atoi = (s: string): number => Number(BigInt.asIntN(32, strtol(s, 10).value));

const plain: Parser = (word) => ({ value: { algorithm: word } });

function positive(opt: string, word: string | undefined): number | { error: string } {
  const n = word ? atoi(word) : 0;
  return n > 0 ? n : { error: `balance uri : '${opt}' expects a positive integer (got '${word ?? ''}').` };
}

export const BALANCE_ALGORITHMS: Record<string, Parser> = {
  roundrobin: plain,
  'static-rr': plain,
  leastconn: plain,
  first: plain,
  source: plain,
  uri(_w, rest) {
    const spec: Record<string, Json> = { algorithm: 'uri', whole: false, pathOnly: false, len: 0, depth: 0 };
    for (let i = 0; i < rest.length && rest[i] !== ''; i++) {
      const w = rest[i]!;
      if (w === 'whole') spec['whole'] = true;
      else if (w === 'path-only') spec['pathOnly'] = true;
      else if (w === 'len' || w === 'depth') {
        const v = positive(w, rest[++i]);
        if (typeof v !== 'number') return v;
        spec[w] = v;
      } else {
        return { error: `balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '${w}').` };
      }
    }
    return { value: spec as BalanceSpec };
  },
  url_param(_w, rest) {
    const name = rest[0];
    if (!name) return { error: 'balance url_param requires an URL parameter name.' };
    // A number after check_post (HAProxy 1.x's max_wait) is accepted and ignored by 2.6.
    if (rest[1] && rest[1] !== 'check_post') return { error: `balance url_param only accepts 'check_post' modifier (got '${rest[1]}').` };
    return { value: { algorithm: 'url_param', param: name, checkPost: rest[1] === 'check_post' } };
  },
  hdr(word, rest) {
    const close = word.indexOf(')', 4);
    if (close <= 4) return { error: 'balance hdr requires an http header field name.' };
    if (rest[0] && rest[0] !== 'use_domain_only') return { error: `balance ${word} only accepts 'use_domain_only' modifier (got '${rest[0]}').` };
    return { value: { algorithm: 'hdr', header: word.slice(4, close), domainOnly: rest[0] === 'use_domain_only' } };
  },
  random(word) {
    let draws = 2;
    if (word[6] === '(' && word[7] !== ')') {
      const arg = word.slice(7);
      const r = strtol(arg, 0);
      const after = arg[r.end];
      if (after !== ')') return { error: after === undefined ? 'balance random : missing closing parenthesis.' : `balance random : unexpected character '${after}' after argument.` };
      // Stored in an int before the check, as HAProxy does.
      draws = Number(BigInt.asIntN(32, r.value));
      if (draws < 1) return { error: 'balance random : number of draws must be at least 1.' };
    }
    return { value: { algorithm: 'random', draws } };
  },
  'rdp-cookie'(word) {
    if (word.length === 10) return { value: { algorithm: 'rdp-cookie', cookie: 'mstshash' } };
    const close = word.indexOf(')', 11);
    if (word[10] !== '(' || close <= 11) return { error: 'balance rdp-cookie : missing cookie name.' };
    return { value: { algorithm: 'rdp-cookie', cookie: word.slice(11, close) } };
  },
  hash(_w, rest) {
    if (!rest[0]) return { error: 'balance hash requires a sample expression.' };
    if (rest[1]) return { error: `balance hash takes no other argument (got '${rest[1]}').` };
    return { value: { algorithm: 'hash', expr: rest[0] } };
  },
};

/** The algorithms HAProxy recognises by a prefix of the word rather than the whole word. */
const PREFIXED: readonly (readonly [string, string])[] = [
  ['random', 'random'],
  ['hdr(', 'hdr'],
  ['rdp-cookie', 'rdp-cookie'],
];

/** Parse `balance` arguments; an absent algorithm keeps the default (roundrobin), as HAProxy does. */
export function parseBalance(args: readonly string[]): Result {
  const word = args[0];
  if (word === undefined || word === '') return { value: { algorithm: 'roundrobin' } };
  // A bare "hdr" is not "hdr(": HAProxy refuses it like an unknown word.
  const name = word !== 'hdr' && Object.hasOwn(BALANCE_ALGORITHMS, word) ? word : PREFIXED.find(([p]) => word.startsWith(p))?.[1];
  if (name === undefined) return { error: ONLY };
  return BALANCE_ALGORITHMS[name]!(word, args.slice(1));
}
