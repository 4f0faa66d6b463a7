// random[(draws)]: draw `draws` servers at random, weighted, and keep the least loaded one
// ("power of two choices" by default, as HAProxy's random(2)).

import { SRV } from '../ipc/server-table.js';
import { cached } from './candidates.js';
import type { BalancerFactory } from './types.js';

export const random: BalancerFactory = (ctx, spec) => {
  const draws = typeof spec['draws'] === 'number' && spec['draws'] > 0 ? spec['draws'] : 2;
  const usable = cached(ctx, (list) => list);
  return {
    select(_input, avoid) {
      const list = usable(avoid).list;
      if (list.length === 0) return -1;
      const weights = list.map((s) => Math.max(0, ctx.table.get(s.slot, SRV.WEIGHT)));
      const total = weights.reduce((a, b) => a + b, 0);
      let best = -1;
      let bestLoad = Infinity;
      for (let d = 0; d < draws; d++) {
        let r = ctx.random() * total;
        let i = 0;
        while (i < list.length - 1 && r >= weights[i]!) r -= weights[i++]!;
        const s = list[i]!;
        const load = ctx.table.get(s.slot, SRV.CUR_CONN) / Math.max(1, weights[i]!);
        if (load < bestLoad) {
          bestLoad = load;
          best = s.slot;
        }
      }
      return best;
    },
  };
};
