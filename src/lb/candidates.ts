// Which servers may take traffic now: usable primaries; when none, backups — only the first
// usable one (by declaration order) unless `option allbackups`, as HAProxy does.

import type { LbContext, LbServer } from './types.js';

export function candidates(ctx: LbContext, avoid?: number): LbServer[] {
  const usable = ctx.servers.filter((s) => s.slot !== avoid && ctx.table.usable(s.slot));
  const primaries = usable.filter((s) => !s.backup);
  if (primaries.length > 0) return primaries;
  const backups = usable.filter((s) => s.backup);
  return ctx.allBackups ? backups : backups.slice(0, 1);
}

/** A cheap fingerprint of the state that candidate lists and schedules depend on. */
export function stateKey(ctx: LbContext, list: readonly LbServer[], avoid?: number): string {
  let k = `${avoid ?? -1}:`;
  for (const s of list) k += `${s.slot}/${ctx.table.get(s.slot, 2 /* WEIGHT */)},`;
  return k;
}
