import { emptyAccess, etagOf, hasAnyAccess, type Grant, type ResidentAccess } from './resident-access';
import { termsOf, viewEntryOf } from './resident-view';

const CLINIC = 'SE2321000016-1234';
const RESIDENT = '191212121212';
const stamp = { actor: 'staff-1', at: new Date('2026-05-01T10:00:00Z'), requestId: 'r1' };
const grant: Grant = { caseTypeId: 'diabetes-team', until: '2026-06-30', endsAt: new Date('2026-06-30T22:00:00Z'), granted: stamp, changed: null };

describe('a resident access', () => {
  it('starts empty, never stored', () => {
    expect(emptyAccess(CLINIC, RESIDENT)).toEqual({ clinicId: CLINIC, resident: RESIDENT, approval: null, grants: [], version: 0 });
  });

  it('has an etag naming its version', () => {
    expect(etagOf({ ...emptyAccess(CLINIC, RESIDENT), version: 7 })).toBe('W/"7"');
  });

  it('gives access by an approval or by any grant', () => {
    const empty = emptyAccess(CLINIC, RESIDENT);
    expect(hasAnyAccess(empty)).toBe(false);
    expect(hasAnyAccess({ ...empty, approval: stamp })).toBe(true);
    expect(hasAnyAccess({ ...empty, grants: [grant] })).toBe(true);
  });
});

describe("the resident view's entry of an access", () => {
  it('keeps what the entitlement rules need, at the access version', () => {
    const access: ResidentAccess = { ...emptyAccess(CLINIC, RESIDENT), approval: stamp, grants: [grant], version: 4 };
    const terms = { approved: true, grants: [{ caseTypeId: 'diabetes-team', until: '2026-06-30', endsAt: new Date('2026-06-30T22:00:00Z') }] };
    expect(termsOf(access)).toEqual(terms);
    expect(viewEntryOf(access)).toEqual({ ...terms, version: 4 });
    expect(viewEntryOf(emptyAccess(CLINIC, RESIDENT))).toEqual({ approved: false, grants: [], version: 0 });
  });
});
