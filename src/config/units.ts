// Time and size units as HAProxy parses them (configuration.txt §2.5; behaviour checked
// against haproxy 2.6.12): a bare number is in the keyword's default unit, suffixes
// us/ms/s/m/h/d; sizes take k/m/g (powers of 1024). Results are plain numbers.

export type UnitResult = { ok: true; value: number } | { ok: false; error: string };

const TIME_UNITS: Record<string, number> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** HAProxy stores times as signed 32-bit milliseconds. */
export const TIME_MAX_MS = 2147483647;

/**
 * Parse a time. `unitMs` is the value of a bare number in ms (1 for most keywords, 1000 for the
 * few documented in seconds). `what` is the keyword for messages, e.g. 'timeout client'.
 */
export function parseTime(text: string, what: string, unitMs = 1): UnitResult {
  const m = /^([0-9]+)(.*)$/.exec(text);
  if (!m) {
    const bad = text[0] ?? '';
    return { ok: false, error: `unexpected character '${bad}' in '${what}'` };
  }
  const digits = m[1]!;
  const suffix = m[2]!;
  let scale = unitMs;
  if (suffix !== '') {
    const s = TIME_UNITS[suffix];
    if (s === undefined) {
      // HAProxy names the first character it could not use.
      const unitPrefix = /^(us|ms|s|m|h|d)/.exec(suffix);
      const bad = unitPrefix ? suffix[unitPrefix[0].length] ?? suffix[0]! : suffix[0]!;
      return { ok: false, error: `unexpected character '${bad}' in '${what}'` };
    }
    scale = s;
  }
  const value = Math.floor(Number(digits) * scale);
  if (!Number.isFinite(value) || value > TIME_MAX_MS) {
    return {
      ok: false,
      error: `timer overflow in argument '${text}' to '${what}' (maximum value is 2147483647 ms or ~24.8 days)`,
    };
  }
  return { ok: true, value };
}

/** Parse a size with optional k/m/g suffix (case-insensitive), as HAProxy's parse_size_err. */
export function parseSize(text: string, what: string): UnitResult {
  const m = /^([0-9]+)([kKmMgG]?)$/.exec(text);
  if (!m) {
    const bad = text.replace(/^[0-9]+/, '')[0] ?? text[0] ?? '';
    return { ok: false, error: `unexpected character '${bad}' in '${what}'` };
  }
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()] ?? 1;
  const value = Number(m[1]) * mult;
  if (!Number.isSafeInteger(value)) return { ok: false, error: `value too large in '${what}'` };
  return { ok: true, value };
}

const LONG_MAX = (1n << 63n) - 1n;

/**
 * A value HAProxy reads with atol() into a C int: strtol saturates at the long's bounds, the
 * int keeps the low 32 bits (3000000000 becomes -1294967296).
 */
export function atolToCInt(v: bigint): number {
  const long = v > LONG_MAX ? LONG_MAX : v < -LONG_MAX - 1n ? -LONG_MAX - 1n : v;
  return Number(BigInt.asIntN(32, long));
}

/** A word read as glibc's atoi()/atol()-into-int reads it: leading digits ('3x' is 3, 'abc' is 0), wrapped. */
export function atoiCInt(text: string): number {
  const m = /^\s*([+-]?[0-9]+)/.exec(text);
  return m ? atolToCInt(BigInt(m[1]!)) : 0;
}

/**
 * HAProxy reads most integers with atol(): leading digits count, the rest is ignored
 * ('maxconn 1k' is 1). We keep the value it would use and tell the caller about the rest,
 * so that the caller can warn instead of ignoring it silently.
 */
export function parseLooseInt(text: string): { value: number; trailing: string } | undefined {
  const m = /^\s*([+-]?[0-9]+)(.*)$/s.exec(text);
  if (!m) return undefined;
  return { value: Number(m[1]), trailing: m[2]! };
}
