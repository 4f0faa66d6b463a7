// Size limits on an HTTP/1 message head, derived the way HAProxy 2.6 enforces them.
//
// Measured against haproxy 2.6.12 (binary search on accepted head sizes at several tunables):
// - the raw head, leading empty lines included, must fit in tune.bufsize - 64 bytes of input
//   buffer (16320 by default; a head padded with OWS hits this one);
// - the head as HAProxy stores it internally must fit in tune.bufsize - tune.maxrewrite:
//   method + URI + version + for each kept header (name + value + 8) <= bufsize - maxrewrite - 85
//   (15275 by default). Values count OWS-trimmed, line endings and ": " do not count, and
//   merged duplicate Content-Length/Host headers do not count;
// - at most tune.http.maxhdr - 1 headers are kept (the manual counts the start line in maxhdr).
// Exceeding any of these is 400 on a request and 502 on a response (not 414/431).

export interface HttpLimits {
  /** Raw bytes a head may occupy from the first received byte to its final line ending. */
  maxHeadBytes: number;
  /** Headers a head may keep after duplicate Content-Length/Host values are merged. */
  maxHeaders: number;
  /**
   * Budget for method/status-line text + URI/reason + version + sum of (name + value + 8) over
   * kept headers: HAProxy's internal (HTX) footprint of the head. Absent: not checked.
   */
  maxHeadCost?: number;
}

/** Fixed part of HAProxy's internal head footprint that the budget does not see. */
export const HEAD_COST_OVERHEAD = 85;
/** Per-header overhead in the internal footprint (the block header). */
export const HEAD_COST_PER_HEADER = 8;
/** Part of the input buffer HAProxy never fills with raw head bytes. */
export const INPUT_BUFFER_RESERVE = 64;

/**
 * HAProxy's effective head limits from its tunables (defaults: 16384, 1024, 101).
 * tune.bufsize is rounded up to a multiple of 16 (64-bit builds); tune.maxrewrite is capped to
 * half of tune.bufsize, as the manual says.
 */
export function limitsFromTune(bufsize = 16384, maxrewrite = 1024, maxhdr = 101): HttpLimits {
  const size = Math.ceil(bufsize / 16) * 16;
  const rewrite = Math.min(Math.max(0, maxrewrite), Math.floor(size / 2));
  return {
    maxHeadBytes: size - INPUT_BUFFER_RESERVE,
    maxHeaders: Math.max(0, maxhdr - 1),
    maxHeadCost: size - rewrite - HEAD_COST_OVERHEAD,
  };
}

/** HAProxy 2.6's defaults: 16320 raw bytes, 100 headers, cost 15275. */
export const DEFAULT_LIMITS: Readonly<HttpLimits> = Object.freeze(limitsFromTune());
