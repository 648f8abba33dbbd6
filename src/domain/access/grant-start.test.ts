import type { ClinicSettings } from '../clinic/clinic-settings';
import { DomainError } from '../errors/domain-error';
import { PersonalIdentityNumber } from '../identity/personal-identity-number';
import { personalIdentityNumberFor } from '../identity/personal-identity-number.arbitrary';
import type { Decision } from './decision';
import { entitlementsAtClinic } from './entitlements';
import { firstDayViolation, isGrantActive, isGrantPendingAt, newFirstDayViolation, startFields, startGrants } from './grant-start';
import { changeGrant, expireGrants, grantCaseType, removeGrant } from './grants';
import { emptyAccess, type ChangeStamp, type ResidentAccess } from './resident-access';
import { termsOf } from './resident-view';

const CLINIC = 'SE2321000016-1234';
const RESIDENT = personalIdentityNumberFor('1980-02-10', 123);
const at = (iso: string, requestId = 'req-1', actor = 'staff-1'): ChangeStamp => ({ actor, at: new Date(iso), requestId });
/** 2027-03-20 in Stockholm (winter time, UTC+1). */
const GRANTED = at('2027-03-20T09:00:00Z', 'req-0', 'staff-0');

const change = (decision: Decision) => {
  if (!decision.changed) throw new Error('expected a change');
  return decision;
};

function codeOf(action: () => unknown): { code: string; fields: string[] } {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, fields: error.violations.map((v) => `${v.field}:${v.reason}`) };
    throw error;
  }
  throw new Error('expected a DomainError');
}

/** The resident after GrantCaseType of `lab` until `until`, from `firstDay`, at GRANTED. */
function granted(firstDay: string | undefined, until: string | null = '2027-12-31'): ResidentAccess {
  const end = until === null ? ({ untilFurtherNotice: true } as const) : { until };
  return change(grantCaseType(emptyAccess(CLINIC, RESIDENT), 'lab', end, GRANTED, 'ev-0', firstDay)).access;
}

describe('a first day', () => {
  it('after today makes the grant pending until 00:00 Europe/Stockholm that day, also on the clock-change days', () => {
    expect(startFields('2027-03-21', '2027-03-20')).toEqual({ firstDay: '2027-03-21', startsAt: new Date('2027-03-20T23:00:00Z') });
    // The 23-hour day: it begins at 00:00 winter time (UTC+1).
    expect(startFields('2027-03-28', '2027-03-20')).toEqual({ firstDay: '2027-03-28', startsAt: new Date('2027-03-27T23:00:00Z') });
    expect(startFields('2027-03-29', '2027-03-20')).toEqual({ firstDay: '2027-03-29', startsAt: new Date('2027-03-28T22:00:00Z') });
    // The 25-hour day: it begins at 00:00 summer time (UTC+2).
    expect(startFields('2027-10-31', '2027-03-20')).toEqual({ firstDay: '2027-10-31', startsAt: new Date('2027-10-30T22:00:00Z') });
    expect(startFields('2027-11-01', '2027-03-20')).toEqual({ firstDay: '2027-11-01', startsAt: new Date('2027-10-31T23:00:00Z') });
  });

  it('of today starts the grant at once, keeping the day; none leaves the grant as before first days existed', () => {
    expect(startFields('2027-03-20', '2027-03-20')).toEqual({ firstDay: '2027-03-20' });
    expect(startFields(undefined, '2027-03-20')).toEqual({});
  });

  it('is read as a date of at most 9999-12-30, and a new one must be neither past nor after the last day', () => {
    expect(firstDayViolation(undefined)).toBeNull();
    expect(firstDayViolation('2027-04-01')).toBeNull();
    expect(firstDayViolation('9999-12-30')).toBeNull();
    for (const bad of ['2027-02-30', '2027-4-01', '', '9999-12-31']) expect(firstDayViolation(bad)).toMatchObject({ field: 'first_day', reason: 'INVALID_DATE' });
    expect(newFirstDayViolation('2027-03-19', null, '2027-03-20')).toMatchObject({ field: 'first_day', reason: 'DATE_IN_PAST' });
    expect(newFirstDayViolation('2027-03-20', '2027-03-20', '2027-03-20')).toBeNull();
    expect(newFirstDayViolation('2027-04-01', '2027-04-01', '2027-03-20')).toBeNull();
    expect(newFirstDayViolation('2027-04-02', '2027-04-01', '2027-03-20')).toMatchObject({ field: 'first_day', reason: 'AFTER_LAST_DAY' });
    expect(newFirstDayViolation('2099-01-01', null, '2027-03-20')).toBeNull();
  });
});

