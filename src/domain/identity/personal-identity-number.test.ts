import { inspect } from 'node:util';
import fc from 'fast-check';
import { calendarDateArbitrary } from '../time/calendar-date.arbitrary';
import type { CalendarDateInput } from '../time/calendar-date';
import { PersonalIdentityNumber, type PersonalIdentityNumberProblem, parsePersonalIdentityNumber, personalIdentityNumberCheckDigit } from './personal-identity-number';
import { luhnCheckDigitOf, personalIdentityNumberArbitrary, personalIdentityNumberFor } from './personal-identity-number.arbitrary';

// Check digits in the literals below were computed by hand, independently of the code under test.
const TODAY = '2026-05-01';

function parsed(input: string, today: CalendarDateInput = TODAY): PersonalIdentityNumber {
  const result = parsePersonalIdentityNumber(input, today);
  if (!result.ok) throw new Error(`expected a valid number, got '${result.problem}'`);
  return result.value;
}

function problemOf(input: string, today: string = TODAY): PersonalIdentityNumberProblem | 'ok' {
  const result = parsePersonalIdentityNumber(input, today);
  return result.ok ? 'ok' : result.problem;
}

describe('personalIdentityNumberCheckDigit', () => {
  it.each([
    ['121212121', 2],
    ['811218987', 6],
    ['800101000', 1],
    ['121272121', 9],
  ])('of %s is %i', (nine, digit) => {
    expect(personalIdentityNumberCheckDigit(nine)).toBe(digit);
  });

  it('rejects anything but nine digits', () => {
    expect(() => personalIdentityNumberCheckDigit('12121212')).toThrow(RangeError);
  });
});

/*
 * Worked by hand, digit by digit, as Skatteverket describes the check: multiply YYMMDDNNN by
 * 2,1,2,1,2,1,2,1,2, add the digits of the products (14 counts 1 + 4), and the check digit lifts
 * the sum to the next multiple of ten. Neither the parser nor the test data's own Luhn made them.
 */
describe('hand-computed numbers', () => {
  it.each([
    // 19121212-1212, Skatteverket's well-known example: 1·2 2·1 1·2 2·1 1·2 2·1 1·2 2·1 1·2 =
    // 2+2+2+2+2+2+2+2+2 = 18 → 2. A check that weighted 1,2,1,... (sum 21 → 9) or took sum mod 10 (8) fails it.
    ['19121212-1212', { value: '191212121212', kind: 'personnummer', birthDate: '1912-12-12', sex: 'male' }],
    // Its coordination number, day 12 + 60 = 72: 2+2+2+2+(7·2=14: 1+4=5)+2+2+2+2 = 21 → 9.
    ['19121272-1219', { value: '191212721219', kind: 'samordningsnummer', birthDate: '1912-12-12', sex: 'male' }],
    // 640823-323: (6·2=12: 3)+4+0+8+(2·2=4)+3+(3·2=6)+2+(3·2=6) = 36 → 4. A check that added 12
    // instead of 1+2 (sum 45 → 5) fails it.
    ['19640823-3234', { value: '196408233234', kind: 'personnummer', birthDate: '1964-08-23', sex: 'male' }],
    // Coordination number of 3 October 1970, day 03 + 60 = 63, serial 245:
    // (7·2=14: 5)+0+(1·2=2)+0+(6·2=12: 3)+3+(2·2=4)+4+(5·2=10: 1) = 22 → 8.
    ['19701063-2458', { value: '197010632458', kind: 'samordningsnummer', birthDate: '1970-10-03', sex: 'male' }],
    // The same written with ten digits; in 2026 "-" means the latest 1900s or 2000s year not ahead: 1970.
    ['701063-2458', { value: '197010632458', kind: 'samordningsnummer', birthDate: '1970-10-03', sex: 'male' }],
    // 051129-384: 0+5+(1·2=2)+1+(2·2=4)+9+(3·2=6)+8+(4·2=8) = 43 → 7; serial ends 8: a woman.
    ['20051129-3847', { value: '200511293847', kind: 'personnummer', birthDate: '2005-11-29', sex: 'female' }],
  ])('%s is valid', (input, expected) => {
    const pin = parsed(input);
    expect({ value: pin.value, kind: pin.kind, birthDate: pin.birthDate, sex: pin.sex }).toEqual(expected);
  });

  it.each([
    // The sum 18 needs 2, not 3.
    ['19121212-1213'],
    // The coordination number's sum 21 needs 9, not 2 (the check digit of the plain number).
    ['19121272-1212'],
    // The sum 36 needs 4, not 5.
    ['19640823-3235'],
    // Serial digits swapped, 323 → 332: (6·2: 3)+4+0+8+4+3+(3·2=6)+3+(2·2=4) = 35 needs 5, not 4.
    ['19640823-3324'],
    // The coordination number's sum 22 needs 8, not 7.
    ['19701063-2457'],
    ['701063-2457'],
  ])('%s has a wrong check digit', (input) => {
    expect(problemOf(input)).toBe('checksum');
  });

  it("the test data's own check digit gives the hand-computed digits", () => {
    expect(['121212121', '121272121', '640823323', '701063245', '051129384', '640823332'].map(luhnCheckDigitOf)).toEqual([2, 9, 4, 8, 7, 5]);
  });
});

