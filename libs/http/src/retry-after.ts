/** Milliseconds since the epoch; injectable so tests control time. */
export type Clock = () => number;

/**
 * Retry-After as milliseconds to wait: delta seconds (`120`) or an HTTP date, never negative.
 * Undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, clock: Clock = Date.now): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  // Every HTTP-date form starts with a day name; Date.parse alone would take "-5" for a year.
  const date = /^[A-Za-z]{3}/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - clock());
}
