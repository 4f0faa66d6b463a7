// Consistent hashing as HAProxy 2.6 does it (lb_chash.c), for any 32-bit key:
//  - a server with user weight w has w × 16 points (its effective weight: BE_WEIGHT_SCALE,
//    with no gcd reduction in this mode); point n of the server with id `id` sits at
//    avalanche(id × 4096 + n) — 4096 being the effective-weight range 256 × 16 — so a
//    server's points depend only on its id and weight: same ids, same ring everywhere;
//  - a lookup takes the first point at or after the key (wrapping) and the point before it,
//    and keeps the closer of the two, the one before on a tie;
//  - a server to avoid (redispatch) is skipped by walking on to the following points,
//    wrapping once; if every point is the avoided server's, it is returned anyway.
// Active and backup servers have separate rings; the caller builds one from the servers in
// use (./candidates.ts gives the same set HAProxy's tree holds). `hash-balance-factor`
// (bounded loads) is not implemented: without it HAProxy does exactly this.

import { fullHash } from './hash.js';
import { WEIGHT_SCALE } from './schedule.js';

/** HAProxy's SRV_EWGHT_RANGE: the user weight range (256) × the weight scale (16). */
export const EWEIGHT_RANGE = 256 * WEIGHT_SCALE;

/** Where point `n` of the server with numeric id `id` sits on the ring. */
export function pointKey(id: number, n: number): number {
  return fullHash((Math.imul(id, EWEIGHT_RANGE) + n) >>> 0);
}

export interface RingMember<T> {
  readonly item: T;
  /** The server's numeric id (HAProxy's puid). */
  readonly id: number;
  /** Number of points; `ChashRing.weighted` gives user weight × 16. */
  readonly points: number;
}

export class ChashRing<T> {
  /** Point keys in ascending order. */
  private readonly keys: Uint32Array;
  /** Index in `items` of each point's owner. */
  private readonly owners: Uint32Array;
  readonly items: readonly T[];

  constructor(members: readonly RingMember<T>[]) {
    this.items = members.map((m) => m.item);
    const total = members.reduce((a, m) => a + Math.max(0, m.points), 0);
    const keys = new Uint32Array(total);
    const owners = new Uint32Array(total);
    let k = 0;
    members.forEach((m, i) => {
      for (let n = 0; n < m.points; n++, k++) {
        keys[k] = pointKey(m.id, n);
        owners[k] = i;
      }
    });
    // Stable: equal keys (rare) keep member then point order, HAProxy's insertion order at start.
    const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
    this.keys = Uint32Array.from(order, (i) => keys[i]!);
    this.owners = Uint32Array.from(order, (i) => owners[i]!);
  }

  /** A ring whose members have `weight × 16` points each (HAProxy's effective weight). */
  static weighted<T>(members: readonly { item: T; id: number; weight: number }[]): ChashRing<T> {
    return new ChashRing(members.map((m) => ({ item: m.item, id: m.id, points: Math.max(0, m.weight) * WEIGHT_SCALE })));
  }

  /** Number of points on the ring. */
  get size(): number {
    return this.keys.length;
  }

  /** The owner of the `i`-th point in key order: HAProxy's round-robin walk over the ring visits points in this order. */
  ownerAt(i: number): T {
    return this.items[this.owners[i]!]!;
  }

  /** The member owning the point chosen for `hash`, skipping `avoid` where another exists; undefined if the ring is empty. */
  lookup(hash: number, avoid?: T): T | undefined {
    const n = this.keys.length;
    if (n === 0) return undefined;
    hash >>>= 0;
    // First point with key >= hash, wrapping to the first point.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    let at = lo === n ? 0 : lo;
    const prev = at === 0 ? n - 1 : at - 1;
    const dp = (hash - this.keys[prev]!) >>> 0;
    const dn = (this.keys[at]! - hash) >>> 0;
    if (dp <= dn) at = prev;
    if (avoid !== undefined) {
      let wraps = 0;
      while (this.items[this.owners[at]!] === avoid) {
        if (++at === n) {
          at = 0;
          if (++wraps > 1) break;
        }
      }
    }
    return this.items[this.owners[at]!];
  }
}
