import fc from 'fast-check';
import { type CalendarDateInput, formatCalendarDate, toCalendarDate } from '../time/calendar-date';
import { calendarDateArbitrary } from '../time/calendar-date.arbitrary';
import type { PersonalIdentityNumberKind } from './personal-identity-number';

/** Test data only. Randomly made numbers may belong to real people: never send them outside tests. */
export interface SyntheticPersonalIdentityNumber {
  /** 12 digits YYYYMMDDNNNC. */
  readonly value: string;
  readonly kind: PersonalIdentityNumberKind;
  /** The real birth date 'YYYY-MM-DD'. */
  readonly birthDate: string;
  /** 1..999; odd for men, even for women. */
  readonly serial: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * The check digit as Skatteverket describes it, written apart from the parser's so that test data
 * does not inherit a mistake of the code under test: multiply the nine digits by 2, 1, 2, 1, ...,
 * write the products side by side, add up the digits written, and take what lifts the sum to the
 * next multiple of ten.
 */
export function luhnCheckDigitOf(nineDigits: string): number {
  const products = [...nineDigits].map((digit, i) => String(Number(digit) * (i % 2 === 0 ? 2 : 1))).join('');
  const sum = [...products].reduce((total, digit) => total + Number(digit), 0);
  return (10 - (sum % 10)) % 10;
}

/** The valid 12-digit number for a birth date and serial (1..999). */
export function personalIdentityNumberFor(birthDate: CalendarDateInput, serial: number, kind: PersonalIdentityNumberKind = 'personnummer'): string {
  if (!Number.isInteger(serial) || serial < 1 || serial > 999) {
    throw new RangeError('Expected a serial number 1..999.');
  }
  const { year, month, day } = toCalendarDate(birthDate);
  const writtenDay = kind === 'samordningsnummer' ? day + 60 : day;
  const nine = `${pad(year % 100, 2)}${pad(month, 2)}${pad(writtenDay, 2)}${pad(serial, 3)}`;
  return `${pad(year, 4).slice(0, 2)}${nine}${luhnCheckDigitOf(nine)}`;
}

export interface PersonalIdentityNumberArbitraryOptions {
  /** Nobody generated is born after this date. */
  readonly today: CalendarDateInput;
  /** Born within this many years before today (10-digit forms reach back under 200). */
  readonly maxAgeYears?: number;
  /** Both kinds unless given. */
  readonly kind?: PersonalIdentityNumberKind;
}

/** Test data: valid numbers of people born on or before `today`. */
export function personalIdentityNumberArbitrary(options: PersonalIdentityNumberArbitraryOptions): fc.Arbitrary<SyntheticPersonalIdentityNumber> {
  const today = toCalendarDate(options.today);
  const maxAgeYears = options.maxAgeYears ?? 120;
  // 29 February moves to the 28th, which every year has.
  const leapDay = today.month === 2 && today.day === 29;
  const earliest = { ...today, year: today.year - maxAgeYears, day: leapDay ? 28 : today.day };
  const kinds: PersonalIdentityNumberKind[] = options.kind ? [options.kind] : ['personnummer', 'samordningsnummer'];
  return fc
    .record({
      birthDate: calendarDateArbitrary(formatCalendarDate(earliest), formatCalendarDate(today)),
      serial: fc.integer({ min: 1, max: 999 }),
      kind: fc.constantFrom(...kinds),
    })
    .map(({ birthDate, serial, kind }) => ({
      value: personalIdentityNumberFor(birthDate, serial, kind),
      kind,
      birthDate,
      serial,
    }));
}
