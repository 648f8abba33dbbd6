import fc from 'fast-check';
import { DomainError } from '../errors/domain-error';
import { calendarDateArbitrary } from '../time/calendar-date.arbitrary';
import type { Decision } from './decision';
import { endFields, readGrantEnd, type GrantEnd } from './grant-end';
import { changeGrant, expireGrants, grantCaseType, isGrantValid, removeGrant, withdrawCaseType } from './grants';
import { emptyAccess, type ChangeStamp, type Grant, type ResidentAccess } from './resident-access';

const CLINIC = 'SE2321000016-1234';
// Synthetic test number (valid checksum); never a real person's.
const RESIDENT = '191212121212';

function stamp(at: string, requestId = 'req-1', actor = 'staff-1'): ChangeStamp {
  return { actor, at: new Date(at), requestId };
}

const T0 = stamp('2026-05-01T08:00:00Z', 'req-0', 'staff-0');
const T1 = stamp('2026-05-02T09:30:00Z', 'req-1', 'staff-1');

function grantOf(caseTypeId: string, until: string | null, granted: ChangeStamp = T0): Grant {
  const end: GrantEnd = until === null ? { untilFurtherNotice: true } : { until };
  return { caseTypeId, ...endFields(end), granted, changed: null };
}

function accessWith(grants: Grant[], version = grants.length, approval: ChangeStamp | null = null): ResidentAccess {
  return { ...emptyAccess(CLINIC, RESIDENT), approval, grants, version };
}

function errorCodeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected a DomainError');
}

function expectChanged(decision: Decision): Extract<Decision, { changed: true }> {
  expect(decision.changed).toBe(true);
  if (!decision.changed) throw new Error('unreachable');
  return decision;
}

function expectUnchanged(decision: Decision, current: ResidentAccess): void {
  expect(decision.changed).toBe(false);
  expect(decision.access).toBe(current);
  expect(decision).not.toHaveProperty('event');
}

/** Version +1, and one event carrying the cause, stamp and whole new access. */
function expectEvent(decision: Decision, current: ResidentAccess, cause: string, by: ChangeStamp, eventId: string): ResidentAccess {
  const { access, event } = expectChanged(decision);
  expect(access.version).toBe(current.version + 1);
  expect(event).toEqual({
    eventId,
    cause,
    access,
    before: current,
    version: current.version + 1,
    actor: by.actor,
    requestId: by.requestId,
    occurredAt: by.at,
  });
  expect(event.access).toBe(access);
  expect(event.before).toBe(current);
  return access;
}

const ids = (access: ResidentAccess) => access.grants.map((g) => g.caseTypeId);

