// first: the first server by numeric id that still has a free connection slot (its maxconn),
// so servers fill up one after the other; without maxconn the first one takes everything.

import { SRV } from '../ipc/server-table.js';
import { cached } from './candidates.js';
import type { BalancerFactory } from './types.js';

export const first: BalancerFactory = (ctx) => {
  const byId = cached(ctx, (list) => [...list].sort((a, b) => a.id - b.id));
  return { select(_input, avoid) {
    const list = byId(avoid).value;
    for (const s of list) {
      const max = ctx.table.get(s.slot, SRV.MAXCONN);
      if (max === 0 || ctx.table.get(s.slot, SRV.CUR_CONN) < max) return s.slot;
    }
    return list[0]?.slot ?? -1;
  } };
};
