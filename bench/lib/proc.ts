// Reading what a process costs from /proc: CPU time of all its threads (utime + stime, in
// clock ticks of 10 ms) and resident memory. Used around each benchmark phase.

import { readFileSync, readdirSync } from 'node:fs';

const TICK_S = 0.01;

/** utime + stime ticks and the parent pid, from a /proc/<pid>/stat line. */
function statFields(pid: number): { ppid: number; ticks: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited between the listing and the read
  }
  // Fields after the command (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** CPU seconds used so far by `pid` (all threads). */
export function cpuSeconds(pid: number): number {
  return (statFields(pid)?.ticks ?? 0) * TICK_S;
}

/**
 * Waits until `cpuS` (a proxy's CPU seconds so far) stays still for `windowMs`: at most one
 * 10 ms tick in the window. A proxy is reachable before its start-up work is over (Switchyard's
 * worker threads compile and V8 collects the start-up garbage for ~0.1 s after it listens), and
 * a phase that starts at once would be charged for it. Gives up after `maxMs`.
 */
export async function quiet(cpuS: () => number, windowMs = 250, maxMs = 5000): Promise<void> {
  const end = Date.now() + maxMs;
  let last = cpuS();
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = cpuS();
    if (now - last <= TICK_S + 1e-9) return;
    last = now;
  }
}

/**
 * CPU seconds used so far by `pid` and every live descendant (all threads). nginx works in
 * child processes, whose time would reach the master's stat only once they exit.
 */
export function treeCpuSeconds(pid: number): number {
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const p = Number(name);
    if (!Number.isInteger(p) || p <= 0) continue;
    const f = statFields(p);
    if (!f) continue;
    ticks.set(p, f.ticks);
    const list = children.get(f.ppid);
    if (list) list.push(p);
    else children.set(f.ppid, [p]);
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    total += ticks.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total * TICK_S;
}

/**
 * Busy seconds (user + nice + system + irq + softirq) of one CPU since boot, from /proc/stat.
 * Comparing a phase's busy time on the proxy's CPU with the proxy's own CPU time shows
 * whether something else ran there (another engineer's tests, say) and disturbed the figures.
 * Interrupt time counts as busy because a process is charged for the softirq work done
 * while it runs (loopback delivery), and the CPU's "system" column is not.
 */
export function cpuBusySeconds(cpu: number): number {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) return 0;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]!) * TICK_S;
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
