// roundrobin and static-rr: a smooth weighted schedule over the usable servers, walked with a
// ticket taken atomically from shared memory, so the distribution is exact across worker
// threads (9 connections over 3 equal servers are 3/3/3). roundrobin follows the servers'
// current weights; static-rr keeps the configured ones.

import { SRV } from '../ipc/server-table.js';
import { cached } from './candidates.js';
import { gcd, haproxyMap, smoothSequence } from './schedule.js';
import { weightsOf } from './source.js';
import { LB_SHARED, type Balancer, type BalancerFactory, type LbServer } from './types.js';

function make(dynamicWeights: boolean): BalancerFactory {
  return (ctx) => {
    const schedule = cached(ctx, (list): LbServer[] => {
      if (list.length === 0) return [];
      if (!dynamicWeights) {
        // static-rr walks HAProxy's server map in order, as HAProxy does.
        return haproxyMap(weightsOf(ctx, list)).map((i) => list[i]!);
      }
      const w = list.map((s) => ctx.table.get(s.slot, SRV.WEIGHT));
      const g = w.reduce((a, b) => gcd(a, b), 0) || 1;
      return smoothSequence(w.map((x) => x / g)).map((i) => list[i]!);
    });
    const b: Balancer = {
      select(_input, avoid) {
        const seq = schedule(avoid).value;
        if (seq.length === 0) return -1;
        const t = Atomics.add(ctx.shared, LB_SHARED.TICKET, 1) >>> 0;
        return seq[t % seq.length]!.slot;
      },
    };
    return b;
  };
}

export const roundrobin = make(true);
export const staticRr = make(false);
