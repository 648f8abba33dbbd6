import fc from 'fast-check';
import { PersonalIdentityNumber } from '../identity/personal-identity-number';
import { personalIdentityNumberArbitrary, personalIdentityNumberFor } from '../identity/personal-identity-number.arbitrary';
import type { RegisteredResident } from '../identity/registered-resident';
import type { ServiceArea } from './clinic-settings';
import { inServiceArea } from './service-area-matching';

// Synthetic test numbers, built from a birth date and serial; never sent anywhere.
function number(birthDate: string, serial: number, kind: 'personnummer' | 'samordningsnummer' = 'personnummer'): PersonalIdentityNumber {
  const result = PersonalIdentityNumber.fromStored(personalIdentityNumberFor(birthDate, serial, kind));
  if (!result.ok) throw new Error(`test number invalid: ${result.problem}`);
  return result.value;
}

function registered(pin: PersonalIdentityNumber, regionCode = '01', municipalityCode = '0180'): RegisteredResident {
  return {
    personalIdentityNumber: pin.value,
    givenName: 'Test',
    familyName: 'Person',
    protectedIdentity: false,
    regionCode,
    municipalityCode,
  };
}

const REGION_01: ServiceArea = { regionCode: '01', municipalityCodes: [], sex: null, minAge: null, maxAge: null };
const TODAY = '2026-05-01';

const MAN = number('1980-02-10', 123); // serial ends in 3: odd → man
const WOMAN = number('1980-02-10', 124); // even → woman

describe('inServiceArea', () => {
  it('matches a resident registered in the region', () => {
    expect(inServiceArea(REGION_01, MAN, registered(MAN, '01', '0180'), TODAY)).toBe(true);
    expect(inServiceArea(REGION_01, MAN, registered(MAN, '01', '0114'), TODAY)).toBe(true);
  });

  it('does not match a resident registered in another region', () => {
    expect(inServiceArea(REGION_01, MAN, registered(MAN, '03', '0380'), TODAY)).toBe(false);
  });

  it('uses the register, not anything in the number, for where the resident lives', () => {
    const area = { ...REGION_01, regionCode: '12' };
    expect(inServiceArea(area, MAN, registered(MAN, '12', '1280'), TODAY)).toBe(true);
  });

  it('matches only the municipalities listed, when any are', () => {
    const area = { ...REGION_01, municipalityCodes: ['0114', '0180'] };
    expect(inServiceArea(area, MAN, registered(MAN, '01', '0180'), TODAY)).toBe(true);
    expect(inServiceArea(area, MAN, registered(MAN, '01', '0114'), TODAY)).toBe(true);
    expect(inServiceArea(area, MAN, registered(MAN, '01', '0163'), TODAY)).toBe(false);
  });

  it('a listed municipality does not help a resident registered in another region', () => {
    const area = { ...REGION_01, municipalityCodes: ['0180'] };
    expect(inServiceArea(area, MAN, registered(MAN, '03', '0180'), TODAY)).toBe(false);
  });

  it('takes sex from the second-to-last digit of the number', () => {
    expect(MAN.sex).toBe('male');
    expect(WOMAN.sex).toBe('female');
    const men = { ...REGION_01, sex: 'male' as const };
    const women = { ...REGION_01, sex: 'female' as const };
    expect(inServiceArea(men, MAN, registered(MAN), TODAY)).toBe(true);
    expect(inServiceArea(men, WOMAN, registered(WOMAN), TODAY)).toBe(false);
    expect(inServiceArea(women, WOMAN, registered(WOMAN), TODAY)).toBe(true);
    expect(inServiceArea(women, MAN, registered(MAN), TODAY)).toBe(false);
  });

  it('sex and age work for a coordination number too', () => {
    const pin = number('1990-06-15', 246, 'samordningsnummer');
    expect(pin.kind).toBe('samordningsnummer');
    const area = { ...REGION_01, sex: 'female' as const, minAge: 36, maxAge: 36 };
    expect(inServiceArea(area, pin, registered(pin), '2026-06-15')).toBe(true);
    expect(inServiceArea(area, pin, registered(pin), '2026-06-14')).toBe(false);
  });

  describe('age bounds are inclusive and counted on the birthday', () => {
    const pin = number('1990-06-15', 321);
    const resident = registered(pin);
    const DAY_BEFORE = '2026-06-14'; // 35 years old
    const BIRTHDAY = '2026-06-15'; // 36 years old

    it('minimum age', () => {
      const area = { ...REGION_01, minAge: 36 };
      expect(inServiceArea(area, pin, resident, DAY_BEFORE)).toBe(false);
      expect(inServiceArea(area, pin, resident, BIRTHDAY)).toBe(true);
    });

    it('maximum age', () => {
      const area = { ...REGION_01, maxAge: 35 };
      expect(inServiceArea(area, pin, resident, DAY_BEFORE)).toBe(true);
      expect(inServiceArea(area, pin, resident, BIRTHDAY)).toBe(false);
      expect(inServiceArea(area, pin, resident, '2027-06-14')).toBe(false);
    });

    it('a range of one year holds exactly during that year of life', () => {
      const area = { ...REGION_01, minAge: 36, maxAge: 36 };
      expect(inServiceArea(area, pin, resident, DAY_BEFORE)).toBe(false);
      expect(inServiceArea(area, pin, resident, BIRTHDAY)).toBe(true);
      expect(inServiceArea(area, pin, resident, '2027-06-14')).toBe(true);
      expect(inServiceArea(area, pin, resident, '2027-06-15')).toBe(false);
    });

    it('minimum age 0 includes a newborn on the day of birth', () => {
      const baby = number('2026-05-01', 2);
      expect(inServiceArea({ ...REGION_01, minAge: 0, maxAge: 0 }, baby, registered(baby), '2026-05-01')).toBe(true);
    });

    it('someone born on 29 February turns a year older on 28 February in other years', () => {
      const leap = number('2008-02-29', 55);
      const adults = { ...REGION_01, minAge: 18 };
      expect(inServiceArea(adults, leap, registered(leap), '2026-02-27')).toBe(false);
      expect(inServiceArea(adults, leap, registered(leap), '2026-02-28')).toBe(true);
    });
  });

  it('a resident the register does not know is in no area, even the widest', () => {
    expect(inServiceArea(REGION_01, MAN, null, TODAY)).toBe(false);
  });
});

