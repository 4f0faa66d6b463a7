// Daemon mode (-D, or `daemon` in global): the process starts a detached copy of itself and
// exits once that copy is serving (0) or has failed to start (1), so init scripts see the
// same outcome as with HAProxy. The copy writes the pidfile and keeps running alone.

import { spawn } from 'node:child_process';

export const DAEMON_ENV = 'SWITCHYARD_DAEMONIZED';

export type DaemonMessage = { readonly type: 'ready' } | { readonly type: 'failed' };

/** In the parent: start the detached copy and wait for its word. Resolves to the exit code. */
export function daemonize(argv: readonly string[]): Promise<number> {
  const args = argv.filter((a) => a !== '-D');
  const child = spawn(process.execPath, [process.argv[1]!, ...args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, [DAEMON_ENV]: '1' },
  });
  return new Promise<number>((resolve) => {
    child.once('message', (m: DaemonMessage) => {
      child.disconnect();
      child.unref();
      resolve(m.type === 'ready' ? 0 : 1);
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** In the daemon: tell the parent how start-up went, then stop talking to it. */
export function reportToParent(m: DaemonMessage): void {
  if (process.env[DAEMON_ENV] === '1' && process.send) {
    process.send(m);
    process.disconnect?.();
  }
}
