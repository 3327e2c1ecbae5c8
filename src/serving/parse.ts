/** Request values the routes parse alike. */
import { InvalidInputError } from '../errors.js';

/** The range of a JavaScript Date: +-100,000,000 days from the epoch, in ms. */
const MAX_TIME = 8.64e15;

/** An ISO 8601 date-time or milliseconds since the epoch, as ms; bad input in `field` otherwise. */
export function parseTime(v: string | number | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  const t = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(t))
    throw new InvalidInputError(field, `not a date-time: "${v}" (use ISO 8601 or ms since the epoch)`);
  if (Math.abs(t) > MAX_TIME)
    throw new InvalidInputError(
      field,
      `out of the range of dates: ${v} (ms since the epoch within +-${MAX_TIME})`,
    );
  return t;
}

/** ms since the epoch as ISO 8601 (undefined stays undefined). */
export function isoTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
