import fc from 'fast-check';
import { emptySettings, type CaseType, type ClinicSettings, type ServiceArea } from './clinic-settings';
import { clearServiceArea, putCaseType, removeCaseType, setGrantEndingSoonDays, setServiceArea, type SettingsDecision } from './settings-decisions';

const CLINIC = 'SE2321000016-1234';

const open = (id: string, name = `Name of ${id}`): CaseType => ({ id, name, restricted: false });
const restricted = (id: string, name = `Name of ${id}`): CaseType => ({ id, name, restricted: true });

function settings(caseTypes: CaseType[], serviceArea: ServiceArea | null = null, version = 5): ClinicSettings {
  return { ...emptySettings(CLINIC), caseTypes, serviceArea, version };
}

const AREA: ServiceArea = { regionCode: '01', municipalityCodes: ['0180', '0114', '0163'], sex: null, minAge: 18, maxAge: null };

function expectUnchanged(decision: SettingsDecision, current: ClinicSettings): void {
  expect(decision).toEqual({ changed: false, settings: current, withdrawn: null });
  expect(decision.settings).toBe(current);
}

function expectChanged(decision: SettingsDecision, current: ClinicSettings, withdrawn: string | null): ClinicSettings {
  expect(decision.changed).toBe(true);
  expect(decision.withdrawn).toBe(withdrawn);
  expect(decision.settings.version).toBe(current.version + 1);
  expect(decision.settings.clinicId).toBe(current.clinicId);
  return decision.settings;
}

describe('putCaseType', () => {
  it('adds a case type, keeping the list sorted by id', () => {
    const current = settings([open('alpha'), restricted('delta')]);
    const next = expectChanged(putCaseType(current, restricted('charlie')), current, null);
    expect(next.caseTypes).toEqual([open('alpha'), restricted('charlie'), restricted('delta')]);
    expect(current.caseTypes).toEqual([open('alpha'), restricted('delta')]);
  });

  it('adds to empty settings (version 0 → 1)', () => {
    const current = emptySettings(CLINIC);
    const next = expectChanged(putCaseType(current, open('book')), current, null);
    expect(next).toEqual({ clinicId: CLINIC, caseTypes: [open('book')], serviceArea: null, grantEndingSoonDays: 0, version: 1 });
  });

  it('replaces a case type of the same id (new name), keeping one entry', () => {
    const current = settings([open('a'), open('book', 'Book'), open('z')]);
    const next = expectChanged(putCaseType(current, open('book', 'Book a visit')), current, null);
    expect(next.caseTypes).toEqual([open('a'), open('book', 'Book a visit'), open('z')]);
  });

  it('keeps the service area', () => {
    const current = settings([], AREA);
    expect(putCaseType(current, open('book')).settings.serviceArea).toBe(AREA);
  });

  it.each([open('book', 'Book'), restricted('lab', 'Lab')])('the same case type again (%j) is unchanged', (caseType) => {
    const current = settings([open('book', 'Book'), restricted('lab', 'Lab')]);
    expectUnchanged(putCaseType(current, { ...caseType }), current);
  });

  it('restricted → unrestricted withdraws its grants', () => {
    const current = settings([restricted('lab', 'Lab')]);
    const next = expectChanged(putCaseType(current, open('lab', 'Lab')), current, 'lab');
    expect(next.caseTypes).toEqual([open('lab', 'Lab')]);
  });

  it('restricted → unrestricted with a new name also withdraws', () => {
    const current = settings([restricted('lab', 'Lab')]);
    expectChanged(putCaseType(current, open('lab', 'Lab results')), current, 'lab');
  });

  it('unrestricted → restricted withdraws nothing (nobody held it)', () => {
    const current = settings([open('lab', 'Lab')]);
    const next = expectChanged(putCaseType(current, restricted('lab', 'Lab')), current, null);
    expect(next.caseTypes).toEqual([restricted('lab', 'Lab')]);
  });

  it('renaming a restricted case type that stays restricted withdraws nothing', () => {
    const current = settings([restricted('lab', 'Lab')]);
    expectChanged(putCaseType(current, restricted('lab', 'Lab results')), current, null);
  });
});

