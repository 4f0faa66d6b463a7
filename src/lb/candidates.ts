// Which servers may take traffic now: usable primaries; when none, backups — only the first
// usable one (by declaration order) unless `option allbackups`, as HAProxy does.

import { LB_SHARED, type LbContext, type LbServer } from './types.js';

export function candidates(ctx: LbContext, avoid?: number): LbServer[] {
  const usable = ctx.servers.filter((s) => s.slot !== avoid && ctx.table.usable(s.slot));
  const primaries = usable.filter((s) => !s.backup);
  if (primaries.length > 0) return primaries;
  const backups = usable.filter((s) => s.backup);
  return ctx.allBackups ? backups : backups.slice(0, 1);
}

/**
 * Build something from the candidate list, again only when the backend's state version
 * moved (or for a redispatch, which avoids one server and is rare).
 */
export function cached<T>(ctx: LbContext, build: (list: LbServer[]) => T): (avoid?: number) => { list: LbServer[]; value: T } {
  let version = -1;
  let memo: { list: LbServer[]; value: T } | undefined;
  return (avoid) => {
    if (avoid !== undefined && avoid >= 0) {
      const list = candidates(ctx, avoid);
      return { list, value: build(list) };
    }
    const v = Atomics.load(ctx.shared, LB_SHARED.VERSION);
    if (!memo || v !== version) {
      const list = candidates(ctx);
      memo = { list, value: build(list) };
      version = v;
    }
    return memo;
  };
}
