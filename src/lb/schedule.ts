// A weighted sequence in which each server appears `weight` times, spread smoothly: at every
// step each server gains its weight, the richest is chosen and pays the total. HAProxy fills
// its map-based hash table the same way, so `balance source` with map-based hashing picks
// the same server for the same key.

export function smoothSequence(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const score = weights.map(() => 0);
  const out: number[] = [];
  for (let step = 0; step < total; step++) {
    let best = -1;
    for (let i = 0; i < weights.length; i++) {
      if (weights[i]! <= 0) continue;
      score[i]! += weights[i]!;
      if (best < 0 || score[i]! > score[best]!) best = i;
    }
    score[best]! -= total;
    out.push(best);
  }
  return out;
}

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** HAProxy's weight scale: effective weights are user weights × 16 / gcd of all weights. */
export const WEIGHT_SCALE = 16;

export function effectiveWeights(userWeights: readonly number[]): number[] {
  const g = userWeights.filter((w) => w > 0).reduce((a, b) => gcd(a, b), 0) || 1;
  return userWeights.map((w) => Math.ceil((w * WEIGHT_SCALE) / g));
}

/**
 * HAProxy's map for map-based hashing and static-rr: `total` slots; at each slot every server
 * gains its effective weight and the first server with the highest score bucket
 * trunc((score + total) / total) takes the slot and pays `total`. The coarse bucket (not the
 * exact score) decides, and declaration order breaks ties: the same key lands on the same
 * server as in HAProxy. `total` (the map size) is the weight sum, except where HAProxy sizes
 * the map by the first backup alone while filling it with every backup (see ./keyed.ts).
 */
export function haproxyMap(eweights: readonly number[], total = eweights.reduce((a, b) => a + b, 0)): number[] {
  const score = eweights.map(() => 0);
  const out: number[] = [];
  for (let o = 0; o < total; o++) {
    let best = -1;
    let max = 0;
    for (let i = 0; i < eweights.length; i++) {
      const w = eweights[i]!;
      if (w <= 0) continue;
      if (total === 1) {
        best = i;
        break;
      }
      score[i]! += w;
      const v = Math.trunc((score[i]! + total) / total);
      if (best < 0 || v > max) {
        max = v;
        best = i;
      }
    }
    out.push(best);
    score[best]! -= total;
  }
  return out;
}
