/** A calendar date without a time zone; as text always 'YYYY-MM-DD'. */
export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Callers hold dates either as parts or as 'YYYY-MM-DD' text. */
export type CalendarDateInput = CalendarDate | string;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isExistingDate(year: number, month: number, day: number): boolean {
  return Number.isInteger(year) && year >= 0 && year <= 9999 && Number.isInteger(month) && month >= 1 && month <= 12 && Number.isInteger(day) && day >= 1 && day <= daysInMonth(year, month);
}

/** Parts of a strict 'YYYY-MM-DD' that names a day that exists, else undefined. */
export function parseCalendarDate(text: string): CalendarDate | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  return isExistingDate(year, month, day) ? { year, month, day } : undefined;
}

export function isValidCalendarDate(text: unknown): text is string {
  return typeof text === 'string' && parseCalendarDate(text) !== undefined;
}

/** Normalises either input form; an invalid date is a programming error, so it throws. */
export function toCalendarDate(input: CalendarDateInput): CalendarDate {
  const parts = typeof input === 'string' ? parseCalendarDate(input) : input;
  if (!parts || !isExistingDate(parts.year, parts.month, parts.day)) {
    // The value is not echoed: callers sometimes hold personal data in neighbouring strings.
    throw new RangeError('Expected an existing calendar date (YYYY-MM-DD).');
  }
  return { year: parts.year, month: parts.month, day: parts.day };
}

export function formatCalendarDate({ year, month, day }: CalendarDate): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Negative, zero or positive like a sort comparator. */
export function compareCalendarDates(a: CalendarDateInput, b: CalendarDateInput): number {
  const x = toCalendarDate(a);
  const y = toCalendarDate(b);
  return x.year - y.year || x.month - y.month || x.day - y.day;
}

/** Milliseconds of UTC midnight starting the date; setUTCFullYear avoids Date.UTC's 0..99 → 19xx quirk. */
export function utcMidnightMs(input: CalendarDateInput): number {
  const { year, month, day } = toCalendarDate(input);
  return new Date(0).setUTCFullYear(year, month - 1, day);
}

export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError('Expected a whole number of days.');
  const shifted = new Date(utcMidnightMs(date) + days * MS_PER_DAY);
  const parts = {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
  };
  if (!isExistingDate(parts.year, parts.month, parts.day)) {
    throw new RangeError('The resulting date is outside years 0000..9999.');
  }
  return formatCalendarDate(parts);
}
