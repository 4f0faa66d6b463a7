// `option external-check` (extcheck.c): each check runs `external-check command` with
// <proxy_address> <proxy_port> <server_address> <server_port> and only HAProxy's
// environment (HAPROXY_PROXY_*, HAPROXY_SERVER_*, PATH from `external-check path`, "" by
// default). Exit 0 passes (PROCOK); another exit or a signal fails (PROCERR, code: the exit
// status, -1 for a signal); still running at min(inter, timeout connect) (with `timeout
// check`) or inter: SIGTERM, "kill PID" and PROCTOUT.

import { spawn, type ChildProcess } from 'node:child_process';
import type { RunHandle, RunResult } from './session.js';
import { strerror } from '../net/strerror.js';

export interface ExternalSpec {
  readonly command: string;
  readonly path: string;
  readonly args: readonly string[];
  /** Read at each run: the environment (HAPROXY_SERVER_CURCONN changes). */
  env(): Record<string, string>;
}

export interface ExternalHooks {
  warning(message: string): void;
  alert(message: string): void;
}

/** The last exit code, which a timeout reports again (HAProxy keeps check->code). */
export class ExternalRun implements RunHandle {
  private child: ChildProcess | null = null;
  private timer: NodeJS.Timeout | null = null;
  private done = false;

  constructor(
    spec: ExternalSpec,
    timeoutMs: number,
    lastCode: number,
    hooks: ExternalHooks,
    private readonly report: (r: RunResult) => void,
  ) {
    const started = Date.now();
    const finish = (r: Omit<RunResult, 'durationMs'>): void => {
      if (this.done) return;
      this.done = true;
      if (this.timer) clearTimeout(this.timer);
      this.report({ ...r, durationMs: Date.now() - started });
    };
    const child = spawn(spec.command, [...spec.args], { env: { ...spec.env(), PATH: spec.path }, stdio: 'ignore' });
    this.child = child;
    child.on('error', (e: NodeJS.ErrnoException) => {
      // The forked child could not exec the command: HAProxy's child says so and exits -1.
      if (e.code === 'ENOENT' || e.code === 'EACCES') hooks.alert(`Failed to exec process for external health check: ${strerror(e.code)}. Aborting.`);
      finish({ status: 'PROCERR', info: '', code: 255 });
    });
    child.on('exit', (code, signal) => {
      this.child = null;
      if (signal !== null || code === null) finish({ status: 'PROCERR', info: '', code: -1 });
      else finish({ status: code === 0 ? 'PROCOK' : 'PROCERR', info: '', code });
    });
    this.timer = setTimeout(() => {
      if (this.done) return;
      if (child.pid !== undefined) hooks.warning(`kill ${child.pid}`);
      child.kill('SIGTERM');
      finish({ status: 'PROCTOUT', info: '', code: lastCode });
    }, Math.max(1, Math.min(timeoutMs, 2 ** 31 - 1)));
    this.timer.unref();
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.child?.kill('SIGTERM');
  }
}
