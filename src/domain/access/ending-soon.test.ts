import fc from 'fast-check';
import { calendarDateArbitrary } from '../time/calendar-date.arbitrary';
import { addDays, startOfStockholmDay, stockholmDate } from '../time/stockholm';
import { endingSoonAt, hasEndingSoonDue, isEndingSoonDue, remindEndingGrant } from './ending-soon';
import { endFields } from './grant-end';
import { changeGrant, removeGrant } from './grants';
import { emptyAccess, type ChangeStamp, type Grant, type ResidentAccess } from './resident-access';

const CLINIC = 'SE2321000016-1234';
// Synthetic test number (valid checksum); never a real person's.
const RESIDENT = '191212121212';
const GRANTED: ChangeStamp = { actor: 'staff-0', at: new Date('2027-01-05T08:00:00Z'), requestId: 'req-0' };

const dated = (caseTypeId: string, until: string, more: Partial<Grant> = {}): Grant => ({ caseTypeId, ...endFields({ until }), granted: GRANTED, changed: null, ...more });
const forever = (caseTypeId: string): Grant => ({ caseTypeId, ...endFields({ untilFurtherNotice: true }), granted: GRANTED, changed: null });
const accessWith = (grants: Grant[], version = 3): ResidentAccess => ({ ...emptyAccess(CLINIC, RESIDENT), grants, version });
const stampAt = (at: Date): ChangeStamp => ({ actor: 'system:ending-soon', at, requestId: `ending-soon:${at.toISOString()}` });
const remind = (current: ResidentAccess, now: Date, days = 14) => remindEndingGrant(current, now, days, stampAt(now), 'ev-1');

describe('endingSoonAt: 00:00 Europe/Stockholm of the last day minus the days', () => {
  it.each([
    // [until, days, reminder instant]
    ['2027-01-29', 14, '2027-01-14T23:00:00Z'], // winter, UTC+1
    ['2027-07-29', 14, '2027-07-14T22:00:00Z'], // summer, UTC+2
    ['2027-04-11', 14, '2027-03-27T23:00:00Z'], // 2027-03-28, the spring day the clocks go on: its midnight is still UTC+1
    ['2027-04-12', 14, '2027-03-28T22:00:00Z'], // the day after it: UTC+2
    ['2026-11-08', 14, '2026-10-24T22:00:00Z'], // 2026-10-25, the autumn day: its midnight is still UTC+2
    ['2026-11-09', 14, '2026-10-25T23:00:00Z'], // the day after it: UTC+1
    ['2027-03-01', 1, '2027-02-27T23:00:00Z'], // one day, across the end of February
  ])('until %s with %d days: %s', (until, days, instant) => {
    expect(endingSoonAt(until, days)).toEqual(new Date(instant));
  });
});

describe('isEndingSoonDue', () => {
  const grant = dated('lab', '2027-04-11');
  const reminderAt = new Date('2027-03-27T23:00:00Z');

  it('not one millisecond before the reminder day begins; from its first instant until the grant ends', () => {
    expect(isEndingSoonDue(grant, new Date(reminderAt.getTime() - 1), 14)).toBe(false);
    expect(isEndingSoonDue(grant, reminderAt, 14)).toBe(true);
    // A grant given or moved inside the window is due at once.
    expect(isEndingSoonDue(grant, new Date('2027-04-11T21:59:59.999Z'), 14)).toBe(true);
  });

  it('never for an ended grant, with reminders off, or for a grant until further notice', () => {
    expect(isEndingSoonDue(grant, grant.endsAt!, 14)).toBe(false);
    expect(isEndingSoonDue(grant, reminderAt, 0)).toBe(false);
    expect(isEndingSoonDue(forever('lab'), new Date('2099-01-01T00:00:00Z'), 90)).toBe(false);
  });

  it('never twice for the same end date; a new end date is due again', () => {
    expect(isEndingSoonDue({ ...grant, endingSoonSentFor: ['2027-04-11'] }, reminderAt, 14)).toBe(false);
    expect(isEndingSoonDue({ ...grant, endingSoonSentFor: ['2027-04-30'] }, reminderAt, 14)).toBe(true);
  });

  it('property: due exactly from endingSoonAt(until, days) to the grant end, for any date and days', () => {
    fc.assert(
      fc.property(calendarDateArbitrary('2025-01-01', '2035-12-31'), fc.integer({ min: 1, max: 90 }), fc.integer({ min: -3 * 86400, max: 3 * 86400 }), (until, days, offsetSeconds) => {
        const g = dated('lab', until);
        const at = endingSoonAt(until, days);
        const now = new Date(at.getTime() + offsetSeconds * 1000);
        expect(isEndingSoonDue(g, now, days)).toBe(now >= at && now < g.endsAt!);
        expect(stockholmDate(at)).toBe(addDays(until, -days));
        expect(at).toEqual(startOfStockholmDay(addDays(until, -days)));
      }),
    );
  });
});

