// The string-keyed balancers (uri, url_param, hdr, hash, rdp-cookie): the request's key (PickInput.key,
// taken by src/http/balance-key.ts) hashed with the backend's `hash-type` function and
// avalanche, then looked up in HAProxy's server map (map-based) or on the ring of ./chash.ts
// (consistent). Without a key, HAProxy falls back to round robin over the same structure:
// the map walked slot by slot, or the ring walked point by point from its lowest key. The
// walk position is the shared ticket, so keyed requests do not move it (as in HAProxy).
//
// Facts from haproxy 2.6.12 (test/fixtures/balance-keys.json, test/lb-keyed.test.ts):
//  - with one server in use, uri, hdr and hash do not look at the request at all (the hash
//    is 0: no fallback even when the header is missing); url_param still hashes its value;
//  - with no usable active server and no `option allbackups`, the map is sized by the first
//    usable backup's weight alone but filled from every usable backup (so a later backup may
//    hold most slots); the consistent ring then answers the first backup only;
//  - map-based hashing ignores the server to avoid on redispatch (the same server is tried
//    again); consistent hashing and the fallback walk skip it.

import { cached } from './candidates.js';
import { hashKey, hashTypeOf } from './hash.js';
import { haproxyMap } from './schedule.js';
import { ringOf, weightsOf } from './source.js';
import { LB_SHARED, type Balancer, type BalancerFactory, type LbContext, type LbServer } from './types.js';

export type KeyedAlgorithm = 'uri' | 'url_param' | 'hdr' | 'hash' | 'rdp-cookie';

/** The servers HAProxy's map holds and how many it counts as in use (lbprm.tot_used). */
interface MapState {
  readonly map: readonly LbServer[];
  readonly used: number;
}

function mapState(ctx: LbContext): MapState {
  const usable = ctx.servers.filter((s) => ctx.table.usable(s.slot));
  const act = usable.filter((s) => !s.backup);
  if (act.length > 0) return { map: haproxyMap(weightsOf(ctx, act)).map((i) => act[i]!), used: act.length };
  const bck = usable.filter((s) => s.backup);
  if (bck.length === 0) return { map: [], used: 0 };
  const w = weightsOf(ctx, bck);
  if (ctx.allBackups) return { map: haproxyMap(w).map((i) => bck[i]!), used: bck.length };
  return { map: haproxyMap(w, w[0]).map((i) => bck[i]!), used: 1 };
}

/** The next server of a round-robin walk over `size` positions, skipping `avoid` when another exists. */
function walk(ctx: LbContext, size: number, at: (i: number) => LbServer, avoid: number | undefined): LbServer {
  const t = Atomics.add(ctx.shared, LB_SHARED.TICKET, 1) >>> 0;
  for (let k = 0; k < size; k++) {
    const s = at((t + k) % size);
    if (s.slot !== avoid) return s;
  }
  return at(t % size);
}

export function keyed(algorithm: KeyedAlgorithm): BalancerFactory {
  // url_param is the one HAProxy hashes even with a single server in use.
  const shortcut = algorithm !== 'url_param';
  return (ctx, spec) => {
    const { method, function: fn, avalanche } = hashTypeOf(spec['hashType']);
    const hash = (key: Uint8Array): number => hashKey(key, fn, avalanche);

    if (method === 'consistent') {
      const ring = cached(ctx, (list) => ringOf(ctx, list));
      return {
        select(input, avoid) {
          const { list, value } = ring();
          if (list.length === 0 || value.size === 0) return -1;
          const skip = avoid !== undefined && avoid >= 0 ? list.find((s) => s.slot === avoid) : undefined;
          if (shortcut && list.length === 1) return value.lookup(0, skip)!.slot;
          if (!input.key) return walk(ctx, value.size, (i) => value.ownerAt(i), avoid).slot;
          return value.lookup(hash(input.key), skip)!.slot;
        },
      } satisfies Balancer;
    }

    // The map is rebuilt only when the backend's state version moves (./candidates.ts).
    const state = cached(ctx, () => mapState(ctx));
    return {
      select(input, avoid) {
        const { map, used } = state().value;
        if (map.length === 0) return -1;
        if (shortcut && used === 1) return map[0]!.slot;
        if (!input.key) return walk(ctx, map.length, (i) => map[i]!, avoid).slot;
        return map[hash(input.key) % map.length]!.slot;
      },
    } satisfies Balancer;
  };
}

