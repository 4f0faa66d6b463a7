// Health-check rule keywords: `http-check connect|send|expect|comment|disable-on-404|send-state`
// and `tcp-check connect|send|send-binary|expect|comment`, with HAProxy 2.6's grammar and
// messages (checked against haproxy 2.6.12). Each rule is parsed into the JSON spec of
// ./spec.ts and placed in the proxy's ruleset as HAProxy would (./ruleset.ts), so ordering
// errors ("unable to add http-check send rule at step 2 (missing connect rule).") come out at
// their line. Log-format variants, sample expressions and set-var stay refused.

import type { KwContext, SectionKeyword } from '../config/keyword.js';
import type { Json } from '../config/model.js';
import { DEF_BE } from '../config/caps.js';
import { notImplemented, pending } from '../config/status.js';
import { parseConnect, parseExpect, parseHttpSend, parseSend, type Family, type Parsed, type RuleSpec } from './spec.js';
import { applyEvent, setupOf } from './ruleset.js';
import { LEVELS } from '../log/target.js';


/** Report a parse result as HAProxy does ("'tcp-check expect' : <error>."), then place the rule. */
function place(ctx: KwContext, family: Family, sub: string, r: Parsed<RuleSpec>): Json | undefined {
  if (!r.ok) {
    if (r.pending) return ctx.fail(notImplemented(r.pending, pending(r.area ?? 'check-vars')), 'E_NOT_IMPLEMENTED');
    return ctx.fail(`'${family} ${sub}' : ${r.error}.`);
  }
  const p = ctx.proxy;
  if (p) {
    const s = setupOf(ctx.config, p);
    const err = applyEvent(s, { kind: 'rule', family, spec: r.spec, loc: ctx.loc });
    if (err) return ctx.fail(`'${family} ${sub}' : ${err}.`);
  }
  return r.spec;
}

function comment(ctx: KwContext, family: Family): Json | undefined {
  const text = ctx.args[0];
  if (text === undefined || text === '') return ctx.fail(`'${family} comment' : expects a string as argument.`);
  return place(ctx, family, 'comment', { ok: true, spec: { action: 'comment', comment: text } });
}

/** A flag keyword taking no argument (too_many_args). */
function flag(ctx: KwContext): Json | undefined {
  if (ctx.args.length > 0) return ctx.fail(`'${ctx.key.split(' ')[0]}' cannot handle unexpected argument '${ctx.args[0]}'.`);
  return true;
}

const rule = (name: string, parse: (ctx: KwContext) => Json | undefined): SectionKeyword => ({
  name,
  caps: DEF_BE,
  misuse: 'warning',
  multi: true,
  status: 'ready',
  selfReported: true,
  parse,
});

const refused = (name: string): SectionKeyword => ({ name, caps: DEF_BE, misuse: 'warning', multi: true, status: pending('check-vars'), parse: (ctx) => [...ctx.args] });

export const CHECK_KEYWORDS: readonly SectionKeyword[] = [
  rule('http-check expect', (ctx) => place(ctx, 'http-check', 'expect', parseExpect('http-check', ctx.args))),
  rule('http-check send', (ctx) => place(ctx, 'http-check', 'send', parseHttpSend(ctx.args))),
  rule('http-check connect', (ctx) => place(ctx, 'http-check', 'connect', parseConnect(ctx.args))),
  rule('http-check comment', (ctx) => comment(ctx, 'http-check')),
  rule('http-check disable-on-404', flag),
  rule('http-check send-state', flag),
  refused('http-check set-var'),
  refused('http-check unset-var'),
  rule('tcp-check expect', (ctx) => place(ctx, 'tcp-check', 'expect', parseExpect('tcp-check', ctx.args))),
  rule('tcp-check connect', (ctx) => place(ctx, 'tcp-check', 'connect', parseConnect(ctx.args))),
  rule('tcp-check send', (ctx) => place(ctx, 'tcp-check', 'send', parseSend('send', ctx.args))),
  rule('tcp-check send-binary', (ctx) => place(ctx, 'tcp-check', 'send-binary', parseSend('send-binary', ctx.args))),
  rule('tcp-check comment', (ctx) => comment(ctx, 'tcp-check')),
  refused('tcp-check send-lf'),
  refused('tcp-check send-binary-lf'),
  refused('tcp-check set-var'),
  refused('tcp-check unset-var'),
  { name: 'external-check command', caps: DEF_BE, status: 'ready', minArgs: 1, maxArgs: 1 },
  { name: 'external-check path', caps: DEF_BE, status: 'ready', minArgs: 1, maxArgs: 1 },
  // email alerts (./mail-alerts.ts); haproxy takes a missing value as empty (the setting is
  // then incomplete, see postcheck.ts) and words after the first are not read.
  ...(['mailers', 'from', 'to', 'myhostname'] as const).map((w): SectionKeyword => ({ name: `email-alert ${w}`, caps: DEF_BE, status: 'ready', parse: (ctx) => ctx.args[0] ?? '' })),
  {
    name: 'email-alert level',
    caps: DEF_BE,
    status: 'ready',
    parse: (ctx) => (LEVELS.includes(ctx.args[0] ?? '') ? ctx.args[0]! : ctx.fail(`unknown log level 'level' after '${ctx.args[0] ?? ''}'`)),
  },
];