describe('grantCaseType', () => {
  it('adds a dated grant with its end instant, the stamp and an event of cause GRANTED', () => {
    const current = accessWith([], 3);
    const access = expectEvent(grantCaseType(current, 'lab', { until: '2026-06-30' }, T1, 'ev-1'), current, 'GRANTED', T1, 'ev-1');
    expect(access.grants).toEqual([{ caseTypeId: 'lab', until: '2026-06-30', endsAt: new Date('2026-06-30T22:00:00Z'), granted: T1, changed: null }]);
    expect(access.clinicId).toBe(CLINIC);
    expect(access.resident).toBe(RESIDENT);
  });

  it('adds a grant until further notice with no end instant', () => {
    const current = accessWith([]);
    const access = expectEvent(grantCaseType(current, 'lab', { untilFurtherNotice: true }, T1, 'ev-1'), current, 'GRANTED', T1, 'ev-1');
    expect(access.grants[0]).toMatchObject({ until: null, endsAt: null });
  });

  it('keeps the approval and the other grants, sorted by case type id', () => {
    const current = accessWith([grantOf('alpha', null), grantOf('delta', '2026-12-31')], 2, T0);
    const access = expectEvent(grantCaseType(current, 'charlie', { until: '2026-07-01' }, T1, 'ev-2'), current, 'GRANTED', T1, 'ev-2');
    expect(ids(access)).toEqual(['alpha', 'charlie', 'delta']);
    expect(access.approval).toBe(T0);
    expect(access.grants[0]).toEqual(current.grants[0]);
    expect(access.grants[2]).toEqual(current.grants[1]);
  });

  it('does not modify the current state', () => {
    const current = accessWith([grantOf('b', null)]);
    const before = structuredClone(current);
    grantCaseType(current, 'a', { until: '2026-07-01' }, T1, 'ev');
    expect(current).toEqual(before);
  });

  it.each<[string | null, GrantEnd]>([
    ['2026-06-30', { until: '2026-06-30' }],
    [null, { untilFurtherNotice: true }],
  ])('granting exactly the held grant (%s) is unchanged, with no event', (until, end) => {
    const current = accessWith([grantOf('lab', until)], 4);
    expectUnchanged(grantCaseType(current, 'lab', end, T1, 'ev'), current);
  });

  it.each<[string | null, GrantEnd]>([
    ['2026-06-30', { until: '2026-07-01' }],
    ['2026-06-30', { untilFurtherNotice: true }],
    [null, { until: '2026-06-30' }],
  ])('another end for a held grant (%s) is refused with GRANT_EXISTS', (until, end) => {
    const current = accessWith([grantOf('lab', until)]);
    expect(errorCodeOf(() => grantCaseType(current, 'lab', end, T1, 'ev'))).toBe('GRANT_EXISTS');
  });
});

describe('changeGrant', () => {
  it('changes the end, keeps who granted it, records the change and announces GRANT_CHANGED', () => {
    const current = accessWith([grantOf('a', null), grantOf('lab', '2026-06-30'), grantOf('z', '2026-08-01')], 7, T0);
    const access = expectEvent(changeGrant(current, 'lab', { until: '2026-10-25' }, T1, 'ev-9'), current, 'GRANT_CHANGED', T1, 'ev-9');
    expect(ids(access)).toEqual(['a', 'lab', 'z']);
    expect(access.grants[1]).toEqual({
      caseTypeId: 'lab',
      until: '2026-10-25',
      endsAt: new Date('2026-10-25T23:00:00Z'),
      granted: T0,
      changed: T1,
    });
    expect(access.approval).toBe(T0);
  });

  it('changes a dated grant to until further notice', () => {
    const current = accessWith([grantOf('lab', '2026-06-30')]);
    const access = expectEvent(changeGrant(current, 'lab', { untilFurtherNotice: true }, T1, 'ev'), current, 'GRANT_CHANGED', T1, 'ev');
    expect(access.grants[0]).toMatchObject({ until: null, endsAt: null, changed: T1 });
  });

  it('changing to the end it has is unchanged, with no event', () => {
    const current = accessWith([grantOf('lab', '2026-06-30')]);
    expectUnchanged(changeGrant(current, 'lab', { until: '2026-06-30' }, T1, 'ev'), current);
  });

  it('a grant that is not held is GRANT_NOT_FOUND', () => {
    const current = accessWith([grantOf('other', null)]);
    expect(errorCodeOf(() => changeGrant(current, 'lab', { until: '2026-06-30' }, T1, 'ev'))).toBe('GRANT_NOT_FOUND');
    expect(errorCodeOf(() => changeGrant(emptyAccess(CLINIC, RESIDENT), 'lab', { untilFurtherNotice: true }, T1, 'ev'))).toBe('GRANT_NOT_FOUND');
  });

  it('a removed grant is GRANT_NOT_FOUND', () => {
    const current = accessWith([grantOf('lab', null)]);
    const removed = expectChanged(removeGrant(current, 'lab', T1, 'ev')).access;
    expect(errorCodeOf(() => changeGrant(removed, 'lab', { until: '2026-06-30' }, T1, 'ev'))).toBe('GRANT_NOT_FOUND');
  });
});

