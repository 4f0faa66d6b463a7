// Health-check rule keywords: `http-check send|expect|connect|comment|set-var|unset-var|
// disable-on-404|send-state` and `tcp-check connect|send|send-binary|send-lf|expect|comment`,
// with HAProxy 2.6's grammar and messages (checked against haproxy 2.6.12).

import type { KwContext, SectionKeyword } from '../config/keyword.js';
import type { Json } from '../config/model.js';
import { DEF_BE } from '../config/caps.js';
import { pending } from '../config/status.js';

const CHECKS = pending('checks');

const HTTP_MATCHES = ['status', 'rstatus', 'string', 'rstring', 'string-lf', 'hdr', 'fhdr'];
const TCP_MATCHES = ['string', 'rstring', 'string-lf', 'binary', 'rbinary', 'binary-lf'];
const EXPECT_OPTS = ['min-recv', 'comment', 'ok-status', 'error-status', 'tout-status', 'on-success', 'on-error', 'status-code'];

/** `[options] [!] MATCH PATTERN` — exactly one pattern, as HAProxy requires. */
function expect(ctx: KwContext, family: 'http-check' | 'tcp-check'): Json | undefined {
  const matches = family === 'http-check' ? HTTP_MATCHES : TCP_MATCHES;
  const out: Record<string, Json> = {};
  const args = ctx.args;
  let i = 0;
  let negate = false;
  for (; i < args.length; i++) {
    const w = args[i]!;
    if (EXPECT_OPTS.includes(w)) {
      const v = args[++i];
      if (v === undefined) return ctx.fail(`'${family} expect' : '${w}' expects an argument.`);
      out[w] = v;
      continue;
    }
    if (w === '!') {
      negate = true;
      continue;
    }
    break;
  }
  let match = args[i];
  if (match?.startsWith('!')) {
    negate = true;
    match = match.slice(1);
  }
  if (match === undefined || !matches.includes(match)) {
    const list =
      family === 'http-check'
        ? `'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment`
        : `'only supports min-recv, [!]binary, [!]string, [!]rstring, [!]string-lf or comment`;
    return ctx.fail(`'${family} expect' : ${list} but got '${match ?? ''}' as argument..`);
  }
  i++;
  if (match === 'hdr' || match === 'fhdr') {
    // hdr name [-m meth] NAME [value [-m meth] VALUE]
    const hdr: Record<string, Json> = {};
    while (i < args.length) {
      const w = args[i]!;
      if (w !== 'name' && w !== 'value') break;
      let meth = 'str';
      if (args[i + 1] === '-m') {
        meth = args[i + 2] ?? '';
        i += 2;
      }
      const v = args[i + 1];
      if (v === undefined) return ctx.fail(`'${family} expect' : '${w}' expects a pattern.`);
      hdr[w] = { match: meth, pattern: v };
      i += 2;
    }
    if (!hdr['name']) return ctx.fail(`'${family} expect' : '${match}' requires a 'name' argument.`);
    out['hdr'] = hdr;
  } else {
    const pattern = args[i];
    if (pattern === undefined) return ctx.fail(`'${family} expect' : '${match}' expects <pattern> as an argument.`);
    out['pattern'] = pattern;
    i++;
  }
  if (i < args.length) return ctx.fail(`'${family} expect' : only on pattern expected.`);
  return { ...out, match, negate };
}

function send(ctx: KwContext): Json | undefined {
  const out: Record<string, Json> = {};
  const KEYS = ['meth', 'uri', 'uri-lf', 'ver', 'body', 'body-lf', 'comment'];
  for (let i = 0; i < ctx.args.length; i++) {
    const w = ctx.args[i]!;
    if (KEYS.includes(w)) {
      const v = ctx.args[++i];
      if (v === undefined) return ctx.fail(`'http-check send' : '${w}' expects an argument.`);
      out[w] = v;
    } else if (w === 'hdr') {
      const n = ctx.args[i + 1];
      const v = ctx.args[i + 2];
      if (n === undefined || v === undefined) return ctx.fail(`'http-check send' : 'hdr' expects <name> and <value> as arguments.`);
      ((out['hdr'] ??= []) as Json[]).push([n, v]);
      i += 2;
    } else {
      return ctx.fail(`'http-check send' : only supports 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' and 'body-lf' but got '${w}' as argument.`);
    }
  }
  return out;
}

const rule = (name: string, parse?: (ctx: KwContext) => Json | undefined): SectionKeyword => ({
  name,
  caps: DEF_BE,
  misuse: 'warning',
  multi: true,
  status: CHECKS,
  parse: parse ?? ((ctx) => [...ctx.args]),
});

export const CHECK_KEYWORDS: readonly SectionKeyword[] = [
  rule('http-check expect', (ctx) => expect(ctx, 'http-check')),
  rule('http-check send', send),
  rule('http-check connect'),
  rule('http-check comment'),
  rule('http-check set-var'),
  rule('http-check unset-var'),
  rule('http-check disable-on-404'),
  rule('http-check send-state'),
  rule('tcp-check expect', (ctx) => expect(ctx, 'tcp-check')),
  rule('tcp-check connect'),
  rule('tcp-check send'),
  rule('tcp-check send-lf'),
  rule('tcp-check send-binary'),
  rule('tcp-check send-binary-lf'),
  rule('tcp-check comment'),
  rule('tcp-check set-var'),
  rule('tcp-check unset-var'),
  { name: 'external-check command', caps: DEF_BE, status: CHECKS, minArgs: 1, maxArgs: 1 },
  { name: 'external-check path', caps: DEF_BE, status: CHECKS, minArgs: 1, maxArgs: 1 },
  { name: 'email-alert mailers', caps: DEF_BE, status: CHECKS, minArgs: 1 },
  { name: 'email-alert from', caps: DEF_BE, status: CHECKS, minArgs: 1 },
  { name: 'email-alert to', caps: DEF_BE, status: CHECKS, minArgs: 1 },
  { name: 'email-alert level', caps: DEF_BE, status: CHECKS, minArgs: 1 },
  { name: 'email-alert myhostname', caps: DEF_BE, status: CHECKS, minArgs: 1 },
];
