import { approve } from './approve';
import { changedTo, unchanged, type Decision } from './decision';
import type { GrantEnd } from './grant-end';
import { isGrantPendingAt, KEEP_START, type StartChange } from './grant-start';
import { changeGrant, grantCaseType } from './grants';
import { stockholmDate } from '../time/stockholm';
import type { ChangeStamp, Grant, ResidentAccess } from './resident-access';
import type { FieldViolation } from '../errors/domain-error';

/** One grant of an imported row. */
export interface ImportedGrant {
  caseTypeId: string;
  end: GrantEnd;
  /**
   * YYYY-MM-DD, not after the end (the row's reader checks). Later than today: pending until then;
   * today or earlier: the old system had started it, so it gives access at once.
   */
  firstDay?: string;
}

/** What one imported row gives a resident at the clinic. */
export interface ImportedAccess {
  /** True approves; false leaves any approval as it is (an import adds, it never removes). */
  approve: boolean;
  /** Distinct case types (the row's reader refuses repeats), each a restricted case type of the clinic. */
  grants: readonly ImportedGrant[];
}

/**
 * One row of an import, decided with the single commands' own decisions: approve, then per grant
 * GrantCaseType's (or ChangeGrant's for a case type held already: the imported end replaces the
 * held one). Whatever they change together is one change with one event, cause IMPORTED; a row
 * that changes nothing is no change. Call it only on a row `importRefusals` has nothing against:
 * then neither decision can refuse what it is given.
 * A first day is GrantCaseType's for a new grant; for a held one see `importedStart`.
 */
export function importAccess(current: ResidentAccess, imported: ImportedAccess, stamp: ChangeStamp, eventId: string): Decision {
  let next = current;
  let changed = false;
  const step = (decision: Decision) => {
    if (!decision.changed) return;
    changed = true;
    // The steps' own versions are dropped: the row is one change of `current`.
    next = { ...decision.access, version: current.version };
  };
  if (imported.approve) step(approve(next, stamp, eventId));
  for (const grant of imported.grants) {
    const held = next.grants.find((g) => g.caseTypeId === grant.caseTypeId);
    step(
      held
        ? changeGrant(next, grant.caseTypeId, grant.end, stamp, eventId, importedStart(held, grant.firstDay, stamp.at))
        : grantCaseType(next, grant.caseTypeId, grant.end, stamp, eventId, grant.firstDay),
    );
  }
  return changed ? changedTo(current, next, 'IMPORTED', stamp, eventId) : unchanged(current);
}

/**
 * A held grant's start after the row. One that has begun keeps its start: an import never takes
 * access back. A pending one moves to the row's first day, or starts now when that day has come.
 * Without a first day the start is kept, as ChangeGrant keeps it.
 */
function importedStart(held: Grant, firstDay: string | undefined, now: Date): StartChange {
  if (firstDay === undefined || !isGrantPendingAt(held, now)) return KEEP_START;
  return firstDay > stockholmDate(now) ? { firstDay } : { startNow: true };
}

/**
 * What a row, valid on its own (its reader checked it), cannot do to the access as it is: give a
 * held pending grant, whose first day it keeps, a last day before that first day. The row fails
 * alone, by its grant's field, as ChangeGrant would refuse it.
 */
export function importRefusals(current: ResidentAccess, imported: ImportedAccess, now: Date): FieldViolation[] {
  return imported.grants.flatMap((grant, i) => {
    const held = current.grants.find((g) => g.caseTypeId === grant.caseTypeId);
    if (!held?.firstDay || grant.firstDay !== undefined || !('until' in grant.end) || !isGrantPendingAt(held, now)) return [];
    if (grant.end.until >= held.firstDay) return [];
    return [{ field: `grants[${i}].until_date`, reason: 'BEFORE_FIRST_DAY', description: `must not be before the held grant's first day (${held.firstDay})` }];
  });
}