describe('parsing valid numbers', () => {
  it('reads a 12-digit personnummer', () => {
    const pin = parsed('19121212-1212');
    expect(pin.value).toBe('191212121212');
    expect(pin.kind).toBe('personnummer');
    expect(pin.birthDate).toBe('1912-12-12');
    expect(pin.sex).toBe('male');
  });

  it.each([
    ['191212121212', '191212121212'],
    ['  19121212-1212\t', '191212121212'],
    ['121212-1212', '201212121212'],
    ['1212121212', '201212121212'],
    ['121212+1212', '191212121212'],
    ['811218-9876', '198112189876'],
  ])('reads %j as %s', (input, value) => {
    expect(parsed(input).value).toBe(value);
  });

  it('reads the sex from the second-to-last digit', () => {
    expect(parsed('121212-1220').sex).toBe('female');
    expect(parsed('121212-1212').sex).toBe('male');
  });

  it('reads a samordningsnummer, keeping the written day but reporting the real one', () => {
    const pin = parsed('121272-1219');
    expect(pin.value).toBe('201212721219');
    expect(pin.kind).toBe('samordningsnummer');
    expect(pin.birthDate).toBe('2012-12-12');
  });

  it('accepts 29 February only in leap years, per resolved century', () => {
    expect(parsed('000229-1235').birthDate).toBe('2000-02-29');
    expect(parsed('040229+1231').birthDate).toBe('1904-02-29');
    expect(problemOf('000229+1235')).toBe('date'); // 1900 was not a leap year
    expect(problemOf('19000229-1235')).toBe('date');
    expect(problemOf('20010229-1234')).toBe('date');
  });

  it('rebuilds a stored 12-digit value without needing today', () => {
    const result = PersonalIdentityNumber.fromStored('191212121212');
    expect(result.ok && result.value.value).toBe('191212121212');
    expect(PersonalIdentityNumber.fromStored('19121212-1212')).toMatchObject({ ok: false, problem: 'format' });
    expect(PersonalIdentityNumber.fromStored('191212121213')).toMatchObject({ ok: false, problem: 'checksum' });
  });

  it('compares by value', () => {
    expect(parsed('121212+1212').equals(parsed('191212121212'))).toBe(true);
    expect(parsed('121212-1212').equals(parsed('191212121212'))).toBe(false);
  });
});

