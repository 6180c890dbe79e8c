import { parseArgs, ParseArgsConfig } from 'node:util';

/** Bad command line: the command prints its usage line and exits with 2. */
export class UsageError extends Error {}

type FlagConfig = NonNullable<ParseArgsConfig['options']>;

/** `node:util` parseArgs, strict, no positionals; its errors become UsageErrors. */
export function parseFlags<const O extends FlagConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      // Keep the first sentence; the rest is advice about `--` that does not apply here.
      throw new UsageError((err as Error).message.split(/\.\s/)[0]);
    }
    throw err;
  }
}

export function requireFlag<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

export function integer(flag: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${flag} must be a whole number >= ${min} (got "${value}")`);
  }
  return Number(value);
}

export function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${flag} must be a number > 0 (got "${value}")`);
  }
  return n;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const AGO = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * An instant, in ms since the epoch: ISO 8601 (UTC unless it carries an offset; a bare date is
 * midnight UTC), or a duration before `now` such as `30m`, `2h`, `7d`.
 */
export function instant(flag: string, value: string, now: number): number {
  const ago = AGO.exec(value);
  if (ago) return now - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS];
  const iso = ISO_8601.exec(value);
  const hasTime = iso !== null && value.length > 10;
  const ms = iso ? Date.parse(hasTime && !iso[1] ? `${value.replace(' ', 'T')}Z` : value.replace(' ', 'T')) : NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(`${flag} must be an ISO 8601 time (2024-05-01T12:00:00Z) or a duration ago (30m, 2h, 7d)`);
  }
  return ms;
}

/** `--header k=v`, split at the first `=`. */
export function keyValue(flag: string, value: string): [string, string] {
  const at = value.indexOf('=');
  if (at <= 0) throw new UsageError(`${flag} must look like name=value (got "${value}")`);
  return [value.slice(0, at), value.slice(at + 1)];
}
