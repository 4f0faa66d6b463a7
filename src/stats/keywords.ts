// The stats page keywords (`stats enable|uri|realm|auth|refresh|...`) in proxies.

import type { SectionKeyword } from '../config/keyword.js';
import { ALL } from '../config/caps.js';
import { pending } from '../config/status.js';
import { parseTime } from '../config/units.js';

const STATS = pending('stats');
const kw = (name: string, minArgs = 0, maxArgs?: number, multi = false): SectionKeyword => ({ name, caps: ALL, misuse: 'warning', status: STATS, minArgs, maxArgs, multi });

export const STATS_KEYWORDS: readonly SectionKeyword[] = [
  kw('stats enable', 0, 0),
  kw('stats disable', 0, 0),
  kw('stats uri', 1, 1),
  kw('stats realm', 1, 1),
  {
    name: 'stats auth',
    caps: ALL,
    misuse: 'warning',
    status: STATS,
    multi: true,
    parse(ctx) {
      const u = ctx.args[0];
      if (ctx.args.length !== 1 || u === undefined || !u.includes(':')) return ctx.fail(`'stats auth' expects <user>:<password> as argument.`);
      return u;
    },
  },
  {
    name: 'stats refresh',
    caps: ALL,
    misuse: 'warning',
    status: STATS,
    parse(ctx) {
      const r = parseTime(ctx.args[0] ?? '', 'stats refresh', 1000);
      return ctx.args.length === 1 && r.ok ? r.value : ctx.fail(r.ok ? `'stats refresh' expects <delay> as argument.` : r.error);
    },
  },
  kw('stats show-legends', 0, 0),
  kw('stats show-desc', 0, 1),
  kw('stats show-node', 0, 1),
  kw('stats hide-version', 0, 0),
  kw('stats show-modules', 0, 0),
  kw('stats admin', 2, undefined, true),
  kw('stats http-request', 1, undefined, true),
  kw('stats scope', 1, 1, true),
  kw('stats bind-process', 1),
];
