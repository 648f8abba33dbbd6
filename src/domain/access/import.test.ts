import { endFields } from './grant-end';
import { importAccess } from './import';
import { emptyAccess, type ChangeStamp, type Grant, type ResidentAccess } from './resident-access';

const CLINIC = 'SE2321000016-1234';
// Synthetic test number (valid checksum); never a real person's.
const RESIDENT = '191212121212';

const EARLIER: ChangeStamp = { actor: 'staff-0', at: new Date('2026-05-01T08:00:00Z'), requestId: 'req-0' };
const IMPORT: ChangeStamp = { actor: 'admin-1', at: new Date('2026-05-02T09:30:00Z'), requestId: 'import-1:7' };

const held = (caseTypeId: string, until: string | null): Grant => ({
  caseTypeId,
  ...endFields(until === null ? { untilFurtherNotice: true } : { until }),
  granted: EARLIER,
  changed: null,
});

function access(approval: ChangeStamp | null, grants: Grant[] = [], version = 3): ResidentAccess {
  return { ...emptyAccess(CLINIC, RESIDENT), approval, grants, version };
}

describe('importAccess', () => {
  it('approves and grants in one change: one version on, one IMPORTED event with the whole access', () => {
    const current = access(null, [], 3);
    const decision = importAccess(
      current,
      {
        approve: true,
        grants: [
          { caseTypeId: 'b-team', end: { until: '2026-12-31' } },
          { caseTypeId: 'a-team', end: { untilFurtherNotice: true } },
        ],
      },
      IMPORT,
      'ev-1',
    );
    if (!decision.changed) throw new Error('expected a change');
    expect(decision.access).toEqual({
      ...current,
      approval: IMPORT,
      // Ordered by case type, as GrantCaseType keeps them.
      grants: [
        { caseTypeId: 'a-team', until: null, endsAt: null, granted: IMPORT, changed: null },
        { caseTypeId: 'b-team', ...endFields({ until: '2026-12-31' }), granted: IMPORT, changed: null },
      ],
      version: 4,
    });
    expect(decision.event).toEqual({
      eventId: 'ev-1',
      cause: 'IMPORTED',
      access: decision.access,
      before: current,
      version: 4,
      actor: 'admin-1',
      requestId: 'import-1:7',
      occurredAt: IMPORT.at,
    });
  });

  it('changes nothing when the resident has all the row gives', () => {
    const current = access(EARLIER, [held('a-team', '2026-12-31')]);
    expect(importAccess(current, { approve: true, grants: [{ caseTypeId: 'a-team', end: { until: '2026-12-31' } }] }, IMPORT, 'ev-1')).toEqual({ changed: false, access: current });
  });

  it('gives a held grant the row end, as ChangeGrant would, and keeps the approval and other grants', () => {
    const current = access(EARLIER, [held('a-team', '2026-12-31'), held('b-team', null)]);
    const decision = importAccess(current, { approve: true, grants: [{ caseTypeId: 'a-team', end: { untilFurtherNotice: true } }] }, IMPORT, 'ev-1');
    if (!decision.changed) throw new Error('expected a change');
    expect(decision.access.approval).toBe(EARLIER);
    expect(decision.access.grants).toEqual([{ ...held('a-team', null), changed: IMPORT }, held('b-team', null)]);
    expect(decision.event.cause).toBe('IMPORTED');
  });

  it('never removes: approved false leaves the approval as it is', () => {
    const current = access(EARLIER);
    expect(importAccess(current, { approve: false, grants: [] }, IMPORT, 'ev-1')).toEqual({ changed: false, access: current });
    const granted = importAccess(current, { approve: false, grants: [{ caseTypeId: 'a-team', end: { untilFurtherNotice: true } }] }, IMPORT, 'ev-1');
    expect(granted.access.approval).toBe(EARLIER);
  });

  describe('first day', () => {
    // IMPORT is 2026-05-02 11:30 in Stockholm.
    const startsAt = new Date('2026-05-31T22:00:00Z');

    it('makes a new grant with a later first day pending until 00:00 Stockholm that day', () => {
      const decision = importAccess(access(null), { approve: false, grants: [{ caseTypeId: 'a-team', end: { until: '2026-12-31' }, firstDay: '2026-06-01' }] }, IMPORT, 'ev-1');
      expect(decision.access.grants).toEqual([{ caseTypeId: 'a-team', ...endFields({ until: '2026-12-31' }), firstDay: '2026-06-01', startsAt, granted: IMPORT, changed: null }]);
    });

    it('gives access at once for a first day today or in the past (the old system had started it), keeping the day', () => {
      for (const firstDay of ['2026-05-02', '2025-01-15']) {
        const decision = importAccess(access(null), { approve: false, grants: [{ caseTypeId: 'a-team', end: { untilFurtherNotice: true }, firstDay }] }, IMPORT, 'ev-1');
        expect(decision.access.grants).toEqual([{ caseTypeId: 'a-team', until: null, endsAt: null, firstDay, granted: IMPORT, changed: null }]);
      }
    });

    it('moves a held pending grant to the row first day, or starts it when that day has come', () => {
      const pending: Grant = { ...held('a-team', null), firstDay: '2026-06-01', startsAt };
      const moved = importAccess(access(null, [pending]), { approve: false, grants: [{ caseTypeId: 'a-team', end: { untilFurtherNotice: true }, firstDay: '2026-07-01' }] }, IMPORT, 'ev-1');
      expect(moved.access.grants[0]).toMatchObject({ firstDay: '2026-07-01', startsAt: new Date('2026-06-30T22:00:00Z'), changed: IMPORT });
      const started = importAccess(
        access(null, [pending]),
        { approve: false, grants: [{ caseTypeId: 'a-team', end: { untilFurtherNotice: true }, firstDay: '2026-04-01' }] },
        IMPORT,
        'ev-1',
      );
      expect(started.changed).toBe(true);
      expect(started.access.grants[0]).not.toHaveProperty('startsAt');
    });

    it('never takes access back: a held grant that has begun keeps its start', () => {
      const current = access(null, [{ ...held('a-team', null), firstDay: '2026-04-01' }]);
      const row = { approve: false, grants: [{ caseTypeId: 'a-team', end: { untilFurtherNotice: true } as const, firstDay: '2026-06-01' }] };
      expect(importAccess(current, row, IMPORT, 'ev-1')).toEqual({ changed: false, access: current });
    });
  });
});
