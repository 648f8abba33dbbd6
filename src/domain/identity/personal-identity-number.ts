import { type CalendarDate, type CalendarDateInput, compareCalendarDates, daysInMonth, formatCalendarDate, isExistingDate, toCalendarDate } from '../time/calendar-date';

export type PersonalIdentityNumberKind = 'personnummer' | 'samordningsnummer';
export type Sex = 'male' | 'female';
export type PersonalIdentityNumberProblem = 'format' | 'date' | 'serial' | 'checksum' | 'future';

export type PersonalIdentityNumberResult =
  | { readonly ok: true; readonly value: PersonalIdentityNumber }
  | {
      readonly ok: false;
      readonly problem: PersonalIdentityNumberProblem;
      readonly description: string;
    };

// Fixed texts: the input is personal data and must never reach a message.
const DESCRIPTIONS: Readonly<Record<PersonalIdentityNumberProblem, string>> = {
  format: 'A personal identity number is written YYYYMMDDNNNC, YYYYMMDD-NNNC, YYMMDD-NNNC, YYMMDD+NNNC or YYMMDDNNNC.',
  date: 'The personal identity number names a birth date that does not exist.',
  serial: 'The serial number of a personal identity number cannot be 000.',
  checksum: 'The check digit of the personal identity number does not match.',
  future: 'The personal identity number names a birth date in the future.',
};

const REDACTED = '[personal identity number]';
const COORDINATION_DAY_OFFSET = 60;
const TWELVE_DIGIT_FORM = /^(\d{8})-?(\d{4})$/;
const TEN_DIGIT_FORM = /^(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})$/;
const STORED_FORM = /^\d{12}$/;

/** Luhn check digit of YYMMDDNNN (weights 2,1,2,1,...). */
export function personalIdentityNumberCheckDigit(nineDigits: string): number {
  if (!/^\d{9}$/.test(nineDigits)) throw new RangeError('Expected exactly nine digits.');
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    const product = Number(nineDigits[i]) * (i % 2 === 0 ? 2 : 1);
    sum += product > 9 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}

function failure(problem: PersonalIdentityNumberProblem): PersonalIdentityNumberResult {
  return { ok: false, problem, description: DESCRIPTIONS[problem] };
}

/** Birth date parts of 12 digits; the day is the real one also for samordningsnummer. */
function birthDateOf(digits: string): CalendarDate {
  const day = Number(digits.slice(6, 8));
  return {
    year: Number(digits.slice(0, 4)),
    month: Number(digits.slice(4, 6)),
    day: day > COORDINATION_DAY_OFFSET ? day - COORDINATION_DAY_OFFSET : day,
  };
}

/**
 * Century of a 10-digit form. '-' (or none): the most recent year whose birth date is not after
 * today. '+': the person turns 100 or more this calendar year (that is when the separator turns
 * '+', per the population register), so the most recent matching year at least 100 years back.
 */
function resolveBirthYear(twoDigitYear: number, month: number, realDay: number, separator: string, today: CalendarDate): number {
  const century = today.year - (today.year % 100);
  if (separator === '+') {
    const latest = today.year - 100;
    const year = century - 100 + twoDigitYear;
    return year <= latest ? year : year - 100;
  }
  const year = century + twoDigitYear;
  const afterToday = year > today.year || (year === today.year && (month > today.month || (month === today.month && realDay > today.day)));
  return afterToday ? year - 100 : year;
}

export class PersonalIdentityNumber {
  // A private field keeps the digits out of enumeration, util.inspect and structured logs.
  readonly #digits: string;

  private constructor(digits: string) {
    this.#digits = digits;
  }

  /** Parses a number as written by a person; `today` is the current date in Europe/Stockholm. */
  static parse(input: string, today: CalendarDateInput): PersonalIdentityNumberResult {
    const todayDate = toCalendarDate(today);
    const text = typeof input === 'string' ? input.trim() : '';
    const long = TWELVE_DIGIT_FORM.exec(text);
    if (long) return PersonalIdentityNumber.#validate(`${long[1]}${long[2]}`, todayDate);
    const short = TEN_DIGIT_FORM.exec(text);
    if (!short) return failure('format');
    const [, yy, mm, dd, separator, serialAndCheck] = short as unknown as string[];
    const day = Number(dd);
    const realDay = day > COORDINATION_DAY_OFFSET ? day - COORDINATION_DAY_OFFSET : day;
    const year = resolveBirthYear(Number(yy), Number(mm), realDay, separator!, todayDate);
    return PersonalIdentityNumber.#validate(`${String(year).padStart(4, '0')}${mm}${dd}${serialAndCheck}`, todayDate);
  }

  /** Rebuilds a number kept as 12 digits; it was checked against "today" when it was entered. */
  static fromStored(value: string): PersonalIdentityNumberResult {
    if (typeof value !== 'string' || !STORED_FORM.test(value)) return failure('format');
    return PersonalIdentityNumber.#validate(value, undefined);
  }

  // Checksum first: it catches any single mistyped digit, the commonest error.
  static #validate(digits: string, today: CalendarDate | undefined): PersonalIdentityNumberResult {
    const checked = digits.slice(2, 11);
    if (personalIdentityNumberCheckDigit(checked) !== Number(digits[11])) return failure('checksum');
    const birth = birthDateOf(digits);
    if (!isExistingDate(birth.year, birth.month, birth.day)) return failure('date');
    if (digits.slice(8, 11) === '000') return failure('serial');
    if (today && compareCalendarDates(birth, today) > 0) return failure('future');
    return { ok: true, value: new PersonalIdentityNumber(digits) };
  }

  /** The 12 digits YYYYMMDDNNNC. Read it only where the number itself is needed. */
  get value(): string {
    return this.#digits;
  }

  get kind(): PersonalIdentityNumberKind {
    return Number(this.#digits.slice(6, 8)) > COORDINATION_DAY_OFFSET ? 'samordningsnummer' : 'personnummer';
  }

  /** 'YYYY-MM-DD', the real birth date also for a samordningsnummer. */
  get birthDate(): string {
    return formatCalendarDate(birthDateOf(this.#digits));
  }

  get sex(): Sex {
    return Number(this.#digits[10]) % 2 === 1 ? 'male' : 'female';
  }

  /**
   * Completed years on the date (negative before birth). Someone born on 29 February has a
   * birthday on 28 February in other years, as Swedish law counts a year (SFS 1930:173).
   */
  ageOn(date: CalendarDateInput): number {
    const on = toCalendarDate(date);
    const birth = birthDateOf(this.#digits);
    const birthdayThisYear = Math.min(birth.day, daysInMonth(on.year, birth.month));
    const hadBirthday = on.month > birth.month || (on.month === birth.month && on.day >= birthdayThisYear);
    return on.year - birth.year - (hadBirthday ? 0 : 1);
  }

  equals(other: PersonalIdentityNumber): boolean {
    return this.#digits === other.#digits;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

export function parsePersonalIdentityNumber(input: string, today: CalendarDateInput): PersonalIdentityNumberResult {
  return PersonalIdentityNumber.parse(input, today);
}
