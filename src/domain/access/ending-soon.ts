import { addDays, startOfStockholmDay, stockholmDate } from '../time/stockholm';
import { changedTo, unchanged, type Decision } from './decision';
import { isGrantValid } from './grants';
import type { ChangeStamp, EndingGrant, Grant, ResidentAccess } from './resident-access';

/** When a grant "until D" is reminded of with `days` set: 00:00 Europe/Stockholm of D − days. */
export function endingSoonAt(until: string, days: number): Date {
  return startOfStockholmDay(addDays(until, -days));
}

/** The latest last day that is due for a reminder at `now`: today (Stockholm) + days. */
export function endingSoonHorizon(now: Date, days: number): string {
  return addDays(stockholmDate(now), days);
}

/** A dated grant's end date whose reminder has not been published. */
export function isEndingSoonPending(grant: Pick<Grant, 'until' | 'endingSoonSentFor'>): grant is { until: string } & Pick<Grant, 'endingSoonSentFor'> {
  return grant.until !== null && !(grant.endingSoonSentFor ?? []).includes(grant.until);
}

/**
 * A grant is reminded of once its reminder day has come (also when it was given or moved inside
 * the window: at once), while it is still valid, once per end date; never with reminders off.
 */
export function isEndingSoonDue(grant: Grant, now: Date, days: number): boolean {
  return days > 0 && isEndingSoonPending(grant) && isGrantValid(grant, now) && grant.until <= endingSoonHorizon(now, days);
}

/**
 * Reminds of the first due grant (by case type): one change that records its end date as reminded
 * and one GRANT_ENDING_SOON event naming it; no access changes. Other due grants of the resident
 * get their own events on the next decisions. Nothing due changes nothing.
 */
export function remindEndingGrant(current: ResidentAccess, now: Date, days: number, stamp: ChangeStamp, eventId: string): Decision {
  const due = current.grants.find((g) => isEndingSoonDue(g, now, days));
  if (!due) return unchanged(current);
  const until = due.until!;
  const today = stockholmDate(now);
  // Past dates cannot come back (an end is never set in the past), so they need not be kept.
  const sent = [...(due.endingSoonSentFor ?? []).filter((d) => d >= today), until];
  const grants = current.grants.map((g) => (g === due ? { ...g, endingSoonSentFor: sent } : g));
  const decision = changedTo(current, { ...current, grants }, 'GRANT_ENDING_SOON', stamp, eventId);
  if (!decision.changed) return decision;
  const endingGrant: EndingGrant = { caseTypeId: due.caseTypeId, until, endsAt: due.endsAt! };
  return { ...decision, event: { ...decision.event, endingGrant } };
}

/** Whether the access has a grant due for a reminder: the scan goes on at once while one is left. */
export function hasEndingSoonDue(access: ResidentAccess, now: Date, days: number): boolean {
  return access.grants.some((g) => isEndingSoonDue(g, now, days));
}