describe('remindEndingGrant', () => {
  const now = new Date('2027-03-28T06:00:00Z');

  it('one GRANT_ENDING_SOON event naming the grant; the access is the same but for the recorded end date, one version on', () => {
    const current = accessWith([dated('lab', '2027-04-11'), forever('open-lab')]);
    const decision = remind(current, now);
    if (!decision.changed) throw new Error('expected a change');
    expect(decision.access).toEqual({ ...current, version: 4, grants: [{ ...current.grants[0], endingSoonSentFor: ['2027-04-11'] }, current.grants[1]] });
    expect(decision.event).toEqual({
      eventId: 'ev-1',
      cause: 'GRANT_ENDING_SOON',
      access: decision.access,
      before: current,
      version: 4,
      actor: 'system:ending-soon',
      requestId: `ending-soon:${now.toISOString()}`,
      occurredAt: now,
      endingGrant: { caseTypeId: 'lab', until: '2027-04-11', endsAt: new Date('2027-04-11T22:00:00Z') },
    });
  });

  it('deciding again on the result changes nothing (never twice for a grant and end date)', () => {
    const once = remind(accessWith([dated('lab', '2027-04-11')]), now);
    const again = remind(once.access, new Date(now.getTime() + 60_000));
    expect(again).toEqual({ changed: false, access: once.access });
  });

  it('two due grants: one event each, the first by case type first', () => {
    const first = remind(accessWith([dated('a-lab', '2027-04-10'), dated('b-lab', '2027-04-01')]), now);
    if (!first.changed) throw new Error('expected a change');
    expect(first.event.endingGrant?.caseTypeId).toBe('a-lab');
    expect(hasEndingSoonDue(first.access, now, 14)).toBe(true);
    const second = remind(first.access, now);
    if (!second.changed) throw new Error('expected a change');
    expect(second.event.endingGrant?.caseTypeId).toBe('b-lab');
    expect(hasEndingSoonDue(second.access, now, 14)).toBe(false);
  });

  it('ChangeGrant to a new end date re-arms it; moving back to a reminded date does not remind again', () => {
    const stamp = { actor: 'staff-1', at: now, requestId: 'req-2' };
    const reminded = remind(accessWith([dated('lab', '2027-04-11')]), now).access;
    const moved = changeGrant(reminded, 'lab', { until: '2027-04-05' }, stamp, 'ev-2').access;
    const second = remind(moved, now);
    if (!second.changed) throw new Error('expected a change');
    expect(second.event.endingGrant?.until).toBe('2027-04-05');
    expect(second.access.grants[0]!.endingSoonSentFor).toEqual(['2027-04-11', '2027-04-05']);
    const back = changeGrant(second.access, 'lab', { until: '2027-04-11' }, stamp, 'ev-3').access;
    expect(remind(back, now).changed).toBe(false);
  });

  it('a new end beyond the window waits for its own reminder day', () => {
    const stamp = { actor: 'staff-1', at: now, requestId: 'req-2' };
    const reminded = remind(accessWith([dated('lab', '2027-04-11')]), now).access;
    const later = changeGrant(reminded, 'lab', { until: '2027-06-30' }, stamp, 'ev-2').access;
    expect(remind(later, now).changed).toBe(false);
    expect(remind(later, endingSoonAt('2027-06-30', 14)).changed).toBe(true);
  });

  it('reminded end dates that are past are forgotten when another is recorded', () => {
    const grant = dated('lab', '2027-04-11', { endingSoonSentFor: ['2027-03-01', '2027-05-01'] });
    const decision = remind(accessWith([grant]), now);
    expect(decision.access.grants[0]!.endingSoonSentFor).toEqual(['2027-05-01', '2027-04-11']);
  });

  it('nothing for a removed grant, an ended grant, a grant until further notice, or with reminders off', () => {
    const stamp = { actor: 'staff-1', at: now, requestId: 'req-2' };
    const removed = removeGrant(accessWith([dated('lab', '2027-04-11')]), 'lab', stamp, 'ev-2').access;
    expect(remind(removed, now).changed).toBe(false);
    const ended = accessWith([dated('lab', '2027-03-27')]);
    expect(remind(ended, now).changed).toBe(false);
    expect(remind(accessWith([forever('lab')]), now, 90).changed).toBe(false);
    expect(remind(accessWith([dated('lab', '2027-04-11')]), now, 0).changed).toBe(false);
  });
});
