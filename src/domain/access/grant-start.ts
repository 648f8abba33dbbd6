import { DomainError, validationFailed, type FieldViolation } from '../errors/domain-error';
import { isValidCalendarDate, startOfStockholmDay, stockholmDate } from '../time/stockholm';
import { changedTo, unchanged, type Decision } from './decision';
import type { ChangeStamp, Grant, ResidentAccess } from './resident-access';

/** As for the last day: the latest date whose Stockholm midnight every part of the service handles. */
const LAST_FIRST_DAY = '9999-12-30';

/**
 * What ChangeGrant asks of the first day: keep it (the field left out, so a client that only
 * changes the end never starts a pending grant by accident), move it, or start the grant now.
 */
export type StartChange = { keep: true } | { firstDay: string } | { startNow: true };

export const KEEP_START: StartChange = { keep: true };

/**
 * A first day's grant fields. A first day of today (or earlier) starts the grant at once: it is
 * kept as given, but the grant is not pending. A later one makes it pending until 00:00 that day.
 */
export function startFields(firstDay: string | undefined, today: string): Pick<Grant, 'firstDay' | 'startsAt'> {
  if (firstDay === undefined) return {};
  return firstDay <= today ? { firstDay } : { firstDay, startsAt: startOfStockholmDay(firstDay) };
}

/** Reads a request's first day: a valid date, at most LAST_FIRST_DAY. Whether it is past or after the last day is checked with the grant. */
export function firstDayViolation(firstDay: string | undefined): FieldViolation | null {
  if (firstDay === undefined) return null;
  if (!isValidCalendarDate(firstDay) || firstDay > LAST_FIRST_DAY) {
    return { field: 'first_day', reason: 'INVALID_DATE', description: `must be a date YYYY-MM-DD, at most ${LAST_FIRST_DAY}` };
  }
  return null;
}

/** A new first day must be today or later (Stockholm) and not after the grant's last day. */
export function newFirstDayViolation(firstDay: string, until: string | null, today: string): FieldViolation | null {
  if (firstDay < today) return { field: 'first_day', reason: 'DATE_IN_PAST', description: 'must be today or later (Europe/Stockholm)' };
  return afterLastDayViolation(firstDay, until);
}

/** A first day must not be after the grant's last day (null: until further notice). */
export function afterLastDayViolation(firstDay: string, until: string | null): FieldViolation | null {
  if (until !== null && firstDay > until) return { field: 'first_day', reason: 'AFTER_LAST_DAY', description: 'must not be after until_date' };
  return null;
}

/** True while the grant's first day has not begun (by the clock, whether or not its start was announced yet). */
export function isGrantPendingAt(grant: Pick<Grant, 'startsAt'>, now: Date): boolean {
  return isPending(grant) && now < grant.startsAt!;
}

/** Pending until the scheduler's GRANT_STARTED change (a stored null, as a document may hold, is none). */
export function isPending(grant: Pick<Grant, 'startsAt'>): boolean {
  return grant.startsAt instanceof Date;
}

/** A grant gives access from its start (inclusive) until its end (exclusive). */
export function isGrantActive(grant: Pick<Grant, 'startsAt' | 'endsAt'>, now: Date): boolean {
  return !isGrantPendingAt(grant, now) && (grant.endsAt === null || now < grant.endsAt);
}

/**
 * The held grant's first day after ChangeGrant. A grant that has begun keeps its first day (moving
 * it would take access back, or rewrite when it began): a new one is GRANT_ALREADY_STARTED, and
 * "start now" is already true of it.
 */
export function changedStart(held: Grant, start: StartChange, until: string | null, now: Date): Pick<Grant, 'firstDay' | 'startsAt'> {
  const kept = { ...(held.firstDay !== undefined ? { firstDay: held.firstDay } : {}), ...(held.startsAt ? { startsAt: held.startsAt } : {}) };
  const today = stockholmDate(now);
  if ('keep' in start || ('firstDay' in start && start.firstDay === held.firstDay)) {
    if (kept.firstDay !== undefined && until !== null && kept.firstDay > until) {
      throw validationFailed([{ field: 'until_date', reason: 'BEFORE_FIRST_DAY', description: "must not be before the grant's first day" }]);
    }
    return kept;
  }
  const begun = !isGrantPendingAt(held, now);
  if ('startNow' in start) return begun ? kept : {};
  if (begun) throw new DomainError('GRANT_ALREADY_STARTED', 'the grant has begun; its first day can no longer be changed');
  const violation = newFirstDayViolation(start.firstDay, until, today);
  if (violation) throw validationFailed([violation]);
  return startFields(start.firstDay, today);
}

/** The scheduler's change at 00:00 of first days: every pending grant whose start has come becomes active, in one change (one event), or nothing changes. */
export function startGrants(current: ResidentAccess, now: Date, stamp: ChangeStamp, eventId: string): Decision {
  const begun = (g: Grant) => isPending(g) && !isGrantPendingAt(g, now);
  if (!current.grants.some(begun)) return unchanged(current);
  const grants = current.grants.map((g) => {
    if (!begun(g)) return g;
    const { startsAt: _started, ...active } = g;
    return active;
  });
  return changedTo(current, { ...current, grants }, 'GRANT_STARTED', stamp, eventId);
}
