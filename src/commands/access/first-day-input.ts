import { afterLastDayViolation, firstDayViolation, newFirstDayViolation, type StartChange } from '../../domain/access/grant-start';
import type { GrantEnd } from '../../domain/access/grant-end';
import type { Violations } from '../../domain/errors/domain-error';

export interface FirstDayInput {
  /** YYYY-MM-DD in Europe/Stockholm; absent: the grant starts at once (GrantCaseType) or keeps its first day (ChangeGrant). */
  firstDay?: string;
}

/** GrantCaseType's first day: today or later, not after the last day. */
export function readFirstDay(input: FirstDayInput, end: GrantEnd | null, today: string, violations: Violations): string | undefined {
  const { firstDay } = input;
  const invalid = firstDayViolation(firstDay);
  violations.add(invalid);
  if (firstDay === undefined || invalid) return undefined;
  // Without a valid end (its own violation), only the past is checked.
  violations.add(newFirstDayViolation(firstDay, end && 'until' in end ? end.until : null, today));
  return firstDay;
}

/**
 * An imported grant's first day: a valid date not after the last day. A past day is allowed: the
 * old system had started the grant, so it gives access at once (docs/domain.md, Import).
 */
export function readImportedFirstDay(input: FirstDayInput, end: GrantEnd | null, violations: Violations): string | undefined {
  const { firstDay } = input;
  const invalid = firstDayViolation(firstDay);
  violations.add(invalid);
  if (firstDay === undefined || invalid) return undefined;
  violations.add(afterLastDayViolation(firstDay, end && 'until' in end ? end.until : null));
  return firstDay;
}

/** ChangeGrant's oneof `start`: a new first day, start now, or (neither) keep it. */
export function readStartChange(input: FirstDayInput & { startNow?: boolean }, violations: Violations): StartChange {
  const { firstDay, startNow } = input;
  if (firstDay !== undefined && startNow !== undefined) {
    violations.add({ field: 'start', reason: 'CONFLICTING_START', description: 'give either first_day or start_now, not both' });
    return { keep: true };
  }
  if (startNow !== undefined) {
    if (startNow !== true) violations.add({ field: 'start_now', reason: 'MUST_BE_TRUE', description: 'start_now must be true when given' });
    return { startNow: true };
  }
  if (firstDay === undefined) return { keep: true };
  const invalid = firstDayViolation(firstDay);
  violations.add(invalid);
  return { firstDay };
}
