// `chroot <dir>` (global): once the listeners and the stats socket are bound, the process is
// locked into <dir> (chroot(2), then chdir("/")), just before it takes its user and group,
// as HAProxy does. Everything Switchyard runs from then on is already in memory: the workers'
// code is loaded, nothing is imported lazily, errorfiles and server state files were read at
// start-up. A worker thread that dies cannot load its code again inside the jail, so with a
// chroot the pool keeps one standby worker, loaded before the chroot, to replace it
// (dataplane/runtime.ts); a second death leaves one worker fewer, said as an alert.

import type { SectionKeyword } from '../config/keyword.js';
import type { ConfigModel } from '../config/model.js';
import type { NativeAddon } from '../native/addon.js';

export const CHROOT: SectionKeyword = {
  name: 'chroot',
  status: 'ready',
  summary: 'the process is locked into this directory once bound (needs root and the native addon)',
  parse(ctx) {
    // HAProxy's order: too many arguments, already specified (an alert it goes on from), missing.
    if (ctx.args.length > 1) return ctx.fail(`'chroot' cannot handle unexpected argument '${ctx.args[1]}'.`);
    if (ctx.config.global.settings['chroot'] !== undefined) {
      ctx.diag.alertNonFatal('E_DUPLICATE', ctx.loc, `'chroot' already specified. Continuing.`);
      return undefined;
    }
    const dir = ctx.args[0];
    if (dir === undefined || dir === '') return ctx.fail(`'chroot' expects a directory as an argument.`, 'E_MISSING_ARG');
    return dir;
  },
};

export function chrootDir(model: ConfigModel): string | undefined {
  const v = model.global.settings['chroot']?.value;
  return typeof v === 'string' ? v : undefined;
}

/**
 * Locks the process into `dir`. When it cannot: HAProxy's alert, word for word, and why (not
 * root, no such directory, no native addon) for a notice after it.
 */
export function enterChroot(dir: string, addon: NativeAddon | undefined, program: string): { alert: string; why: string } | undefined {
  const alert = `[${program}.main()] Cannot chroot(${dir}).`;
  if (!addon) return { alert, why: 'chroot(2) needs the native addon, which is not loaded here.' };
  try {
    addon.chroot(dir);
    return undefined;
  } catch (e) {
    return { alert, why: e instanceof Error ? `${e.message}.` : String(e) };
  }
}
