import type { ResidentListEntry } from '../../gen/residentaccess/v1/resident_access_service';
import { EXPORT_COLUMNS, residentRow } from './export-rows';

const stamp = { actor: 'staff-1', time: new Date('2027-01-01T09:00:00Z'), requestId: 'r-1' };
const entry = (overrides: { name?: string; approved?: boolean; grants?: { caseTypeId: string; untilDate: string; firstDay?: string }[] }): ResidentListEntry => ({
  name: overrides.name ?? 'Anna Lindqvist',
  access: {
    clinicId: 'SE2321000016-1234',
    personalIdentityNumber: '191212121212',
    approval: overrides.approved === false ? undefined : { approved: stamp },
    version: 1,
    etag: 'W/"1"',
    grants: (overrides.grants ?? []).map((g) => ({ firstDay: '', ...g, pending: false, startsAt: undefined, endsAt: undefined, granted: stamp, changed: undefined })),
  },
});

describe('export rows', () => {
  it('columns: the resident, its name, its approval, its grants (those import reads, and the name)', () => {
    expect(EXPORT_COLUMNS).toEqual(['personal_identity_number', 'name', 'approved', 'grants']);
  });

  it.each(['=HYPERLINK("http://x")', '+46', '-1', '@SUM(A1)', '\tAnna', '\rAnna'])('a name a spreadsheet would run as a formula (%j) gets a leading apostrophe', (name) => {
    expect(residentRow(entry({ name }))[1]).toBe(`'${name}`);
  });

  it('other names, a hyphen inside one included, are written as they are', () => {
    expect(residentRow(entry({ name: 'Anna-Karin Öberg' }))[1]).toBe('Anna-Karin Öberg');
  });

  it('a resident without grants has an empty grants cell', () => {
    expect(residentRow(entry({}))).toEqual(['191212121212', 'Anna Lindqvist', 'true', '']);
  });

  it('grants are case-type:last-day, or the case type alone until further notice, separated by ;', () => {
    const grants = [
      { caseTypeId: 'diabetes-team', untilDate: '2027-06-30' },
      { caseTypeId: 'psychotherapy', untilDate: '' },
    ];
    expect(residentRow(entry({ name: '', approved: false, grants }))).toEqual(['191212121212', '', 'false', 'diabetes-team:2027-06-30;psychotherapy']);
  });

  it('a grant with a first day is case-type:first..last, or case-type:first.. until further notice', () => {
    const grants = [
      { caseTypeId: 'diabetes-team', firstDay: '2027-02-01', untilDate: '2027-06-30' },
      { caseTypeId: 'psychotherapy', firstDay: '2026-11-15', untilDate: '' },
    ];
    expect(residentRow(entry({ grants }))[3]).toBe('diabetes-team:2027-02-01..2027-06-30;psychotherapy:2026-11-15..');
  });
});
