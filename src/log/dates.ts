// The date pieces HAProxy's texts share (log headers, log-format aliases, mail Date headers,
// `show errors`): English month and day names, two-digit fields, and the local time's offset
// from UTC ("+0100", or "+01:00" for ISO 8601).

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
export const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

export const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The offset of local time at `d` from UTC, "+HHMM" (`colon`: "+HH:MM"). */
export function utcOffset(d: Date, colon = false): string {
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  return `${off < 0 ? '-' : '+'}${pad2(Math.floor(a / 60))}${colon ? ':' : ''}${pad2(a % 60)}`;
}