describe('century of 10-digit forms', () => {
  const today = '2026-03-15';

  it.each([
    ['260314-1231', '2026-03-14'], // born yesterday
    ['260315-1230', '2026-03-15'], // born today
    ['260316-1239', '1926-03-16'], // turns 100 tomorrow; "-" is the old way to write it
    ['2603161239', '1926-03-16'],
    ['990101-1230', '1999-01-01'],
    ['270101-1237', '1927-01-01'], // a year after this one: last century
  ])('"-" or none: %s is born %s', (input, birthDate) => {
    expect(parsed(input, today).birthDate).toBe(birthDate);
  });

  it.each([
    ['260314+1231', '1926-03-14'], // turned 100 yesterday
    ['260315+1230', '1926-03-15'], // turns 100 today
    // "+" applies from the start of the calendar year in which the person turns 100.
    ['260316+1239', '1926-03-16'],
    ['261231+1239', '1926-12-31'],
    ['250101+1239', '1925-01-01'],
    ['270101+1237', '1827-01-01'], // turns 100 only next year, so 200 this year
  ])('"+": %s is born %s', (input, birthDate) => {
    expect(parsed(input, today).birthDate).toBe(birthDate);
  });

  it('accepts today as parts as well as text', () => {
    const today = { year: 2026, month: 3, day: 16 };
    expect(parsed('260316-1239', today).birthDate).toBe('2026-03-16');
  });

  it('rejects an invalid today as a programming error', () => {
    expect(() => parsePersonalIdentityNumber('121212-1212', '2026-02-30')).toThrow(RangeError);
  });
});

describe('failures', () => {
  it.each(['', '   ', '19121212+1212', '121212 1212', '12121-21212', '19121212_1212', '1912121212120', '12121212', '121212--1212', 'abcdef-ghij', '１２１２１２-１２１２'])(
    'format: %j',
    (input) => {
      expect(problemOf(input)).toBe('format');
    },
  );

  it('format: a non-string at runtime', () => {
    expect(problemOf(undefined as unknown as string)).toBe('format');
  });

  it.each([
    ['19121312-1211', 'month 13'],
    ['19121232-1218', 'day 32'],
    ['19121200-1216', 'day 00'],
    ['19121260-1213', 'samordningsnummer day 60'],
    ['19121292-1215', 'samordningsnummer day 92'],
    ['010229-1234', '29 February 2001'],
  ])('date: %s (%s)', (input) => {
    expect(problemOf(input)).toBe('date');
  });

  it('serial: 000', () => {
    expect(problemOf('19800101-0001')).toBe('serial');
  });

  it('checksum', () => {
    expect(problemOf('19121212-1213')).toBe('checksum');
    expect(problemOf('19800101-0002')).toBe('checksum');
  });

  it('future: a 12-digit birth date after today', () => {
    expect(problemOf('20991212-1218')).toBe('future');
    expect(problemOf('20260502-1233', '2026-05-01')).toBe('future');
    expect(problemOf('20260502-1233', '2026-05-02')).toBe('ok');
  });

  it('describes the problem in English without the input', () => {
    const result = parsePersonalIdentityNumber('19121212-1213', TODAY);
    expect(result).toEqual({ ok: false, problem: 'checksum', description: expect.any(String) });
    expect(JSON.stringify(result)).not.toMatch(/\d{4}/);
  });
});

describe('ageOn', () => {
  it('counts completed years', () => {
    const pin = parsed('19121212-1212');
    expect(pin.ageOn('2026-12-11')).toBe(113);
    expect(pin.ageOn('2026-12-12')).toBe(114);
    expect(pin.ageOn({ year: 1912, month: 12, day: 12 })).toBe(0);
  });

  it('gives someone born on 29 February a birthday on 28 February in other years', () => {
    const pin = parsed('000229-1235');
    expect(pin.ageOn('2001-02-27')).toBe(0);
    expect(pin.ageOn('2001-02-28')).toBe(1);
    expect(pin.ageOn('2004-02-28')).toBe(3);
    expect(pin.ageOn('2004-02-29')).toBe(4);
  });
});

