import fc from 'fast-check';
import type { ServiceArea } from './clinic-settings';
import { caseTypeIdViolation, caseTypeViolations, grantEndingSoonDaysViolation, serviceAreaViolations } from './settings-validation';

const AREA: ServiceArea = { regionCode: '01', municipalityCodes: [], sex: null, minAge: null, maxAge: null };

const reasons = (violations: { field: string; reason: string }[]) => violations.map((v) => [v.field, v.reason]);

describe('caseTypeIdViolation', () => {
  it.each(['a', 'book-visit', 'Renew_Prescription_2', 'x'.repeat(64), '0'])('accepts %j', (id) => {
    expect(caseTypeIdViolation(id)).toBeNull();
  });

  it.each(['', 'x'.repeat(65), 'has space', 'dot.ted', 'slash/ed', 'åäö', 'tab\t', ' lead'])('refuses %j', (id) => {
    expect(caseTypeIdViolation(id)).toEqual(expect.objectContaining({ field: 'case_type_id', reason: 'INVALID_CASE_TYPE_ID' }));
  });

  it('names the field it is given', () => {
    expect(caseTypeIdViolation('', 'grant.case_type_id')?.field).toBe('grant.case_type_id');
  });
});

describe('caseTypeViolations', () => {
  it('accepts a valid case type', () => {
    expect(caseTypeViolations({ id: 'book', name: 'Boka besök', restricted: false })).toEqual([]);
    expect(caseTypeViolations({ id: 'book', name: 'n'.repeat(200), restricted: true })).toEqual([]);
  });

  it('a missing case type is REQUIRED on case_type', () => {
    expect(reasons(caseTypeViolations(undefined))).toEqual([['case_type', 'REQUIRED']]);
  });

  it('reports the id and the name under the case type field', () => {
    expect(reasons(caseTypeViolations({ id: 'bad id', name: '', restricted: false }))).toEqual([
      ['case_type.id', 'INVALID_CASE_TYPE_ID'],
      ['case_type.name', 'INVALID_CASE_TYPE_NAME'],
    ]);
  });

  it.each(['', '   ', '\t\n', 'n'.repeat(201), ` ${'n'.repeat(201)} `])('refuses the name %j', (name) => {
    expect(reasons(caseTypeViolations({ id: 'ok', name, restricted: false }))).toEqual([['case_type.name', 'INVALID_CASE_TYPE_NAME']]);
  });

  it('measures the name without surrounding blanks', () => {
    expect(caseTypeViolations({ id: 'ok', name: `  ${'n'.repeat(200)}  `, restricted: false })).toEqual([]);
  });

  it('uses the field prefix it is given', () => {
    expect(reasons(caseTypeViolations({ id: '', name: 'x', restricted: false }, 'settings.case_types[2]'))).toEqual([['settings.case_types[2].id', 'INVALID_CASE_TYPE_ID']]);
  });
});

