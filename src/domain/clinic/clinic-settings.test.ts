import { emptySettings, findCaseType, settingsEtag } from './clinic-settings';

const CLINIC = 'SE2321000016-1234';

describe("a clinic's settings", () => {
  it('start empty, never stored', () => {
    expect(emptySettings(CLINIC)).toEqual({ clinicId: CLINIC, caseTypes: [], serviceArea: null, grantEndingSoonDays: 0, version: 0 });
  });

  it('have an etag naming their version', () => {
    expect(settingsEtag({ ...emptySettings(CLINIC), version: 12 })).toBe('W/"12"');
  });

  it('find a case type by its exact id', () => {
    const visit = { id: 'book-visit', name: 'Book a visit', restricted: false };
    const settings = { ...emptySettings(CLINIC), caseTypes: [visit, { id: 'diabetes-team', name: 'Diabetes team', restricted: true }] };
    expect(findCaseType(settings, 'book-visit')).toBe(visit);
    expect(findCaseType(settings, 'Book-visit')).toBeUndefined();
  });
});
