// "did you mean 'X' maybe ?" — the nearest known keyword to an unknown word. HAProxy compares
// words by their character-bigram profile (letters by position in the alphabet, digits as one
// class, anything else as a separator class, plus begin/end markers) and suggests the closest
// one unless it is further than twice either word's length. Same idea here, so the same typo
// gets the same suggestion.

const CLASSES = 32;
const BEGIN = 28;
const END = 28;

function classOf(ch: string): number {
  const c = ch.toLowerCase().charCodeAt(0);
  if (c >= 97 && c <= 122) return c - 96;
  if (c >= 48 && c <= 57) return 27;
  return 28;
}

function fingerprint(word: string): Map<number, number> {
  const fp = new Map<number, number>();
  let from = BEGIN;
  for (const ch of word) {
    const to = classOf(ch);
    const k = from * CLASSES + to;
    fp.set(k, (fp.get(k) ?? 0) + 1);
    from = to;
  }
  const k = from * CLASSES + END;
  fp.set(k, (fp.get(k) ?? 0) + 1);
  return fp;
}

function distance(a: Map<number, number>, b: Map<number, number>): number {
  let d = 0;
  for (const [k, v] of a) d += Math.abs(v - (b.get(k) ?? 0));
  for (const [k, v] of b) if (!a.has(k)) d += v;
  return d;
}

/** The best suggestion for `word` among `candidates`, or undefined when none is close. */
export function bestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const fp = fingerprint(word);
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = distance(fp, fingerprint(c));
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  // A distance equal to twice a length is already too far (observed: no hint for slowstart → persist).
  if (bestDist >= 2 * word.length || bestDist >= 2 * best.length) return undefined;
  return best;
}

/** HAProxy's phrasing: "; did you mean 'x' maybe ?" (empty when there is no good match). */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const m = bestMatch(word, candidates);
  return m === undefined ? '' : `; did you mean '${m}' maybe ?`;
}
