// leastconn: the usable server with the fewest current connections relative to its weight;
// ties are broken by a shared rotating ticket so equal servers share new work evenly.

import { SRV } from '../ipc/server-table.js';
import { cached } from './candidates.js';
import { LB_SHARED, type BalancerFactory } from './types.js';

export const leastconn: BalancerFactory = (ctx) => {
  const usable = cached(ctx, (list) => list);
  return { select(_input, avoid) {
    const list = usable(avoid).list;
    if (list.length === 0) return -1;
    const start = (Atomics.add(ctx.shared, LB_SHARED.TICKET, 1) >>> 0) % list.length;
    let best = -1;
    let bestScore = Infinity;
    for (let n = 0; n < list.length; n++) {
      const s = list[(start + n) % list.length]!;
      const w = Math.max(1, ctx.table.get(s.slot, SRV.WEIGHT));
      const score = (ctx.table.get(s.slot, SRV.CUR_CONN) + 1) / w;
      if (score < bestScore) {
        bestScore = score;
        best = s.slot;
      }
    }
    return best;
  } };
};