describe('removeGrant', () => {
  it('removes only that grant and announces GRANT_REMOVED', () => {
    const current = accessWith([grantOf('a', null), grantOf('lab', '2026-06-30'), grantOf('z', null)], 3, T0);
    const access = expectEvent(removeGrant(current, 'lab', T1, 'ev-r'), current, 'GRANT_REMOVED', T1, 'ev-r');
    expect(ids(access)).toEqual(['a', 'z']);
    expect(access.approval).toBe(T0);
  });

  it('removing a grant that is not held is unchanged, with no event', () => {
    const current = accessWith([grantOf('a', null)]);
    expectUnchanged(removeGrant(current, 'lab', T1, 'ev'), current);
  });
});

describe('withdrawCaseType', () => {
  const withdrawal = stamp('2026-05-10T12:00:00Z', 'withdraw-1', 'admin-1');

  it('removes a grant given before the withdrawal, with cause CASE_TYPE_WITHDRAWN', () => {
    const current = accessWith([grantOf('a', null), grantOf('lab', '2026-06-30', T0)], 5);
    const access = expectEvent(withdrawCaseType(current, 'lab', withdrawal, 'ev-w'), current, 'CASE_TYPE_WITHDRAWN', withdrawal, 'ev-w');
    expect(ids(access)).toEqual(['a']);
  });

  it('removes a grant given at the very instant of the withdrawal', () => {
    const current = accessWith([grantOf('lab', null, stamp('2026-05-10T12:00:00Z'))]);
    expect(withdrawCaseType(current, 'lab', withdrawal, 'ev').changed).toBe(true);
  });

  it('ignores a grant given after the withdrawal (the case type was restricted again and re-granted)', () => {
    const current = accessWith([grantOf('lab', null, stamp('2026-05-10T12:00:00.001Z'))]);
    expectUnchanged(withdrawCaseType(current, 'lab', withdrawal, 'ev'), current);
  });

  it('uses when the grant was given, not when it was last changed', () => {
    const changed = { ...grantOf('lab', '2026-06-30', T0), changed: stamp('2026-05-11T00:00:00Z') };
    const current = accessWith([changed]);
    expect(withdrawCaseType(current, 'lab', withdrawal, 'ev').changed).toBe(true);
  });

  it('is unchanged for a case type that is not held', () => {
    const current = accessWith([grantOf('a', null)]);
    expectUnchanged(withdrawCaseType(current, 'lab', withdrawal, 'ev'), current);
  });
});

describe('readGrantEnd', () => {
  const TODAY = '2026-05-01';

  it('accepts today and later dates', () => {
    expect(readGrantEnd('2026-05-01', undefined, TODAY)).toEqual({ end: { until: '2026-05-01' } });
    expect(readGrantEnd('2030-01-31', undefined, TODAY)).toEqual({ end: { until: '2030-01-31' } });
  });

  it('refuses yesterday with DATE_IN_PAST on until_date', () => {
    expect(readGrantEnd('2026-04-30', undefined, TODAY)).toEqual({
      violation: expect.objectContaining({ field: 'until_date', reason: 'DATE_IN_PAST' }),
    });
  });

  it.each(['2026-02-30', '2026-5-01', '20260501', '2026-05-01T00:00:00Z', '', 'tomorrow'])('refuses the malformed %j with INVALID_DATE on until_date', (text) => {
    expect(readGrantEnd(text, undefined, TODAY)).toEqual({
      violation: expect.objectContaining({ field: 'until_date', reason: 'INVALID_DATE' }),
    });
  });

  it('accepts 9999-12-30, the last date whose end instant exists, and refuses 9999-12-31', () => {
    expect(readGrantEnd('9999-12-30', undefined, TODAY)).toEqual({ end: { until: '9999-12-30' } });
    expect(endFields({ until: '9999-12-30' }).endsAt).toEqual(new Date('9999-12-30T23:00:00Z'));
    expect(readGrantEnd('9999-12-31', undefined, TODAY)).toEqual({
      violation: expect.objectContaining({ field: 'until_date', reason: 'INVALID_DATE' }),
    });
  });

  it('accepts until further notice', () => {
    expect(readGrantEnd(undefined, true, TODAY)).toEqual({ end: { untilFurtherNotice: true } });
  });

  it.each([undefined, false])('neither a date nor until_further_notice (%s) is REQUIRED on end', (flag) => {
    expect(readGrantEnd(undefined, flag, TODAY)).toEqual({
      violation: expect.objectContaining({ field: 'end', reason: 'REQUIRED' }),
    });
  });

  it('never echoes the input in a description', () => {
    const read = readGrantEnd('2026-04-30', undefined, TODAY);
    expect('violation' in read && read.violation.description).not.toContain('2026-04-30');
  });

  it('property: a valid date is accepted exactly when it is not before today', () => {
    const dates = calendarDateArbitrary('2020-01-01', '2032-12-31');
    fc.assert(
      fc.property(dates, dates, (until, today) => {
        const read = readGrantEnd(until, undefined, today);
        if (until >= today) expect(read).toEqual({ end: { until } });
        else expect(read).toEqual({ violation: expect.objectContaining({ reason: 'DATE_IN_PAST' }) });
      }),
    );
  });
});

