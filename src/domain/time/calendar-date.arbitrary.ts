import fc from 'fast-check';
import { addDays, utcMidnightMs } from './calendar-date';

const MS_PER_DAY = 86_400_000;

/** Test data: 'YYYY-MM-DD' dates from `min` to `max` inclusive; shrinks towards `min`. */
export function calendarDateArbitrary(min: string, max: string): fc.Arbitrary<string> {
  const span = Math.round((utcMidnightMs(max) - utcMidnightMs(min)) / MS_PER_DAY);
  if (span < 0) throw new RangeError('Expected min <= max.');
  return fc.integer({ min: 0, max: span }).map((offset) => addDays(min, offset));
}