describe('a pending grant', () => {
  const startsAt = new Date('2027-03-27T23:00:00Z');

  it('is stored with its first day and start, by GRANTED, and gives access from its start to its end', () => {
    const access = granted('2027-03-28', '2027-03-28');
    expect(access.grants).toEqual([{ caseTypeId: 'lab', until: '2027-03-28', endsAt: new Date('2027-03-28T22:00:00Z'), firstDay: '2027-03-28', startsAt, granted: GRANTED, changed: null }]);
    const grant = access.grants[0]!;
    expect([isGrantPendingAt(grant, new Date(startsAt.getTime() - 1)), isGrantPendingAt(grant, startsAt)]).toEqual([true, false]);
    expect([isGrantActive(grant, new Date(startsAt.getTime() - 1)), isGrantActive(grant, startsAt)]).toEqual([false, true]);
    expect([isGrantActive(grant, new Date('2027-03-28T21:59:59.999Z')), isGrantActive(grant, new Date('2027-03-28T22:00:00Z'))]).toEqual([true, false]);
  });

  it('gives no entitlement before its first day, and one by the clock from 00:00 that day (before the scheduler starts it)', () => {
    const settings: ClinicSettings = { clinicId: CLINIC, caseTypes: [{ id: 'lab', name: 'Lab', restricted: true }], serviceArea: null, grantEndingSoonDays: 0, version: 1 };
    const number = PersonalIdentityNumber.fromStored(RESIDENT);
    if (!number.ok) throw new Error('test number invalid');
    const terms = termsOf(granted('2027-03-28', null));
    expect(terms.grants).toEqual([{ caseTypeId: 'lab', until: null, endsAt: null, startsAt }]);
    const resident = { number: number.value, registered: null };
    expect(entitlementsAtClinic(settings, terms, resident, new Date(startsAt.getTime() - 1))).toEqual([]);
    expect(entitlementsAtClinic(settings, terms, resident, startsAt)).toEqual([{ caseTypeId: 'lab', name: 'Lab', reason: 'GRANT', until: null }]);
  });

  it('is started by the scheduler at its start, with one GRANT_STARTED change that keeps the first day', () => {
    const current = granted('2027-03-28');
    expect(startGrants(current, new Date(startsAt.getTime() - 1), at('2027-03-27T22:59:59.999Z', 'start:x', 'system:grant-start'), 'ev-1')).toEqual({ changed: false, access: current });
    const by = at('2027-03-27T23:00:00Z', 'start:y', 'system:grant-start');
    const { access, event } = change(startGrants(current, startsAt, by, 'ev-2'));
    expect(event).toMatchObject({ cause: 'GRANT_STARTED', eventId: 'ev-2', actor: 'system:grant-start', requestId: 'start:y', version: current.version + 1, before: current });
    expect(access.grants[0]).toEqual({ ...current.grants[0], startsAt: undefined });
    expect(access.grants[0]).not.toHaveProperty('startsAt');
    expect(access.grants[0]!.firstDay).toBe('2027-03-28');
    // Started once: a later run finds nothing to start.
    expect(startGrants(access, new Date('2027-03-29T00:00:00Z'), by, 'ev-3').changed).toBe(false);
  });

  it('starts only the grants whose start has come, all in one change', () => {
    const base = granted('2027-03-28');
    const two = change(grantCaseType(base, 'psy', { untilFurtherNotice: true }, GRANTED, 'ev-1', '2027-04-02')).access;
    const three = change(grantCaseType(two, 'team', { untilFurtherNotice: true }, GRANTED, 'ev-2', '2027-03-25')).access;
    const { access } = change(startGrants(three, new Date('2027-03-30T12:00:00Z'), at('2027-03-30T12:00:00Z'), 'ev-3'));
    expect(access.grants.map((g) => [g.caseTypeId, g.startsAt !== undefined])).toEqual([
      ['lab', false],
      ['psy', true],
      ['team', false],
    ]);
  });

  it('whose whole span passed unseen is ended, not started, by the expiry that runs first', () => {
    const current = granted('2027-03-28', '2027-03-28');
    const { access, event } = change(expireGrants(current, new Date('2027-04-05T00:00:00Z'), at('2027-04-05T00:00:00Z'), 'ev-1'));
    expect([event.cause, access.grants]).toEqual(['GRANT_EXPIRED', []]);
  });

  it('can be removed before it starts (GRANT_REMOVED)', () => {
    const { access, event } = change(removeGrant(granted('2027-04-01'), 'lab', at('2027-03-21T09:00:00Z'), 'ev-1'));
    expect([event.cause, access.grants]).toEqual(['GRANT_REMOVED', []]);
  });

  it('granted again exactly as held changes nothing; another first day is GRANT_EXISTS', () => {
    const current = granted('2027-04-01');
    expect(grantCaseType(current, 'lab', { until: '2027-12-31' }, GRANTED, 'ev-1', '2027-04-01')).toEqual({ changed: false, access: current });
    expect(codeOf(() => grantCaseType(current, 'lab', { until: '2027-12-31' }, GRANTED, 'ev-1', '2027-04-02')).code).toBe('GRANT_EXISTS');
    expect(codeOf(() => grantCaseType(current, 'lab', { until: '2027-12-31' }, GRANTED, 'ev-1')).code).toBe('GRANT_EXISTS');
  });
});