describe('property: relaxing an area keeps its residents', () => {
  const municipalitiesOf01 = [
    '0114',
    '0115',
    '0117',
    '0120',
    '0123',
    '0125',
    '0126',
    '0127',
    '0128',
    '0136',
    '0138',
    '0139',
    '0140',
    '0160',
    '0162',
    '0163',
    '0180',
    '0181',
    '0182',
    '0183',
    '0184',
    '0186',
    '0187',
    '0188',
    '0191',
    '0192',
  ];

  /** A resident of region 01 and an area of region 01 that matches them, each optional constraint set or not at random. */
  const matchingCase = fc
    .record({
      person: personalIdentityNumberArbitrary({ today: TODAY, maxAgeYears: 120 }),
      municipality: fc.constantFrom(...municipalitiesOf01),
      otherMunicipalities: fc.subarray(municipalitiesOf01),
      useMunicipalities: fc.boolean(),
      useSex: fc.boolean(),
      belowAge: fc.option(fc.integer({ min: 0, max: 130 })),
      aboveAge: fc.option(fc.integer({ min: 0, max: 130 })),
    })
    .chain((c) =>
      fc
        .shuffledSubarray([c.municipality, ...c.otherMunicipalities.filter((m) => m !== c.municipality)], {
          minLength: 1 + c.otherMunicipalities.filter((m) => m !== c.municipality).length,
        })
        .map((municipalityCodes) => {
          const pinResult = PersonalIdentityNumber.fromStored(c.person.value);
          if (!pinResult.ok) throw new Error('arbitrary made an invalid number');
          const pin = pinResult.value;
          const age = pin.ageOn(TODAY);
          const area: ServiceArea = {
            regionCode: '01',
            municipalityCodes: c.useMunicipalities ? municipalityCodes : [],
            sex: c.useSex ? pin.sex : null,
            minAge: c.belowAge === null ? null : Math.max(0, age - c.belowAge),
            maxAge: c.aboveAge === null ? null : Math.min(130, age + c.aboveAge),
          };
          return { pin, resident: registered(pin, '01', c.municipality), area };
        }),
    );

  const relaxations: [string, (area: ServiceArea) => ServiceArea][] = [
    ['municipalities', (a) => ({ ...a, municipalityCodes: [] })],
    ['sex', (a) => ({ ...a, sex: null })],
    ['min age', (a) => ({ ...a, minAge: null })],
    ['max age', (a) => ({ ...a, maxAge: null })],
  ];

  it('a resident matching an area still matches when the area drops any one optional constraint', () => {
    fc.assert(
      fc.property(matchingCase, fc.constantFrom(...relaxations), ({ pin, resident, area }, [, relax]) => {
        expect(inServiceArea(area, pin, resident, TODAY)).toBe(true);
        expect(inServiceArea(relax(area), pin, resident, TODAY)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('the same holds for arbitrary areas (when the resident matches at all)', () => {
    const arbitraryArea: fc.Arbitrary<ServiceArea> = fc.record({
      regionCode: fc.constantFrom('01', '03'),
      municipalityCodes: fc.subarray(['0114', '0180', '0380']),
      sex: fc.constantFrom('male' as const, 'female' as const, null),
      minAge: fc.option(fc.integer({ min: 0, max: 130 })),
      maxAge: fc.option(fc.integer({ min: 0, max: 130 })),
    });
    const resident = fc.record({
      person: personalIdentityNumberArbitrary({ today: TODAY, maxAgeYears: 130 }),
      place: fc.constantFrom(['01', '0114'], ['01', '0180'], ['03', '0380']),
    });
    fc.assert(
      fc.property(arbitraryArea, resident, ({ ...area }, { person, place }) => {
        const pinResult = PersonalIdentityNumber.fromStored(person.value);
        if (!pinResult.ok) throw new Error('arbitrary made an invalid number');
        const pin = pinResult.value;
        const home = registered(pin, place[0], place[1]);
        if (!inServiceArea(area, pin, home, TODAY)) return;
        for (const [, relax] of relaxations) expect(inServiceArea(relax(area), pin, home, TODAY)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