describe('isGrantValid', () => {
  it('is valid up to the last millisecond before its end instant, and not at it', () => {
    const grant = grantOf('lab', '2026-06-30');
    const endsAt = new Date('2026-06-30T22:00:00Z');
    expect(grant.endsAt).toEqual(endsAt);
    expect(isGrantValid(grant, new Date(endsAt.getTime() - 1))).toBe(true);
    expect(isGrantValid(grant, endsAt)).toBe(false);
    expect(isGrantValid(grant, new Date(endsAt.getTime() + 1))).toBe(false);
  });

  it('until further notice is always valid', () => {
    expect(isGrantValid(grantOf('lab', null), new Date('2999-01-01T00:00:00Z'))).toBe(true);
  });
});

describe('expireGrants', () => {
  const expiry = stamp('2026-07-01T00:00:00Z', 'expiry-run', 'expiry');

  it('ends every grant whose end instant has come, in one change with one GRANT_EXPIRED event', () => {
    const current = accessWith([grantOf('a', '2026-06-29'), grantOf('b', null), grantOf('c', '2026-06-30'), grantOf('d', '2026-07-01')], 4, T0);
    // c ends at 2026-06-30T22:00Z exactly.
    const now = new Date('2026-06-30T22:00:00Z');
    const access = expectEvent(expireGrants(current, now, expiry, 'ev-x'), current, 'GRANT_EXPIRED', expiry, 'ev-x');
    expect(ids(access)).toEqual(['b', 'd']);
    expect(access.approval).toBe(T0);
  });

  it('changes nothing while every grant is still valid', () => {
    const current = accessWith([grantOf('c', '2026-06-30'), grantOf('b', null)]);
    expectUnchanged(expireGrants(current, new Date('2026-06-30T21:59:59.999Z'), expiry, 'ev'), current);
    const none = accessWith([]);
    expectUnchanged(expireGrants(none, new Date('2026-06-30T22:00:00Z'), expiry, 'ev'), none);
  });
});