describe('serviceAreaViolations', () => {
  it('a missing area is REQUIRED on service_area', () => {
    expect(reasons(serviceAreaViolations(undefined))).toEqual([['service_area', 'REQUIRED']]);
  });

  it('accepts a whole region with no other constraints', () => {
    expect(serviceAreaViolations(AREA)).toEqual([]);
  });

  it('accepts a fully narrowed area', () => {
    expect(serviceAreaViolations({ regionCode: '12', municipalityCodes: ['1280', '1281'], sex: 'female', minAge: 0, maxAge: 130 })).toEqual([]);
  });

  it('property: every region code 01..25 is accepted', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 25 }), (n) => {
        expect(serviceAreaViolations({ ...AREA, regionCode: String(n).padStart(2, '0') })).toEqual([]);
      }),
    );
  });

  it.each(['', '00', '26', '99', '1', '001', 'AB', ' 01'])('refuses the region code %j', (regionCode) => {
    expect(reasons(serviceAreaViolations({ ...AREA, regionCode }))).toEqual([['service_area.region_code', 'INVALID_REGION_CODE']]);
  });

  it('refuses municipalities outside the region or malformed, naming each by index', () => {
    const area = { ...AREA, regionCode: '01', municipalityCodes: ['0180', '1280', '018', '01800', '01ab', '0114'] };
    expect(reasons(serviceAreaViolations(area))).toEqual([
      ['service_area.municipality_codes[1]', 'INVALID_MUNICIPALITY_CODE'],
      ['service_area.municipality_codes[2]', 'INVALID_MUNICIPALITY_CODE'],
      ['service_area.municipality_codes[3]', 'INVALID_MUNICIPALITY_CODE'],
      ['service_area.municipality_codes[4]', 'INVALID_MUNICIPALITY_CODE'],
    ]);
  });

  it('does not read a municipality of region 1x as lying in region 01 (or the reverse)', () => {
    expect(reasons(serviceAreaViolations({ ...AREA, regionCode: '01', municipalityCodes: ['1001'] }))).toEqual([['service_area.municipality_codes[0]', 'INVALID_MUNICIPALITY_CODE']]);
    expect(reasons(serviceAreaViolations({ ...AREA, regionCode: '10', municipalityCodes: ['0110'] }))).toEqual([['service_area.municipality_codes[0]', 'INVALID_MUNICIPALITY_CODE']]);
  });

  it.each<[keyof Pick<ServiceArea, 'minAge' | 'maxAge'>, string]>([
    ['minAge', 'service_area.min_age'],
    ['maxAge', 'service_area.max_age'],
  ])('%s must be a whole number 0..130', (key, field) => {
    for (const ok of [0, 1, 67, 130]) expect(serviceAreaViolations({ ...AREA, [key]: ok })).toEqual([]);
    for (const bad of [-1, 131, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(reasons(serviceAreaViolations({ ...AREA, [key]: bad }))).toEqual([[field, 'INVALID_AGE']]);
    }
  });

  it('min age may equal max age but not exceed it', () => {
    expect(serviceAreaViolations({ ...AREA, minAge: 40, maxAge: 40 })).toEqual([]);
    expect(reasons(serviceAreaViolations({ ...AREA, minAge: 41, maxAge: 40 }))).toEqual([['service_area.max_age', 'INVALID_AGE_RANGE']]);
  });

  it('property: an age range of whole years 0..130 is valid exactly when min ≤ max', () => {
    const age = fc.integer({ min: 0, max: 130 });
    fc.assert(
      fc.property(age, age, (minAge, maxAge) => {
        const violations = serviceAreaViolations({ ...AREA, minAge, maxAge });
        expect(violations.length === 0).toBe(minAge <= maxAge);
      }),
    );
  });

  it('collects every problem at once, under the field prefix it is given', () => {
    const area: ServiceArea = { regionCode: '26', municipalityCodes: ['0180'], sex: null, minAge: 200, maxAge: 10 };
    expect(reasons(serviceAreaViolations(area, 'settings.service_area'))).toEqual([
      ['settings.service_area.region_code', 'INVALID_REGION_CODE'],
      ['settings.service_area.municipality_codes[0]', 'INVALID_MUNICIPALITY_CODE'],
      ['settings.service_area.min_age', 'INVALID_AGE'],
      ['settings.service_area.max_age', 'INVALID_AGE_RANGE'],
    ]);
  });
});

describe('what each refused setting tells the administrator', () => {
  it('describes every problem', () => {
    const describe = (violations: { field: string; description: string }[]) => violations.map((v) => `${v.field}: ${v.description}`);
    expect(describe(caseTypeViolations(undefined))).toEqual(['case_type: is required']);
    expect(describe(caseTypeViolations({ id: 'bad id', name: ' ', restricted: false }))).toEqual([
      'case_type.id: must be 1 to 64 letters, digits, - or _',
      'case_type.name: must be 1 to 200 characters',
    ]);
    expect(describe(serviceAreaViolations(undefined))).toEqual(['service_area: is required']);
    expect(describe(serviceAreaViolations({ regionCode: '26', municipalityCodes: ['0180'], sex: null, minAge: 131, maxAge: 20 }))).toEqual([
      'service_area.region_code: is required: a two-digit region code 01 to 25',
      'service_area.municipality_codes[0]: must be a four-digit municipality code in the region (starting with the region code)',
      'service_area.min_age: must be 0 to 130',
      'service_area.max_age: must not be below min_age',
    ]);
  });
});

describe('grantEndingSoonDaysViolation', () => {
  it.each([0, 1, 14, 90])('accepts %d (0 = off)', (days) => {
    expect(grantEndingSoonDaysViolation(days)).toBeNull();
  });

  it.each([-1, 91, 365, 1.5, Number.NaN])('refuses %d, naming the field', (days) => {
    expect(grantEndingSoonDaysViolation(days)).toEqual(expect.objectContaining({ field: 'grant_ending_soon_days', reason: 'INVALID_DAYS' }));
  });
});
