// Applying the start-up limits (./limits.ts says which), with HAProxy 2.6.12's messages:
//   [PROG.main()] Cannot raise FD limit to N, limit is CUR.   (alert + exit 1, or warning)
//   [PROG.main()] Cannot fix MEM limit to N megs.             (alert + exit 1, or warning)
// Setting a limit needs the native addon (Node has no setrlimit). Without it the current limits
// are read from /proc/self/limits: when nothing has to change, nothing is missed (HAProxy makes
// no call either); when a change is needed, a notice says why it cannot be made and it counts
// as a limit that could not be set, fatal under strict-limits like any other.

import { readFileSync } from 'node:fs';
import type { NativeAddon, Rlimit, RlimitResource } from '../native/addon.js';

/** How the policy below reaches the kernel; a fake in unit tests. */
export interface RlimitAccess {
  /** undefined: the limits cannot be read here. */
  get(resource: RlimitResource): Rlimit | undefined;
  /** Throws when the kernel refuses. Absent: limits cannot be set (no native addon). */
  readonly set?: (resource: RlimitResource, soft: number, hard: number) => void;
  /** Why `set` is absent, for the notice. */
  readonly unavailable?: string;
  /** Bytes of address space the process maps now (VmSize); undefined when unknown. */
  mapped(): number | undefined;
}

export interface LimitLog {
  alert(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
}

const PROC_NAMES: Partial<Record<RlimitResource, string>> = { nofile: 'Max open files', as: 'Max address space' };

/** A limit from /proc/self/limits (Linux), for when the addon is not loaded. */
function procLimit(resource: RlimitResource): Rlimit | undefined {
  const label = PROC_NAMES[resource];
  if (label === undefined) return undefined;
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith(label));
    const m = line && /^.{26}(\S+)\s+(\S+)/.exec(line);
    if (!m) return undefined;
    const num = (s: string): number => (s === 'unlimited' ? Infinity : Number(s));
    return { soft: num(m[1]!), hard: num(m[2]!) };
  } catch {
    return undefined;
  }
}

function vmSize(): number | undefined {
  try {
    const m = /^VmSize:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The real process limits: through the addon, or read-only from /proc without it (`whyNot`). */
export function systemRlimits(addon: Pick<NativeAddon, 'getrlimit' | 'setrlimit'> | undefined, whyNot: string | undefined): RlimitAccess {
  if (addon) return { get: (r) => addon.getrlimit(r), set: (r, s, h) => addon.setrlimit(r, s, h), mapped: vmSize };
  return { get: procLimit, unavailable: `native addon not loaded (${whyNot ?? 'unknown reason'})`, mapped: vmSize };
}

/** How HAProxy prints an rlim_t: `(int)`, so RLIM_INFINITY reads -1. */
const cInt = (v: number): number => (v === Infinity ? -1 : Number(BigInt.asIntN(32, BigInt(v))));

/**
 * Raises RLIMIT_NOFILE to `want` (never lowers it). Returns false when the process must exit 1
 * (strict-limits); the alert or warning has been logged.
 */
export function raiseFdLimit(want: number, strict: boolean, program: string, rl: RlimitAccess, log: LimitLog): boolean {
  if (want === 0) return true;
  const now = rl.get('nofile');
  // HAProxy keeps the hard limit it found ("unlimited" counts as the soft one) unless asked for more.
  const keepHard = now === undefined ? want : now.hard === Infinity ? now.soft : now.hard;
  const target = { soft: want, hard: Math.max(keepHard, want) };
  let ok: boolean;
  // A negative value becomes a huge rlim_t in HAProxy, which no kernel grants.
  if (want < 0) ok = false;
  // Only raised: asking for no more than there is changes nothing and calls nothing.
  else if (now !== undefined && target.soft <= now.soft && target.hard <= now.hard) ok = true;
  else ok = trySet(rl, 'nofile', target.soft, target.hard, log, `the FD limit cannot be raised to ${want}`);
  if (ok) return true;

  let after = rl.get('nofile');
  const text = (cur: Rlimit | undefined): string => `[${program}.main()] Cannot raise FD limit to ${want}, limit is ${cur ? cInt(cur.soft) : 'unknown'}.`;
  if (strict) {
    log.alert(text(after));
    return false;
  }
  // `no strict-limits`: take all the hard limit allows, then say what we got.
  if (after && rl.set && after.soft < after.hard) {
    try {
      rl.set('nofile', after.hard, after.hard);
      after = rl.get('nofile');
    } catch {
      // keep what we have; the warning below gives the limit in force
    }
  }
  log.warning(text(after));
  return true;
}

/**
 * `-m MEGS`: RLIMIT_AS (soft and hard) to MEGS MiB, as HAProxy. V8 reserves address space
 * well beyond what it uses, so a limit below what the process maps already would only make it
 * abort on its next reservation: that counts as a limit that cannot be set. Run once the
 * workers have started, so their reservations are in place. Returns false: exit 1.
 */
export function fixMemLimit(megs: number, strict: boolean, program: string, rl: RlimitAccess, log: LimitLog): boolean {
  if (megs <= 0) return true;
  const bytes = megs * 1048576;
  const mapped = rl.mapped();
  let ok = false;
  if (mapped !== undefined && mapped > bytes) {
    log.notice(`-m ${megs}: the process already maps ${Math.ceil(mapped / 1048576)} MB of address space (Node.js and V8 reserve it up front); a lower RLIMIT_AS would make it abort.`);
  } else {
    ok = trySet(rl, 'as', bytes, bytes, log, `the memory limit cannot be set to ${megs} megs`);
  }
  if (ok) return true;
  const text = `[${program}.main()] Cannot fix MEM limit to ${megs} megs.`;
  if (strict) log.alert(text);
  else log.warning(text);
  return !strict;
}

function trySet(rl: RlimitAccess, resource: RlimitResource, soft: number, hard: number, log: LimitLog, what: string): boolean {
  if (!rl.set) {
    log.notice(`${rl.unavailable ?? 'setrlimit() unavailable'}: ${what}.`);
    return false;
  }
  try {
    rl.set(resource, soft, hard);
    return true;
  } catch {
    // The kernel said no (EPERM, EINVAL): HAProxy's message follows, not errno's.
    return false;
  }
}
