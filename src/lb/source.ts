// source: the client address hashed onto a weighted map of the usable servers (HAProxy's
// map-based hashing: the 32-bit words of the address XORed together, modulo the total
// weight, looked up in the smooth weighted map), so a client sticks to one server while the
// server set is unchanged, and picks the same server HAProxy picks.

import { SRV } from '../ipc/server-table.js';
import { cached } from './candidates.js';
import { effectiveWeights, haproxyMap } from './schedule.js';
import type { BalancerFactory, LbServer } from './types.js';

export function addressHash(src: Uint8Array): number {
  let h = 0;
  for (let i = 0; i + 4 <= src.length; i += 4) {
    h = (h ^ ((src[i]! << 24) | (src[i + 1]! << 16) | (src[i + 2]! << 8) | src[i + 3]!)) >>> 0;
  }
  return h >>> 0;
}

/** Effective weights as HAProxy scales them: the gcd is taken over every server of the backend. */
export function weightsOf(ctx: Parameters<BalancerFactory>[0], list: readonly LbServer[]): number[] {
  const all = ctx.servers.map((s) => ctx.table.get(s.slot, SRV.WEIGHT_INIT));
  const scaled = effectiveWeights([...all, ...list.map((s) => ctx.table.get(s.slot, SRV.WEIGHT))]);
  return scaled.slice(all.length);
}

export const source: BalancerFactory = (ctx) => {
  const mapOf = cached(ctx, (list) => (list.length > 1 ? haproxyMap(weightsOf(ctx, list)).map((i) => list[i]!) : list));
  return {
    select(input, avoid) {
      const { list, value: map } = mapOf(avoid);
      if (list.length === 0) return -1;
      if (list.length === 1 || !input.src) return list[0]!.slot;
      return map[addressHash(input.src) % map.length]!.slot;
    },
  };
};