describe('ChangeGrant and the first day', () => {
  const before = at('2027-03-25T09:00:00Z');
  const end = { until: '2027-12-31' };

  it('keeps a pending first day when only the end changes', () => {
    const current = granted('2027-04-01');
    const { access, event } = change(changeGrant(current, 'lab', { until: '2027-06-30' }, before, 'ev-1'));
    expect(event.cause).toBe('GRANT_CHANGED');
    expect(access.grants[0]).toMatchObject({ until: '2027-06-30', firstDay: '2027-04-01', startsAt: new Date('2027-03-31T22:00:00Z'), changed: before });
  });

  it('moves a pending first day, to a later day or to today (then it starts at once)', () => {
    const current = granted('2027-04-01');
    const later = change(changeGrant(current, 'lab', end, before, 'ev-1', { firstDay: '2027-10-31' })).access;
    expect(later.grants[0]).toMatchObject({ firstDay: '2027-10-31', startsAt: new Date('2027-10-30T22:00:00Z') });
    const today = change(changeGrant(current, 'lab', end, before, 'ev-1', { firstDay: '2027-03-25' })).access;
    expect(today.grants[0]).toMatchObject({ firstDay: '2027-03-25' });
    expect(today.grants[0]).not.toHaveProperty('startsAt');
  });

  it('clears a pending first day with start now: the grant is active at once', () => {
    const { access } = change(changeGrant(granted('2027-04-01'), 'lab', end, before, 'ev-1', { startNow: true }));
    expect(access.grants[0]).not.toHaveProperty('firstDay');
    expect(access.grants[0]).not.toHaveProperty('startsAt');
  });

  it('changes nothing when the first day and end are as held', () => {
    const current = granted('2027-04-01');
    expect(changeGrant(current, 'lab', end, before, 'ev-1', { firstDay: '2027-04-01' })).toEqual({ changed: false, access: current });
    expect(changeGrant(current, 'lab', end, before, 'ev-1')).toEqual({ changed: false, access: current });
  });

  it('refuses a new first day in the past or after the last day, naming the field', () => {
    const current = granted('2027-04-01');
    expect(codeOf(() => changeGrant(current, 'lab', end, before, 'ev-1', { firstDay: '2027-03-24' }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['first_day:DATE_IN_PAST'] });
    expect(codeOf(() => changeGrant(current, 'lab', { until: '2027-05-01' }, before, 'ev-1', { firstDay: '2027-05-02' }))).toEqual({
      code: 'VALIDATION_FAILED',
      fields: ['first_day:AFTER_LAST_DAY'],
    });
    // The kept first day: an end before it is refused on the end's field.
    expect(codeOf(() => changeGrant(current, 'lab', { until: '2027-03-31' }, before, 'ev-1'))).toEqual({ code: 'VALIDATION_FAILED', fields: ['until_date:BEFORE_FIRST_DAY'] });
  });

  it('refuses to move the first day of a grant that has begun (by the clock, announced or not), and leaves it as it is on start now', () => {
    const current = granted('2027-04-01');
    const begun = at('2027-03-31T22:00:00Z');
    expect(codeOf(() => changeGrant(current, 'lab', end, begun, 'ev-1', { firstDay: '2027-04-05' })).code).toBe('GRANT_ALREADY_STARTED');
    expect(changeGrant(current, 'lab', end, begun, 'ev-1', { startNow: true })).toEqual({ changed: false, access: current });
    // Its own first day, even though past by now, is accepted as it stands (a client sending back what it read).
    const { access } = change(changeGrant(current, 'lab', { until: '2027-08-31' }, at('2027-05-01T09:00:00Z'), 'ev-1', { firstDay: '2027-04-01' }));
    expect(access.grants[0]).toMatchObject({ until: '2027-08-31', firstDay: '2027-04-01' });
    const active = granted(undefined);
    expect(codeOf(() => changeGrant(active, 'lab', end, before, 'ev-1', { firstDay: '2027-04-05' })).code).toBe('GRANT_ALREADY_STARTED');
  });
});
