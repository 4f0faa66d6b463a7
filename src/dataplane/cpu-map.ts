// `cpu-map` → the CPU each worker thread is pinned to (HAProxy 2.6 syntax, nbproc gone):
//   cpu-map [auto:]1/<thread-set> <cpu-set>   threads of process 1
//   cpu-map [auto:]1 <cpu-set>                every thread of process 1
// Without "auto:" every thread of the set gets the whole CPU set (we pin to its first CPU
// not yet taken, round robin); with "auto:" threads and CPUs are paired in order.

import type { ConfigModel } from '../config/model.js';

function expand(set: string, max: number): number[] {
  if (set === 'all') return Array.from({ length: max }, (_, i) => i + 1);
  if (set === 'odd') return Array.from({ length: max }, (_, i) => i + 1).filter((n) => n % 2 === 1);
  if (set === 'even') return Array.from({ length: max }, (_, i) => i + 1).filter((n) => n % 2 === 0);
  const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(set);
  if (!m) return [];
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return Array.from({ length: Math.max(0, hi - lo + 1) }, (_, i) => lo + i);
}

function cpus(sets: readonly string[]): number[] {
  return sets.flatMap((s) => {
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(s);
    if (!m) return [];
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    return Array.from({ length: Math.max(0, hi - lo + 1) }, (_, i) => lo + i);
  });
}

/** CPU per worker index (0-based), or null when the worker is not pinned. */
export function cpuPlan(model: ConfigModel, threads: number): (number | null)[] {
  const plan: (number | null)[] = new Array<number | null>(threads).fill(null);
  for (const d of model.global.lists['cpu-map'] ?? []) {
    const [which, ...cpuSets] = d.args;
    if (which === undefined) continue;
    const spec = which.replace(/^auto:/, '');
    const [proc, threadSet] = spec.includes('/') ? spec.split('/', 2) : [spec, 'all'];
    if (!expand(proc!, 1).includes(1)) continue; // only process 1 exists
    const ts = expand(threadSet!, threads).filter((t) => t >= 1 && t <= threads);
    const cs = cpus(cpuSets);
    if (cs.length === 0) continue;
    ts.forEach((t, i) => {
      // With "auto:" threads and CPUs pair in order; without it HAProxy gives every thread the
      // whole set, and since we pin each thread to one CPU, both come to the same pairing.
      plan[t - 1] = cs[i % cs.length]!;
    });
  }
  return plan;
}
