// source: the client address hashed onto the usable servers, so a client sticks to one server
// while the server set is unchanged, and picks the server HAProxy picks. The key is the XOR
// of the address's 32-bit words, through the avalanche when `hash-type` sets it (HAProxy
// never applies the hash function itself to the address; see ./hash.ts). Map-based (the
// default): key modulo the total weight, looked up in the smooth weighted map. Consistent:
// the key looked up on the ring of ./chash.ts.

import { SRV } from '../ipc/server-table.js';
import { cached } from './candidates.js';
import { ChashRing } from './chash.js';
import { addressKey, hashTypeOf, xorWords } from './hash.js';
import { effectiveWeights, haproxyMap } from './schedule.js';
import type { Balancer, BalancerFactory, LbContext, LbServer } from './types.js';

/** The map-based key without avalanche: the address words XORed. */
export const addressHash = xorWords;

/** Effective weights as HAProxy scales them: the gcd is taken over every server of the backend. */
export function weightsOf(ctx: Parameters<BalancerFactory>[0], list: readonly LbServer[]): number[] {
  const all = ctx.servers.map((s) => ctx.table.get(s.slot, SRV.WEIGHT_INIT));
  const scaled = effectiveWeights([...all, ...list.map((s) => ctx.table.get(s.slot, SRV.WEIGHT))]);
  return scaled.slice(all.length);
}

/** The ring of the servers in use, each with its current weight × 16 points. */
export function ringOf(ctx: LbContext, list: readonly LbServer[]): ChashRing<LbServer> {
  return ChashRing.weighted(list.map((s) => ({ item: s, id: s.id, weight: ctx.table.get(s.slot, SRV.WEIGHT) })));
}

function consistentSource(ctx: LbContext, avalanche: boolean): Balancer {
  const ring = cached(ctx, (list) => ringOf(ctx, list));
  return {
    select(input, avoid) {
      const { list, value } = ring();
      if (list.length === 0) return -1;
      if (!input.src) return list[0]!.slot;
      // HAProxy skips hashing when one server is left: the key is then 0.
      const key = list.length === 1 ? 0 : addressKey(input.src, avalanche);
      const skip = avoid !== undefined && avoid >= 0 ? list.find((s) => s.slot === avoid) : undefined;
      return value.lookup(key, skip)?.slot ?? -1;
    },
  };
}

export const source: BalancerFactory = (ctx, spec) => {
  const hashType = hashTypeOf(spec['hashType']);
  if (hashType.method === 'consistent') return consistentSource(ctx, hashType.avalanche);
  const mapOf = cached(ctx, (list) => (list.length > 1 ? haproxyMap(weightsOf(ctx, list)).map((i) => list[i]!) : list));
  return {
    select(input, avoid) {
      const { list, value: map } = mapOf(avoid);
      if (list.length === 0) return -1;
      if (list.length === 1 || !input.src) return list[0]!.slot;
      return map[addressKey(input.src, hashType.avalanche) % map.length]!.slot;
    },
  };
};
