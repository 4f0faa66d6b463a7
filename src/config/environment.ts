// The environment a configuration is parsed against. HAProxy's `setenv`, `presetenv`,
// `unsetenv` and `resetenv` call setenv(3)/unsetenv(3) while the file is being read, so the
// lines after them expand "${NAME}" (and test `.if defined(NAME)`) against the changed
// environment. We record those changes as an overlay on the starting environment instead of
// touching process.env while parsing: `-c`, tests and the daemon's parent must not be changed
// by a configuration they only read. The process that runs the configuration applies the
// result to process.env (see applyTo) before its worker threads start, so they inherit it.

import type { Env } from './keyword.js';

export class ConfigEnvironment implements Env {
  /** Variables set (string) or removed (null) by the configuration so far. */
  private readonly changes = new Map<string, string | null>();
  /** After `resetenv`, the starting environment is hidden: only `changes` remain. */
  private cleared = false;

  constructor(private readonly base: Env) {}

  get cwd(): string {
    return this.base.cwd;
  }

  /** Bound, so that it can be handed on as a plain function (the tokenizer, conditions). */
  readonly getenv = (name: string): string | undefined => {
    const changed = this.changes.get(name);
    if (changed !== undefined) return changed ?? undefined;
    return this.cleared ? undefined : this.base.getenv(name);
  };

  /**
   * setenv(3): `overwrite` false is `presetenv` (an existing variable, even empty, is kept).
   * Returns strerror()'s text when glibc would refuse the name, as HAProxy prints it.
   */
  set(name: string, value: string, overwrite: boolean): string | undefined {
    const bad = badName(name);
    if (bad) return bad;
    if (!overwrite && this.getenv(name) !== undefined) return undefined;
    this.changes.set(name, value);
    return undefined;
  }

  /** unsetenv(3): a variable that does not exist is not an error. */
  unset(name: string): string | undefined {
    const bad = badName(name);
    if (bad) return bad;
    this.changes.set(name, null);
    return undefined;
  }

  /** `resetenv [NAME...]`: remove every variable except those named, which keep their values. */
  resetExcept(keep: readonly string[]): void {
    const kept = new Map<string, string>();
    for (const name of keep) {
      const v = this.getenv(name);
      if (v !== undefined) kept.set(name, v);
    }
    this.cleared = true;
    this.changes.clear();
    for (const [k, v] of kept) this.changes.set(k, v);
  }

  /** True when the configuration changed nothing. */
  get unchanged(): boolean {
    return !this.cleared && this.changes.size === 0;
  }

  /**
   * Make `target` (process.env in the running process) what the configuration left: assigning
   * and deleting process.env keys calls setenv(3)/unsetenv(3), so native code and threads
   * started afterwards see the same environment HAProxy would have. Names in `preserve` are
   * left alone whatever the configuration did (Switchyard's own start-up plumbing).
   */
  applyTo(target: NodeJS.ProcessEnv, preserve: readonly string[] = []): void {
    const keep = new Set(preserve);
    if (this.cleared) {
      for (const k of Object.keys(target)) if (!keep.has(k) && !this.changes.has(k)) delete target[k];
    }
    for (const [k, v] of this.changes) {
      if (keep.has(k)) continue;
      if (v === null) delete target[k];
      else target[k] = v;
    }
  }
}

/** glibc's setenv/unsetenv fail with EINVAL on an empty name or one containing '='. */
function badName(name: string): string | undefined {
  return name === '' || name.includes('=') ? 'Invalid argument' : undefined;
}
