// Reading what a process costs from /proc: CPU time of all its threads (utime + stime, in
// clock ticks of 10 ms) and resident memory. Used around each benchmark phase.

import { readFileSync } from 'node:fs';

const TICK_S = 0.01;

/** CPU seconds used so far by `pid` (all threads). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_S;
}

/** Resident set size of `pid`, in KiB. */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s*(\d+)/.exec(status)?.[1] ?? 0);
}

// Ports and readiness: the tests' helpers (ports below the ephemeral range, no self-connect).
export { freePort, connectWhenUp } from '../../test/helpers/net.js';

export function cpuModel(): string {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
