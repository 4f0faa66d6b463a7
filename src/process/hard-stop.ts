// The soft stop's timing. `grace TIME` (global): after SIGUSR1 the listeners keep accepting
// for TIME before the soft stop starts (HAProxy's soft_stop()).
// `hard-stop-after TIME` (global): the longest a soft stop (SIGUSR1) may take. When it runs
// out, the connections still open are closed and the process exits, with HAProxy's warnings
// (proxy.c hard_stop()): one line for the hard stop, one per frontend that still had
// connections. If the workers do not finish within a second after that, HAProxy gives up
// waiting ("Some tasks resisted to hard-stop") and so do we.

import type { KwContext, SectionKeyword } from '../config/keyword.js';
import type { ConfigModel } from '../config/model.js';
import { parseTime } from '../config/units.js';
import type { DataPlane } from '../dataplane/runtime.js';
import type { ProcessLog } from '../log/process-log.js';
import { LOG_LEVEL } from '../log/target.js';

/** How long HAProxy waits for the killed streams to go before exiting anyway. */
const RESIST_MS = 1000;

/**
 * A global `<keyword> <time>` parsed as HAProxy's keyword table parses `hard-stop-after` and
 * `grace`, with its messages: those end with a newline of their own, so an empty line
 * follows them. Further words are ignored, as HAProxy ignores them.
 */
export function globalTime(ctx: KwContext, name: string): number | undefined {
  const text = ctx.args[0];
  if (text === undefined) {
    ctx.diag.alert('E_MISSING_ARG', ctx.loc, `'${name}' expects <time> as argument.`, ['']);
    return undefined;
  }
  const r = parseTime(text, name);
  if (!r.ok) {
    const bad = /^unexpected character '(.*)' in /s.exec(r.error);
    if (!bad) return ctx.fail(r.error);
    ctx.diag.alert('E_BAD_ARG', ctx.loc, `unexpected character '${bad[1]}' in argument to <${name}>.`, ['']);
    return undefined;
  }
  // HAProxy rounds a sub-millisecond time up, so only a zero time means "none" (its default).
  return r.value === 0 && /[1-9]/.test(text) ? 1 : r.value;
}

export const HARD_STOP_AFTER: SectionKeyword = {
  name: 'hard-stop-after',
  status: 'ready',
  summary: 'after a soft stop (SIGUSR1), connections still open after TIME are closed and the process exits',
  parse: (ctx) => globalTime(ctx, 'hard-stop-after'),
};

/** `grace <time>`: after SIGUSR1, listeners keep accepting this long before the soft stop. */
export const GRACE: SectionKeyword = {
  name: 'grace',
  status: 'ready',
  summary: 'after SIGUSR1, listeners keep accepting for TIME before the soft stop begins',
  parse: (ctx) => globalTime(ctx, 'grace'),
};

/** The configured grace in ms (0: none). */
export function graceMs(model: ConfigModel): number {
  const v = model.global.settings['grace']?.value;
  return typeof v === 'number' && v > 0 ? v : 0;
}

/** The configured limit in ms, or undefined when soft stops may take as long as they need. */
export function hardStopAfter(model: ConfigModel): number | undefined {
  const v = model.global.settings['hard-stop-after']?.value;
  return typeof v === 'number' && v > 0 ? v : undefined;
}

export interface HardStop {
  /** The soft stop finished in time. */
  cancel(): void;
}

/**
 * Started with a soft stop: after `ms`, close what is still open (`dp.stop()`), which ends
 * the soft stop's wait; `giveUp` is called if even that does not finish within a second.
 */
export function scheduleHardStop(ms: number, dp: DataPlane, warn: (message: string) => void, giveUp: () => void, syslog?: ProcessLog): HardStop {
  let resisted: NodeJS.Timeout | undefined;
  // Each message also goes to the global `log` lines, or the proxy's (send_log(p, ...)).
  const say = (m: string, proxy?: string): void => {
    warn(m);
    if (proxy) syslog?.proxy(proxy, LOG_LEVEL.warning, m, 'frontend');
    else syslog?.global(LOG_LEVEL.warning, m);
  };
  const timer = setTimeout(() => {
    say('soft-stop running for too long, performing a hard-stop.');
    for (const fe of dp.runtime.frontends) {
      const open = dp.gauges.frontend(fe.index);
      if (open > 0) say(`Proxy ${fe.name} hard-stopped (${open} remaining conns will be closed).`, fe.name);
    }
    resisted = setTimeout(() => {
      say('Some tasks resisted to hard-stop, exiting now.');
      giveUp();
    }, RESIST_MS);
    void dp.stop();
  }, ms);
  return {
    cancel() {
      clearTimeout(timer);
      clearTimeout(resisted);
    },
  };
}