describe('never revealing the number', () => {
  it('redacts string, JSON and inspect output', () => {
    const pin = parsed('19121212-1212');
    expect(String(pin)).toBe('[personal identity number]');
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- what a template makes of it is the point
    expect(`${pin}`).toBe('[personal identity number]');
    expect(JSON.stringify({ pin })).toBe('{"pin":"[personal identity number]"}');
    expect(inspect({ pin })).not.toMatch(/\d/);
    expect(Object.keys(pin)).toEqual([]);
  });
});

describe('properties', () => {
  const scenario = calendarDateArbitrary('1950-01-01', '2150-12-31').chain((today) => personalIdentityNumberArbitrary({ today, maxAgeYears: 199 }).map((pin) => ({ today, pin })));

  it('reads every written form of a valid number as the same 12 digits', () => {
    fc.assert(
      fc.property(scenario, ({ today, pin }) => {
        const d = pin.value;
        // Written with "+" from the calendar year in which the person turns 100.
        const plus = Number(pin.birthDate.slice(0, 4)) <= Number(today.slice(0, 4)) - 100;
        const short = [`${d.slice(2, 8)}${plus ? '+' : '-'}${d.slice(8)}`];
        if (!plus) short.push(d.slice(2));
        for (const form of [d, `${d.slice(0, 8)}-${d.slice(8)}`, ...short]) {
          const read = parsed(form, today);
          expect(read.value).toBe(d);
          expect(read.kind).toBe(pin.kind);
          expect(read.birthDate).toBe(pin.birthDate);
          expect(read.sex).toBe(pin.serial % 2 === 1 ? 'male' : 'female');
        }
      }),
    );
  });

  it('fails the checksum when any one digit of YYMMDDNNNC changes', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 2, max: 11 }), fc.integer({ min: 1, max: 9 }), ({ today, pin }, position, step) => {
        const digit = (Number(pin.value[position]) + step) % 10;
        const changed = `${pin.value.slice(0, position)}${digit}${pin.value.slice(position + 1)}`;
        expect(problemOf(changed, today)).toBe('checksum');
        expect(problemOf(`${changed.slice(2, 8)}-${changed.slice(8)}`, today)).toBe('checksum');
      }),
    );
  });

  it('never shows the digits in text, JSON, inspection or failure descriptions', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 11 }), ({ today, pin }, position) => {
        const read = parsed(pin.value, today);
        for (const shown of [String(read), JSON.stringify(read), inspect(read)]) {
          expect(shown).not.toMatch(/\d/);
        }
        // A prefix can itself be a valid (10-digit) number; only failures have a description.
        const broken = parsePersonalIdentityNumber(pin.value.slice(0, position), today);
        if (!broken.ok) expect(broken.description).not.toMatch(/\d{4}/);
      }),
    );
  });

  it('builds the same number the parser reads', () => {
    expect(personalIdentityNumberFor('1912-12-12', 121)).toBe('191212121212');
    expect(personalIdentityNumberFor('2012-12-12', 121, 'samordningsnummer')).toBe('201212721219');
  });
});

describe('edges the mutation tests found', () => {
  it('the check digit takes exactly nine digits', () => {
    for (const input of ['12345678', '1234567890', 'x12345678', '12345678x', '']) expect(() => personalIdentityNumberCheckDigit(input)).toThrow('Expected exactly nine digits.');
    expect(personalIdentityNumberCheckDigit('121212121')).toBe(2); // 19121212-1212
  });

  it('a stored number that is no string is a format problem', () => {
    expect(PersonalIdentityNumber.fromStored(191212121212 as unknown as string)).toMatchObject({ ok: false, problem: 'format' });
  });

  it('in the birth month, the age grows on the birthday, not before', () => {
    const result = PersonalIdentityNumber.fromStored('191212121212');
    if (!result.ok) throw new Error('expected the stored number to be valid');
    expect(result.value.ageOn('2026-12-11')).toBe(113);
    expect(result.value.ageOn('2026-12-12')).toBe(114);
  });
});
