import { approve, removeApproval } from './approve';
import { endFields } from './grant-end';
import { emptyAccess, type ChangeStamp, type Grant, type ResidentAccess } from './resident-access';

const CLINIC = 'SE2321000016-1234';
// Synthetic test number (valid checksum); never a real person's.
const RESIDENT = '191212121212';

const T0: ChangeStamp = { actor: 'staff-0', at: new Date('2026-05-01T08:00:00Z'), requestId: 'req-0' };
const T1: ChangeStamp = { actor: 'staff-1', at: new Date('2026-05-02T09:30:00Z'), requestId: 'req-1' };

const grant = (caseTypeId: string, until: string | null): Grant => ({
  caseTypeId,
  ...endFields(until === null ? { untilFurtherNotice: true } : { until }),
  granted: T0,
  changed: null,
});

function access(approval: ChangeStamp | null, grants: Grant[] = [], version = 1): ResidentAccess {
  return { ...emptyAccess(CLINIC, RESIDENT), approval, grants, version };
}

describe('approve', () => {
  it('approves a resident with no access: version 1 and one APPROVED event with the whole access', () => {
    const current = emptyAccess(CLINIC, RESIDENT);
    const decision = approve(current, T1, 'ev-1');
    if (!decision.changed) throw new Error('expected a change');
    expect(decision.access).toEqual({ clinicId: CLINIC, resident: RESIDENT, approval: T1, grants: [], version: 1 });
    expect(decision.event).toEqual({
      eventId: 'ev-1',
      cause: 'APPROVED',
      access: decision.access,
      before: current,
      version: 1,
      actor: 'staff-1',
      requestId: 'req-1',
      occurredAt: T1.at,
    });
  });

  it('keeps the grants the resident holds', () => {
    const grants = [grant('lab', '2026-06-30'), grant('renew', null)];
    const current = access(null, grants, 4);
    const decision = approve(current, T1, 'ev-2');
    expect(decision.changed).toBe(true);
    expect(decision.access.grants).toEqual(grants);
    expect(decision.access.approval).toBe(T1);
    expect(decision.access.version).toBe(5);
  });

  it('approving an approved resident is unchanged: same object, no event, first approval kept', () => {
    const current = access(T0, [], 3);
    const decision = approve(current, T1, 'ev-3');
    expect(decision.changed).toBe(false);
    expect(decision.access).toBe(current);
    expect(decision).not.toHaveProperty('event');
    expect(decision.access.approval).toBe(T0);
  });

  it('does not modify the current state', () => {
    const current = access(null, [grant('lab', null)]);
    const before = structuredClone(current);
    approve(current, T1, 'ev');
    expect(current).toEqual(before);
  });
});

describe('removeApproval', () => {
  it('removes the approval: version +1 and one APPROVAL_REMOVED event', () => {
    const current = access(T0, [], 2);
    const decision = removeApproval(current, T1, 'ev-4');
    if (!decision.changed) throw new Error('expected a change');
    expect(decision.access.approval).toBeNull();
    expect(decision.access.version).toBe(3);
    expect(decision.event).toMatchObject({ eventId: 'ev-4', cause: 'APPROVAL_REMOVED', version: 3, actor: 'staff-1', requestId: 'req-1' });
    expect(decision.event.access).toBe(decision.access);
    expect(decision.event.occurredAt).toBe(T1.at);
  });

  it('keeps the grants the resident holds', () => {
    const grants = [grant('lab', '2026-06-30'), grant('renew', null)];
    const current = access(T0, grants, 6);
    const decision = removeApproval(current, T1, 'ev-5');
    expect(decision.changed).toBe(true);
    expect(decision.access.grants).toEqual(grants);
    expect(decision.access.approval).toBeNull();
  });

  it('removing an approval that is not there is unchanged: same object, no event', () => {
    const current = access(null, [grant('lab', null)], 2);
    const decision = removeApproval(current, T1, 'ev-6');
    expect(decision.changed).toBe(false);
    expect(decision.access).toBe(current);
    expect(decision).not.toHaveProperty('event');
  });

  it('approve then remove gives back the access without approval, two versions on', () => {
    const start = access(null, [grant('lab', null)], 1);
    const approved = approve(start, T0, 'a').access;
    const removed = removeApproval(approved, T1, 'b').access;
    expect(removed).toEqual({ ...start, version: 3 });
  });
});
