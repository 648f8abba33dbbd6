import { addDays, compareCalendarDates, daysInMonth, formatCalendarDate, isExistingDate, isLeapYear, parseCalendarDate, toCalendarDate, utcMidnightMs } from './calendar-date';

describe('calendar dates', () => {
  it('knows the Gregorian leap years', () => {
    expect([2024, 2000, 1600, 0].map(isLeapYear)).toEqual([true, true, true, true]);
    expect([2026, 1900, 2100, 1].map(isLeapYear)).toEqual([false, false, false, false]);
  });

  it('knows the length of every month', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((month) => daysInMonth(2026, month))).toEqual([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect(daysInMonth(2024, 2)).toBe(29);
  });

  it('accepts exactly the days of years 0000 to 9999', () => {
    expect([isExistingDate(0, 1, 1), isExistingDate(9999, 12, 31), isExistingDate(2024, 2, 29)]).toEqual([true, true, true]);
    for (const [year, month, day] of [
      [-1, 12, 31],
      [10000, 1, 1],
      [2026, 0, 1],
      [2026, 13, 1],
      [2026, 1, 0],
      [2026, 1, 32],
      [2026, 2, 29],
      [2026.5, 1, 1],
      [2026, 1.5, 1],
      [2026, 1, 1.5],
    ] as const) {
      expect(isExistingDate(year, month, day)).toBe(false);
    }
  });

  it('reads and writes the strict YYYY-MM-DD form, four-digit years included', () => {
    expect(parseCalendarDate('0005-03-09')).toEqual({ year: 5, month: 3, day: 9 });
    expect(formatCalendarDate({ year: 5, month: 3, day: 9 })).toBe('0005-03-09');
    expect(parseCalendarDate('2026-02-30')).toBeUndefined();
    expect(parseCalendarDate('x2026-02-03')).toBeUndefined();
    expect(parseCalendarDate('2026-02-03x')).toBeUndefined();
  });

  it('normalises parts or text, and throws on a date that does not exist without echoing it', () => {
    expect(toCalendarDate('2026-05-01')).toEqual({ year: 2026, month: 5, day: 1 });
    expect(toCalendarDate({ year: 2026, month: 5, day: 1 })).toEqual({ year: 2026, month: 5, day: 1 });
    expect(() => toCalendarDate({ year: 2026, month: 2, day: 29 })).toThrow('Expected an existing calendar date (YYYY-MM-DD).');
    expect(() => toCalendarDate('19121212-1212')).toThrow(RangeError);
  });

  it('compares by year, then month, then day', () => {
    expect(compareCalendarDates('2026-05-01', '2026-05-01')).toBe(0);
    expect(Math.sign(compareCalendarDates('2025-12-31', '2026-01-01'))).toBe(-1);
    expect(Math.sign(compareCalendarDates('2026-02-01', '2026-01-31'))).toBe(1);
    expect(Math.sign(compareCalendarDates('2026-01-02', { year: 2026, month: 1, day: 1 }))).toBe(1);
  });

  it('gives UTC midnight, also for years below 100', () => {
    expect(utcMidnightMs('1970-01-02')).toBe(86_400_000);
    expect(new Date(utcMidnightMs('0050-06-15')).toISOString()).toBe('0050-06-15T00:00:00.000Z');
  });
});

describe('addDays at the ends of the calendar', () => {
  it('refuses to leave years 0000 to 9999, or to add part of a day', () => {
    expect(() => addDays('9999-12-31', 1)).toThrow('The resulting date is outside years 0000..9999.');
    expect(() => addDays('0000-01-01', -1)).toThrow('The resulting date is outside years 0000..9999.');
    expect(() => addDays('2026-01-01', 0.5)).toThrow('Expected a whole number of days.');
  });
});
