// Child processes of the suite: every one is started through taskset on the CPUs the pinning
// plan gives it, and stopped by its own pid.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Whether an executable is on PATH (or is an existing absolute path). */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${JSON.stringify(cmd)}`], { stdio: 'ignore' }).status === 0;
}

/** First line of `cmd args` (stdout or stderr), for version strings; undefined if it fails. */
export function versionLine(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  if (r.error) return undefined;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '')?.trim();
}

/** `cmd args` on `cpus` (a taskset list such as "1" or "0-1"); stderr goes to ours. */
export function pinned(cpus: string, cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess {
  return spawn('taskset', ['-c', cpus, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
}

/** Pins every thread of this process (the suite itself stays off the proxy's CPU). */
export function pinSelf(cpus: string): void {
  spawnSync('taskset', ['-apc', cpus, String(process.pid)], { stdio: 'ignore' });
}

/** Keeps the last few KiB of a child's stderr, to explain a failure. */
export function stderrTail(p: ChildProcess): () => string {
  let tail = '';
  p.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4096);
  });
  return () => tail;
}

/** The first stdout line of `p`; rejects if it exits first. */
export function firstLine(p: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: p.stdout! });
    const onExit = (code: number | null): void => reject(new Error(`exited with ${code} before answering`));
    rl.once('line', (l) => {
      p.off('exit', onExit);
      rl.close();
      resolve(l);
    });
    p.once('exit', onExit);
  });
}

/** Everything `p` writes to stdout, once it exits (rejects on a non-zero exit). */
export function output(p: ChildProcess, err: () => string = () => ''): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.once('exit', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${p.spawnargs.slice(3).join(' ')} exited with ${code ?? signal}: ${err().trim().slice(-500)}`));
    });
  });
}

/** SIGTERM, then SIGKILL if still there after `graceMs`; resolves once it has exited. */
export function stop(p: ChildProcess, graceMs = 5000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.kill('SIGTERM');
  });
}