describe('property: sequences of grant, change and remove', () => {
  const caseTypeIds = ['lab', 'book-visit', 'renew', 'a1', 'a10', 'a2', 'x'];
  const end: fc.Arbitrary<GrantEnd> = fc.oneof(
    calendarDateArbitrary('2026-05-01', '2026-05-04').map((until) => ({ until })),
    fc.constant({ untilFurtherNotice: true as const }),
  );
  const operation = fc.oneof(
    fc.record({ kind: fc.constant('grant' as const), caseTypeId: fc.constantFrom(...caseTypeIds), end }),
    fc.record({ kind: fc.constant('change' as const), caseTypeId: fc.constantFrom(...caseTypeIds), end }),
    fc.record({ kind: fc.constant('remove' as const), caseTypeId: fc.constantFrom(...caseTypeIds) }),
  );

  it('version counts the changed decisions; grants match a simple model, unique and sorted', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        let access = emptyAccess(CLINIC, RESIDENT);
        // The model: case type id → until (null = further notice).
        const model = new Map<string, string | null>();
        let changes = 0;
        operations.forEach((op, i) => {
          const by = stamp(new Date(Date.UTC(2026, 4, 1, 0, i)).toISOString(), `req-${i}`);
          const held = model.has(op.caseTypeId);
          const until = 'end' in op ? endFields(op.end).until : null;
          let decision: Decision;
          if (op.kind === 'grant') {
            if (held && model.get(op.caseTypeId) !== until) {
              expect(errorCodeOf(() => grantCaseType(access, op.caseTypeId, op.end, by, `ev-${i}`))).toBe('GRANT_EXISTS');
              return;
            }
            decision = grantCaseType(access, op.caseTypeId, op.end, by, `ev-${i}`);
            expect(decision.changed).toBe(!held);
            model.set(op.caseTypeId, until);
          } else if (op.kind === 'change') {
            if (!held) {
              expect(errorCodeOf(() => changeGrant(access, op.caseTypeId, op.end, by, `ev-${i}`))).toBe('GRANT_NOT_FOUND');
              return;
            }
            decision = changeGrant(access, op.caseTypeId, op.end, by, `ev-${i}`);
            expect(decision.changed).toBe(model.get(op.caseTypeId) !== until);
            model.set(op.caseTypeId, until);
          } else {
            decision = removeGrant(access, op.caseTypeId, by, `ev-${i}`);
            expect(decision.changed).toBe(held);
            model.delete(op.caseTypeId);
          }
          if (decision.changed) {
            changes += 1;
            expect(decision.event.version).toBe(decision.access.version);
            expect(decision.event.access).toBe(decision.access);
          } else {
            expect(decision.access).toBe(access);
          }
          access = decision.access;
          expect(access.version).toBe(changes);
          const held_ = ids(access);
          expect(new Set(held_).size).toBe(held_.length);
          expect(held_).toEqual([...held_].sort());
          expect(Object.fromEntries(access.grants.map((g) => [g.caseTypeId, g.until]))).toEqual(Object.fromEntries(model));
        });
        expect(access.version).toBe(changes);
      }),
      { numRuns: 300 },
    );
  });
});

describe('what a refused grant or end tells the caller', () => {
  const TODAY = '2026-05-01';

  it('a held grant and a missing one are refused with a message that says what to do instead', () => {
    const held = accessWith([grantOf('lab', '2026-06-30')]);
    expect(() => grantCaseType(held, 'lab', { untilFurtherNotice: true }, T1, 'ev')).toThrow('the resident already holds this case type; change its end instead');
    expect(() => changeGrant(emptyAccess(CLINIC, RESIDENT), 'lab', { untilFurtherNotice: true }, T1, 'ev')).toThrow('the resident holds no grant of this case type');
  });

  it('a date and until_further_notice together are a contradiction, whichever the flag', () => {
    for (const flag of [true, false]) {
      expect(readGrantEnd('2026-06-30', flag, TODAY)).toEqual({
        violation: { field: 'end', reason: 'CONFLICTING_END', description: 'give either until_date or until_further_notice, not both' },
      });
    }
  });

  it('each refused end says what is wanted', () => {
    expect(readGrantEnd('2026-02-30', undefined, TODAY)).toEqual({
      violation: { field: 'until_date', reason: 'INVALID_DATE', description: 'must be a date YYYY-MM-DD, at most 9999-12-30' },
    });
    expect(readGrantEnd('2026-04-30', undefined, TODAY)).toEqual({ violation: { field: 'until_date', reason: 'DATE_IN_PAST', description: 'must be today or later (Europe/Stockholm)' } });
    expect(readGrantEnd(undefined, undefined, TODAY)).toEqual({ violation: { field: 'end', reason: 'REQUIRED', description: 'give until_date, or until_further_notice = true' } });
  });
});
