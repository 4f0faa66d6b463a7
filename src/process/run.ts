// Running the configuration: start the data plane, write the pidfile, and handle HAProxy's
// signals — SIGINT/SIGTERM stop now (exit within 2 s), SIGUSR1 soft stop (stop listening,
// let open connections finish, at most `hard-stop-after`), SIGTTOU/SIGTTIN pause/resume
// listening. Handlers are installed before the workers start, so a signal during start-up is
// honoured too. Once everything is bound, the process takes its configured user and group.
// Resource limits: the FD limit (`ulimit-n`, maxconn) is raised before anything is bound, and
// shared by the worker threads; `-m` last, once the workers have reserved their memory.

import { writeFileSync, rmSync } from 'node:fs';
import type { ConfigModel } from '../config/model.js';
import { DataPlane } from '../dataplane/runtime.js';
import { reportToParent } from './daemon.js';
import { startControlPlane, type ControlService } from './control.js';
import { dropPrivileges, identityOf } from './identity.js';
import { chrootDir, enterChroot } from './chroot.js';
import { graceMs, hardStopAfter, scheduleHardStop } from './hard-stop.js';
import { strictLimits, wantedFds } from './limits.js';
import { fixMemLimit, raiseFdLimit, systemRlimits } from './rlimits.js';
import { loadAddon, loadError } from '../native/addon.js';
import { ProcessLog } from '../log/process-log.js';
import { countDroppedLogs } from '../log/sender.js';
import { FC } from '../ipc/conn-gauges.js';
import { proxiesStopped } from './stop-messages.js';
import { LOG_LEVEL } from '../log/target.js';

export interface RunOptions {
  readonly pidfile?: string;
  readonly pid: number;
  /** argv[0] as HAProxy names itself in "[PROGRAM.main()] ..." alerts. */
  readonly program?: string;
  /** `-m MEGS`: the address-space limit (0 or absent: none). */
  readonly memoryMb?: number;
  err(text: string): void;
}

/** Start-up refused (a limit under strict-limits, the chroot); its alert is already out. */
class LimitRefused extends Error {}

export function runConfig(model: ConfigModel, opts: RunOptions): Promise<number> {
  const program = opts.program ?? 'switchyard';
  const alert = (m: string): void => opts.err(`[ALERT]    (${opts.pid}) : ${m}\n`);
  const warning = (m: string): void => opts.err(`[WARNING]  (${opts.pid}) : ${m}\n`);
  const notice = (m: string): void => opts.err(`[NOTICE]   (${opts.pid}) : ${m}\n`);
  const dp = new DataPlane(model, { onProblem: alert, onNotice: notice });
  // The stop sequence's messages also go to the `log` lines, at HAProxy's severities.
  const syslog = new ProcessLog(model);
  countDroppedLogs(() => dp.gauges.count(-1, FC.DROPPED_LOGS));
  // Before binding, as HAProxy: a limit it cannot have under strict-limits stops it here.
  const strict = strictLimits(model);
  const rlimits = systemRlimits(loadAddon(), loadError());
  if (!raiseFdLimit(wantedFds(model, dp.threads), strict, program, rlimits, { alert, warning, notice })) return Promise.resolve(1);
  const configured = model.global.settings['pidfile']?.value;
  const pidfile = opts.pidfile ?? (typeof configured === 'string' ? configured : undefined);

  // Written before listening, so whoever can connect can also read it.
  if (pidfile) writeFileSync(pidfile, `${opts.pid}\n`);
  return new Promise<number>((resolve) => {
    let ending = false;
    let control: ControlService | null = null;
    let chrooted = false;
    const startedAt = Date.now();
    const started = dp.start().then(async () => {
      control = await startControlPlane({
        model,
        dp,
        pid: opts.pid,
        startedAt,
        log: { alert, warning, notice },
        syslog,
      });
      // The address-space limit first: it measures what is mapped in /proc, out of reach once
      // chrooted. Then, everything bound, the chroot and the configured identity (HAProxy's
      // set_identity). A failure rejects `started`: alert, exit 1.
      if (!fixMemLimit(opts.memoryMb ?? 0, strict, program, rlimits, { alert, warning, notice })) throw new LimitRefused();
      const jail = chrootDir(model);
      if (jail !== undefined) {
        const refused = enterChroot(jail, loadAddon(), program);
        if (refused) {
          alert(refused.alert);
          notice(refused.why);
          throw new LimitRefused();
        }
        chrooted = true;
      }
      dropPrivileges(identityOf(model), program, warning);
    });
    const stopControl = (): Promise<void> => (control ? control.stop() : Promise.resolve());
    const finish = (code: number): void => {
      try {
        // Inside a chroot the path would name a file in the jail: the pidfile stays, as HAProxy's does.
        if (pidfile && !chrooted) rmSync(pidfile, { force: true });
      } catch {
        // Written before `user`/`uid` took effect: the new identity may not remove it.
      }
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
      // From now on, grace period included, the `stopping` fetch is true on every thread.
      dp.gauges.setStopping();
      // `grace`: listeners (the stats socket included) keep accepting a while first, with
      // HAProxy's two notices around it.
      const grace = graceMs(model);
      const waited = (): Promise<void> => {
        if (grace === 0) return Promise.resolve();
        notice(`Scheduling a soft-stop in ${grace} ms.`);
        syslog.global(LOG_LEVEL.warning, `Scheduling a soft-stop in ${grace} ms.`);
        return new Promise((resolve) =>
          setTimeout(() => {
            notice('Grace period expired, proceeding with soft-stop now.');
            syslog.global(LOG_LEVEL.notice, 'Grace period expired, proceeding with soft-stop now.');
            resolve();
          }, grace),
        );
      };
      let cli: number | undefined;
      const noteCli = (): void => {
        if ((model.global.lists['stats socket']?.length ?? 0) > 0) cli = control?.cliConnections?.();
      };
      void started.then(waited).then(noteCli).then(stopControl).then(() => {
        const limit = hardStopAfter(model);
        const hardStop = limit === undefined ? undefined : scheduleHardStop(limit, dp, warning, () => finish(0), syslog);
        proxiesStopped(model, dp, warning, syslog, cli);
        return dp.softStop().finally(() => hardStop?.cancel());
      }).then(() => finish(0), () => undefined); // a failed start-up has already ended it
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
        if (!(e instanceof LimitRefused)) opts.err(`[ALERT]    (${opts.pid}) : ${e instanceof Error ? e.message : String(e)}\n`);
        ending = true;
        finish(1);
      },
    );
  });
}
