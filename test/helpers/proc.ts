// A Switchyard child started on a configuration text, whose stderr lines (HAProxy-style
// [WARNING]/[ALERT] messages) can be awaited as they come. Children still running when the
// test file ends are killed.

import { after } from 'node:test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../bin/switchyard.js', import.meta.url));

const started: ChildProcess[] = [];
after(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A Switchyard child whose stderr lines can be awaited. */
export class Proc {
  readonly lines: string[] = [];
  private waiters: { re: RegExp; from: number; resolve: (l: string) => void }[] = [];
  private partial = '';

  constructor(readonly child: ChildProcess) {
    child.stderr!.on('data', (d: Buffer) => {
      const parts = (this.partial + d.toString('latin1')).split('\n');
      this.partial = parts.pop()!;
      for (const l of parts) {
        this.lines.push(l);
        this.waiters = this.waiters.filter((w) => {
          if (this.lines.length - 1 >= w.from && w.re.test(l)) {
            w.resolve(l);
            return false;
          }
          return true;
        });
      }
    });
  }

  /** The first line matching `re` printed at or after line `from` (default: any so far). */
  waitFor(re: RegExp, from = 0): Promise<string> {
    const hit = this.lines.slice(from).find((l) => re.test(l));
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      this.waiters.push({ re, from, resolve });
      this.child.once('exit', () => reject(new Error(`exited before printing ${re}:\n${this.lines.join('\n')}`)));
    });
  }

  /** The message part of each line, without the "[WARNING]  (PID) : " prefix. */
  messages(): string[] {
    return this.lines.map((l) => l.replace(/^(\[\w+\]\s+)\(\d+\) : /, '$1'));
  }
}

/** `stdout`: keep the child's standard output readable (child.stdout), else it is discarded. */
export function startSwitchyard(cfg: string, env?: NodeJS.ProcessEnv, stdout = false): Proc {
  const dir = mkdtempSync(join(tmpdir(), 'sy-hc-'));
  const file = join(dir, 'sy.cfg');
  writeFileSync(file, cfg);
  const child = spawn(process.execPath, [BIN, '-f', file], { stdio: ['ignore', stdout ? 'pipe' : 'ignore', 'pipe'], ...(env ? { env } : {}) });
  started.push(child);
  return new Proc(child);
}

/** Check HAProxy's text, with the variable check duration replaced. */
export const line = (text: string): RegExp => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/Nms/g, '\\d+ms').replace(/PID/g, '\\d+')}$`);

/**
 * `switchyard -c` on a configuration text written as `t.cfg` in a fresh directory: the exit
 * code and stderr, with the directory and PIDs taken out (as HAProxy's text reads "[t.cfg:N]").
 */
export function checkConfigText(cfg: string): { code: number; err: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sy-check-'));
  const file = join(dir, 't.cfg');
  writeFileSync(file, cfg);
  const r = spawnSync(process.execPath, [BIN, '-c', '-f', file], { encoding: 'latin1' });
  return { code: r.status ?? -1, err: r.stderr.replace(new RegExp(dir.replace(/[/\\]/g, '\\$&') + '/', 'g'), '').replace(/^(\[\w+\]\s+)\(\d+\)/gm, '$1(PID)') };
}
