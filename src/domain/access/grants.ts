import { byCodeUnits } from '../order';
import { DomainError } from '../errors/domain-error';
import { changedTo, unchanged, type Decision } from './decision';
import { endFields, type GrantEnd } from './grant-end';
import { changedStart, KEEP_START, startFields, type StartChange } from './grant-start';
import { stockholmDate } from '../time/stockholm';
import type { ChangeStamp, Grant, ResidentAccess } from './resident-access';

function withGrant(grants: Grant[], grant: Grant): Grant[] {
  return [...grants.filter((g) => g.caseTypeId !== grant.caseTypeId), grant].sort((a, b) => byCodeUnits(a.caseTypeId, b.caseTypeId));
}

function sameEnd(grant: Grant, end: GrantEnd): boolean {
  return grant.until === endFields(end).until;
}

function sameStart(grant: Grant, start: Pick<Grant, 'firstDay' | 'startsAt'>): boolean {
  return grant.firstDay === start.firstDay && grant.startsAt?.getTime() === start.startsAt?.getTime();
}

/**
 * Hands a restricted case type to a resident (the caller checked that the clinic has it and that
 * it is restricted, and that a first day is neither past nor after the last day). Granting exactly
 * what is held changes nothing; another end or first day for a held grant is refused, since the
 * manual changes grants through "Ändra" (ChangeGrant). A first day after today makes it pending.
 */
export function grantCaseType(current: ResidentAccess, caseTypeId: string, end: GrantEnd, stamp: ChangeStamp, eventId: string, firstDay?: string): Decision {
  const held = current.grants.find((g) => g.caseTypeId === caseTypeId);
  if (held) {
    if (sameEnd(held, end) && held.firstDay === firstDay) return unchanged(current);
    throw new DomainError('GRANT_EXISTS', 'the resident already holds this case type; change its end instead');
  }
  const grant: Grant = { caseTypeId, ...endFields(end), ...startFields(firstDay, stockholmDate(stamp.at)), granted: stamp, changed: null };
  return changedTo(current, { ...current, grants: withGrant(current.grants, grant) }, 'GRANTED', stamp, eventId);
}

/**
 * Changes a held grant's end, and its first day while it is pending (`changedStart`); a grant
 * that is not held (never, or removed) is NOT_FOUND.
 */
export function changeGrant(current: ResidentAccess, caseTypeId: string, end: GrantEnd, stamp: ChangeStamp, eventId: string, start: StartChange = KEEP_START): Decision {
  const held = current.grants.find((g) => g.caseTypeId === caseTypeId);
  if (!held) throw new DomainError('GRANT_NOT_FOUND', 'the resident holds no grant of this case type');
  const ends = endFields(end);
  const starts = changedStart(held, start, ends.until, stamp.at);
  if (sameEnd(held, end) && sameStart(held, starts)) return unchanged(current);
  const { firstDay: _firstDay, startsAt: _startsAt, ...rest } = held;
  const grant: Grant = { ...rest, ...ends, ...starts, changed: stamp };
  return changedTo(current, { ...current, grants: withGrant(current.grants, grant) }, 'GRANT_CHANGED', stamp, eventId);
}

/** Removing a grant that is not held is a success that changes nothing. */
export function removeGrant(current: ResidentAccess, caseTypeId: string, stamp: ChangeStamp, eventId: string): Decision {
  if (!current.grants.some((g) => g.caseTypeId === caseTypeId)) return unchanged(current);
  const grants = current.grants.filter((g) => g.caseTypeId !== caseTypeId);
  return changedTo(current, { ...current, grants }, 'GRANT_REMOVED', stamp, eventId);
}

/** The clinic removed the case type or made it unrestricted: its grants end (granted before `stamp.at`). */
export function withdrawCaseType(current: ResidentAccess, caseTypeId: string, stamp: ChangeStamp, eventId: string): Decision {
  const held = current.grants.find((g) => g.caseTypeId === caseTypeId);
  if (!held || held.granted.at > stamp.at) return unchanged(current);
  const grants = current.grants.filter((g) => g.caseTypeId !== caseTypeId);
  return changedTo(current, { ...current, grants }, 'CASE_TYPE_WITHDRAWN', stamp, eventId);
}

/** A grant is valid until its end instant (exclusive); until further notice it is always valid. */
export function isGrantValid(grant: Pick<Grant, 'endsAt'>, now: Date): boolean {
  return grant.endsAt === null || now < grant.endsAt;
}

/** Ends every grant whose end instant has come, in one change (one event), or changes nothing. */
export function expireGrants(current: ResidentAccess, now: Date, stamp: ChangeStamp, eventId: string): Decision {
  const grants = current.grants.filter((g) => isGrantValid(g, now));
  if (grants.length === current.grants.length) return unchanged(current);
  return changedTo(current, { ...current, grants }, 'GRANT_EXPIRED', stamp, eventId);
}
