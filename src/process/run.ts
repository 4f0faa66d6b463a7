// Running the configuration: start the data plane, write the pidfile, and handle HAProxy's
// signals — SIGINT/SIGTERM stop now (exit within 2 s), SIGUSR1 soft stop (stop listening,
// let open connections finish), SIGTTOU/SIGTTIN pause/resume listening. Handlers are
// installed before the workers start, so a signal during start-up is honoured too.

import { writeFileSync, rmSync } from 'node:fs';
import type { ConfigModel } from '../config/model.js';
import { DataPlane } from '../dataplane/runtime.js';
import { reportToParent } from './daemon.js';
import { startControlPlane, type ControlService } from './control.js';

export interface RunOptions {
  readonly pidfile?: string;
  readonly pid: number;
  err(text: string): void;
}

export function runConfig(model: ConfigModel, opts: RunOptions): Promise<number> {
  const dp = new DataPlane(model, {
    onProblem: (m) => opts.err(`[ALERT]    (${opts.pid}) : ${m}\n`),
    onNotice: (m) => opts.err(`[NOTICE]   (${opts.pid}) : ${m}\n`),
  });
  const configured = model.global.settings['pidfile']?.value;
  const pidfile = opts.pidfile ?? (typeof configured === 'string' ? configured : undefined);

  // Written before listening, so whoever can connect can also read it.
  if (pidfile) writeFileSync(pidfile, `${opts.pid}\n`);
  return new Promise<number>((resolve) => {
    let ending = false;
    let control: ControlService | null = null;
    const startedAt = Date.now();
    const started = dp.start().then(async () => {
      control = await startControlPlane({
        model,
        dp,
        pid: opts.pid,
        startedAt,
        log: {
          alert: (m) => opts.err(`[ALERT]    (${opts.pid}) : ${m}\n`),
          warning: (m) => opts.err(`[WARNING]  (${opts.pid}) : ${m}\n`),
          notice: (m) => opts.err(`[NOTICE]   (${opts.pid}) : ${m}\n`),
        },
      });
    });
    const stopControl = (): Promise<void> => (control ? control.stop() : Promise.resolve());
    const finish = (code: number): void => {
      if (pidfile) rmSync(pidfile, { force: true });
      resolve(code);
    };
    const hard = (): void => {
      if (ending) return;
      ending = true;
      // Exit within HAProxy's bound even if a worker does not stop in time.
      const guard = setTimeout(() => finish(0), 1500);
      guard.unref();
      void started
        .catch(() => undefined)
        .then(stopControl)
        .then(() => dp.stop())
        .then(() => {
          clearTimeout(guard);
          finish(0);
        });
    };
    process.once('SIGINT', hard);
    process.once('SIGTERM', hard);
    process.once('SIGUSR1', () => {
      if (ending) return;
      ending = true;
      void started.then(stopControl).then(() => dp.softStop()).then(() => finish(0));
    });
    // SIGTTOU/SIGTTIN: release the ports and take them again (HAProxy's pause/resume).
    const say = (what: string, list: { name: string; listen: boolean }[]): void => {
      for (const f of list) opts.err(`[WARNING]  (${opts.pid}) : ${what} ${f.listen ? 'proxy' : 'frontend'} ${f.name}.\n`);
    };
    process.on('SIGTTOU', () => {
      if (!ending) void started.then(async () => say('Paused', await dp.pause()), () => undefined);
    });
    process.on('SIGTTIN', () => {
      if (ending) return;
      void started.then(async () => {
        try {
          say('Resumed', await dp.resume());
        } catch (e) {
          opts.err(`[WARNING]  (${opts.pid}) : ${e instanceof Error ? e.message : String(e)}\n`);
          opts.err(`[ALERT]    (${opts.pid}) : Some proxies refused to restart, probably due to a conflict on a listening port. You may want to try again after the conflicting application is stopped, otherwise a restart might be necessary to resume safe operations.\n`);
        }
      }, () => undefined);
    });
    started.then(
      () => reportToParent({ type: 'ready' }),
      (e: unknown) => {
        reportToParent({ type: 'failed' });
        opts.err(`[ALERT]    (${opts.pid}) : ${e instanceof Error ? e.message : String(e)}\n`);
        ending = true;
        finish(1);
      },
    );
  });
}
