import { approve } from './approve';
import { changedTo, unchanged, type Decision } from './decision';
import type { GrantEnd } from './grant-end';
import { changeGrant, grantCaseType } from './grants';
import type { ChangeStamp, ResidentAccess } from './resident-access';

/** One grant of an imported row. */
export interface ImportedGrant {
  caseTypeId: string;
  end: GrantEnd;
  // A first day (grants that start later) joins here once grants have one; the row's reader
  // and the proto's ImportGrant take it beside `end`.
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
 * that changes nothing is no change. Never throws: neither decision can refuse what it is given here.
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
    const held = next.grants.some((g) => g.caseTypeId === grant.caseTypeId);
    step(held ? changeGrant(next, grant.caseTypeId, grant.end, stamp, eventId) : grantCaseType(next, grant.caseTypeId, grant.end, stamp, eventId));
  }
  return changed ? changedTo(current, next, 'IMPORTED', stamp, eventId) : unchanged(current);
}
