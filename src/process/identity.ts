// `user`, `group`, `uid`, `gid` (global): the identity the process takes once it has bound
// its listeners and the stats socket, as HAProxy's set_identity() does. Names are resolved
// while parsing, with HAProxy's messages; id 0 means "not set", as in HAProxy, so `user root`
// changes nothing and does not count as "already specified".

import { readFileSync } from 'node:fs';
import type { KwContext, SectionKeyword } from '../config/keyword.js';
import type { ConfigModel } from '../config/model.js';
import { groupId, userId } from './accounts.js';

/** What the process switches to; 0 leaves that id as it is. */
export interface Identity {
  readonly uid: number;
  readonly gid: number;
}

type Kind = 'uid' | 'gid';

/** The keywords that set each id, and HAProxy's "already specified" alert for each keyword. */
const SETTERS: Record<Kind, readonly [string, string]> = { uid: ['uid', 'user'], gid: ['gid', 'group'] };
const ALREADY: Record<string, string> = {
  uid: 'user/uid already specified. Continuing.',
  user: 'user/uid already specified. Continuing.',
  gid: 'group/gid already specified. Continuing.',
  group: 'gid/group was already specified. Continuing.',
};

/** The id set so far by either keyword of the pair (0: none). */
function current(config: ConfigModel, kind: Kind): number {
  for (const k of SETTERS[kind]) {
    const v = config.global.settings[k]?.value;
    if (typeof v === 'number' && v !== 0) return v;
  }
  return 0;
}

export function identityOf(model: ConfigModel): Identity {
  return { uid: current(model, 'uid'), gid: current(model, 'gid') };
}

/**
 * HAProxy's checks in its order: one argument at most, then "already specified" (an alert
 * it goes on from: the configuration stays valid and the first value wins).
 */
function precheck(ctx: KwContext, kind: Kind): boolean {
  if (ctx.args.length > 1) {
    ctx.fail(`'${ctx.key}' cannot handle unexpected argument '${ctx.args[1]}'.`, 'E_SYNTAX');
    return false;
  }
  if (current(ctx.config, kind) !== 0) {
    ctx.diag.alertNonFatal('E_DUPLICATE', ctx.loc, ALREADY[ctx.key]!);
    return false;
  }
  return true;
}

/** HAProxy's strl2irc(): an optional '-', then digits only, within a C int. */
export function strictInt(s: string): number | undefined {
  if (s === '' || !/^-?[0-9]*$/.test(s)) return undefined;
  const v = s === '-' ? 0 : Number(s);
  if (v > 2147483647 || v < -2147483648) return undefined;
  return v === 0 ? 0 : v;
}

function numericId(kind: Kind, byName: string): SectionKeyword {
  return {
    name: kind,
    status: 'ready',
    summary: `${kind === 'uid' ? 'user' : 'group'} id taken once listeners and the stats socket are bound`,
    parse(ctx) {
      if (!precheck(ctx, kind)) return undefined;
      const text = ctx.args[0];
      if (text === undefined) return ctx.fail(`'${kind}' expects an integer argument.`, 'E_MISSING_ARG');
      const v = strictInt(text);
      if (v === undefined) {
        // A warning only: the id stays unset and the configuration valid, as in HAProxy.
        ctx.diag.warning('W_CONFIG', ctx.loc, ` ${kind}: string '${text}' is not a number.`, [
          `   | You might want to use the '${byName}' parameter to use a system ${byName} name.`,
        ]);
        return undefined;
      }
      return v;
    },
  };
}

function namedId(kind: Kind, name: 'user' | 'group'): SectionKeyword {
  const find = name === 'user' ? userId : groupId;
  return {
    name,
    status: 'ready',
    summary: `${kind} of this ${name} name (resolved at parse time), taken once listeners and the stats socket are bound`,
    parse(ctx) {
      if (!precheck(ctx, kind)) return undefined;
      const wanted = ctx.args[0] ?? '';
      const id = find(wanted);
      // errno is 0 when the name simply does not exist: HAProxy prints "(0:Success)".
      return id ?? ctx.fail(`cannot find ${name} id for '${wanted}' (0:Success)`, 'E_BAD_ARG');
    },
  };
}

export const IDENTITY_KEYWORDS: readonly SectionKeyword[] = [
  numericId('uid', 'user'),
  numericId('gid', 'group'),
  namedId('uid', 'user'),
  namedId('gid', 'group'),
];

/** Supplementary groups of this process (Linux: /proc; elsewhere what getgroups() adds to the egid). */
function supplementaryGroups(): number {
  try {
    const m = /^Groups:(.*)$/m.exec(readFileSync('/proc/self/status', 'latin1'));
    if (m) return m[1]!.trim() === '' ? 0 : m[1]!.trim().split(/\s+/).length;
  } catch {
    // Not Linux: fall through.
  }
  const egid = process.getegid?.();
  return (process.getgroups?.() ?? []).filter((g) => g !== egid).length;
}

/**
 * Switch to the configured identity (HAProxy's set_identity): supplementary groups dropped
 * when there are some, then the gid, then the uid. glibc applies each change to every thread
 * of the process (worker threads included). A failure throws HAProxy's alert text; the
 * caller stops serving and exits 1, as HAProxy does.
 */
export function dropPrivileges(id: Identity, program: string, warn: (message: string) => void): void {
  if (id.gid !== 0) {
    if (supplementaryGroups() > 0) {
      try {
        if (!process.setgroups) throw new Error('no setgroups()');
        process.setgroups([]);
      } catch {
        warn(`[${program}.main()] Failed to drop supplementary groups. Using 'gid'/'group' without 'uid'/'user' is generally useless.`);
      }
    }
    try {
      // HAProxy keeps ids as C ints: a negative one is the same bits as an unsigned id_t.
      if (!process.setgid) throw new Error('no setgid()');
      process.setgid(id.gid >>> 0);
    } catch {
      throw new Error(`[${program}.main()] Cannot set gid ${id.gid}.`);
    }
  }
  if (id.uid !== 0) {
    try {
      if (!process.setuid) throw new Error('no setuid()');
      process.setuid(id.uid >>> 0);
    } catch {
      throw new Error(`[${program}.main()] Cannot set uid ${id.uid}.`);
    }
  }
}

