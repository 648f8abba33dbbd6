import fc from 'fast-check';
import { calendarDateArbitrary } from './calendar-date.arbitrary';
import { addDays, grantEndsAt, isValidCalendarDate, startOfStockholmDay, stockholmDate } from './stockholm';

const at = (iso: string) => new Date(iso);
const HOUR = 3_600_000;

describe('stockholmDate', () => {
  it.each([
    ['2026-01-15T22:59:59.999Z', '2026-01-15'],
    ['2026-01-15T23:00:00.000Z', '2026-01-16'],
    ['2026-07-01T21:59:59.999Z', '2026-07-01'],
    ['2026-07-01T22:00:00.000Z', '2026-07-02'],
    ['2026-12-31T23:00:00.000Z', '2027-01-01'],
  ])('%s is %s in Stockholm', (instant, date) => {
    expect(stockholmDate(at(instant))).toBe(date);
  });

  it('rejects an invalid instant', () => {
    expect(() => stockholmDate(new Date(Number.NaN))).toThrow('Expected a valid instant in years 0001..9999.');
  });

  it('dates instants of years 0001 to 9999, and rejects those outside or whose Stockholm date is', () => {
    const utc = (year: number, month: number, day: number, hour = 0) => new Date(new Date(0).setUTCFullYear(year, month - 1, day) + hour * HOUR);
    expect(stockholmDate(utc(1, 6, 1))).toBe('0001-06-01');
    expect(() => stockholmDate(utc(0, 12, 31))).toThrow('Expected a valid instant in years 0001..9999.');
    expect(() => stockholmDate(utc(10000, 1, 1))).toThrow('Expected a valid instant in years 0001..9999.');
    // 23:30 UTC on the last day of 9999 is already year 10000 in Stockholm.
    expect(() => stockholmDate(utc(9999, 12, 31, 23.5))).toThrow('The instant is outside years 0001..9999.');
  });

  it('agrees with Intl at every instant, on either side of each clock change and before 1970', () => {
    const intl = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' });
    const instants = fc.oneof(
      fc.integer({ min: Date.UTC(1850, 0, 1), max: Date.UTC(2100, 0, 1) }),
      // A millisecond either side of summer time's start and end (01:00 UTC) and of local midnight.
      fc
        .tuple(fc.integer({ min: 1981, max: 2090 }), fc.constantFrom(2, 9), fc.integer({ min: 24, max: 31 }), fc.constantFrom(0, 1, 21, 22, 23), fc.constantFrom(-1, 0, 1))
        .map(([year, month, day, hour, ms]) => Date.UTC(year, month, day, hour) + ms),
    );
    fc.assert(
      fc.property(instants, (ms) => {
        expect(stockholmDate(new Date(ms))).toBe(intl.format(ms));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('startOfStockholmDay', () => {
  it.each([
    ['2026-01-15', '2026-01-14T23:00:00.000Z'], // winter, UTC+1
    ['2026-07-01', '2026-06-30T22:00:00.000Z'], // summer, UTC+2
    ['2026-03-29', '2026-03-28T23:00:00.000Z'], // clocks go forward at 02:00 this day
    ['2026-03-30', '2026-03-29T22:00:00.000Z'],
    ['2026-10-25', '2026-10-24T22:00:00.000Z'], // clocks go back at 03:00 this day
    ['2026-10-26', '2026-10-25T23:00:00.000Z'],
    ['1975-07-01', '1975-06-30T23:00:00.000Z'], // no summer time in Sweden 1950-1979
    ['1850-01-02', '1850-01-01T23:06:32.000Z'], // local mean time, UTC+0:53:28
    ['1916-10-01', '1916-09-30T22:00:00.000Z'], // summer time ended at 01:00: midnight came twice
  ])('%s starts at %s', (date, instant) => {
    expect(startOfStockholmDay(date).toISOString()).toBe(instant);
  });

  it('gives the clock-change days 23 and 25 hours', () => {
    const length = (date: string) => startOfStockholmDay(addDays(date, 1)).getTime() - startOfStockholmDay(date).getTime();
    expect(length('2026-03-29')).toBe(23 * HOUR);
    expect(length('2026-10-25')).toBe(25 * HOUR);
    expect(length('2026-06-15')).toBe(24 * HOUR);
  });

  it('rejects a date that does not exist', () => {
    expect(() => startOfStockholmDay('2026-02-30')).toThrow(RangeError);
  });
});

describe('grantEndsAt', () => {
  it.each([
    ['2026-03-28', '2026-03-28T23:00:00.000Z'],
    ['2026-03-29', '2026-03-29T22:00:00.000Z'],
    ['2026-10-24', '2026-10-24T22:00:00.000Z'],
    ['2026-10-25', '2026-10-25T23:00:00.000Z'],
    ['2026-12-31', '2026-12-31T23:00:00.000Z'],
  ])('a grant until %s ends at %s', (until, instant) => {
    expect(grantEndsAt(until).toISOString()).toBe(instant);
  });
});

describe('isValidCalendarDate', () => {
  it.each(['2026-01-01', '2024-02-29', '2000-02-29', '0099-12-31'])('accepts %s', (text) => {
    expect(isValidCalendarDate(text)).toBe(true);
  });

  it.each(['2023-02-29', '1900-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-1-01', ' 2026-01-01', '2026-01-01T00:00', '20260101', '', 123, undefined])('rejects %j', (text) => {
    expect(isValidCalendarDate(text)).toBe(false);
  });
});

describe('addDays', () => {
  it.each([
    ['2026-02-28', 1, '2026-03-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-01-01', -1, '2025-12-31'],
    ['2026-03-29', 0, '2026-03-29'],
    ['0099-12-31', 1, '0100-01-01'],
  ])('%s + %i = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it('rejects an invalid date or a fractional count', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addDays('2026-02-01', 0.5)).toThrow(RangeError);
  });
});

describe('properties', () => {
  const dates = calendarDateArbitrary('1901-01-01', '2199-12-30');

  it('a grant until D is valid through the last millisecond of D in Stockholm', () => {
    fc.assert(
      fc.property(dates, (date) => {
        const end = grantEndsAt(date);
        expect(stockholmDate(new Date(end.getTime() - 1))).toBe(date);
        expect(stockholmDate(end)).toBe(addDays(date, 1));
      }),
      { numRuns: 500 },
    );
  });

  it('every instant lies within the Stockholm day it is dated to', () => {
    const instants = fc.integer({
      min: Date.parse('1901-01-02T00:00:00Z'),
      max: Date.parse('2199-12-30T00:00:00Z'),
    });
    fc.assert(
      fc.property(instants, (ms) => {
        const date = stockholmDate(new Date(ms));
        expect(startOfStockholmDay(date).getTime()).toBeLessThanOrEqual(ms);
        expect(grantEndsAt(date).getTime()).toBeGreaterThan(ms);
      }),
      { numRuns: 500 },
    );
  });

  it('addDays undoes itself', () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: -40_000, max: 40_000 }), (date, days) => {
        expect(addDays(addDays(date, days), -days)).toBe(date);
      }),
    );
  });
});