describe('removeCaseType', () => {
  it('removing a restricted case type withdraws its grants', () => {
    const current = settings([open('a'), restricted('lab'), open('z')]);
    const next = expectChanged(removeCaseType(current, 'lab'), current, 'lab');
    expect(next.caseTypes).toEqual([open('a'), open('z')]);
  });

  it('removing an unrestricted case type withdraws nothing', () => {
    const current = settings([open('book'), restricted('lab')]);
    const next = expectChanged(removeCaseType(current, 'book'), current, null);
    expect(next.caseTypes).toEqual([restricted('lab')]);
  });

  it('removing a case type the clinic does not have is unchanged', () => {
    const current = settings([open('book')]);
    expectUnchanged(removeCaseType(current, 'lab'), current);
  });
});

describe('setServiceArea and clearServiceArea', () => {
  it('sets an area where there was none, keeping the case types', () => {
    const current = settings([open('book')]);
    const next = expectChanged(setServiceArea(current, AREA), current, null);
    expect(next.serviceArea).toEqual(AREA);
    expect(next.caseTypes).toBe(current.caseTypes);
  });

  it('the same area is unchanged, whatever the order of its municipalities', () => {
    const current = settings([], AREA);
    expectUnchanged(setServiceArea(current, { ...AREA }), current);
    expectUnchanged(setServiceArea(current, { ...AREA, municipalityCodes: ['0163', '0180', '0114'] }), current);
  });

  it.each<[string, Partial<ServiceArea>]>([
    ['region', { regionCode: '03', municipalityCodes: [] }],
    ['municipalities', { municipalityCodes: ['0180'] }],
    ['no municipalities', { municipalityCodes: [] }],
    ['sex', { sex: 'female' }],
    ['min age', { minAge: 19 }],
    ['no min age', { minAge: null }],
    ['max age', { maxAge: 65 }],
  ])('a different %s is a change', (_, change) => {
    const current = settings([], AREA);
    const next = expectChanged(setServiceArea(current, { ...AREA, ...change }), current, null);
    expect(next.serviceArea).toEqual({ ...AREA, ...change });
  });

  it('property: permuting the municipalities never counts as a change', () => {
    const codes = fc.uniqueArray(
      fc.integer({ min: 0, max: 99 }).map((n) => `01${String(n).padStart(2, '0')}`),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(
        codes.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }))),
        ([list, shuffled]) => {
          const current = settings([], { ...AREA, municipalityCodes: list });
          expect(setServiceArea(current, { ...AREA, municipalityCodes: shuffled }).changed).toBe(false);
        },
      ),
    );
  });

  it('clears an area', () => {
    const current = settings([open('book')], AREA);
    const next = expectChanged(clearServiceArea(current), current, null);
    expect(next.serviceArea).toBeNull();
    expect(next.caseTypes).toEqual([open('book')]);
  });

  it('clearing where there is no area is unchanged', () => {
    const current = settings([open('book')]);
    expectUnchanged(clearServiceArea(current), current);
  });

  it('never withdraws grants', () => {
    const current = settings([restricted('lab')], AREA);
    expect(setServiceArea(current, { ...AREA, regionCode: '03', municipalityCodes: [] }).withdrawn).toBeNull();
    expect(clearServiceArea(current).withdrawn).toBeNull();
  });
});

describe('setGrantEndingSoonDays', () => {
  it('sets the days, keeping case types and area; off by default', () => {
    const current = settings([restricted('lab')], AREA);
    expect(current.grantEndingSoonDays).toBe(0);
    const next = expectChanged(setGrantEndingSoonDays(current, 14), current, null);
    expect(next).toEqual({ ...current, grantEndingSoonDays: 14, version: current.version + 1 });
  });

  it('the same days again is unchanged; 0 turns them off', () => {
    const on = { ...settings([]), grantEndingSoonDays: 14 };
    expectUnchanged(setGrantEndingSoonDays(on, 14), on);
    expect(expectChanged(setGrantEndingSoonDays(on, 0), on, null).grantEndingSoonDays).toBe(0);
  });
});
