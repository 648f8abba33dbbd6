import type { FieldViolation } from '../errors/domain-error';
import { grantEndsAt, isValidCalendarDate } from '../time/stockholm';

const LAST_UNTIL_DATE = '9999-12-30';

/** How long a grant lasts: through a date (Stockholm) or until further notice. */
export type GrantEnd = { until: string } | { untilFurtherNotice: true };

/** The end's fields: `until` (null = further notice) and the instant it ends. */
export function endFields(end: GrantEnd): { until: string | null; endsAt: Date | null } {
  return 'until' in end ? { until: end.until, endsAt: grantEndsAt(end.until) } : { until: null, endsAt: null };
}

/**
 * Reads the request's oneof `end`: exactly one of a date that is today or later in Stockholm, or
 * until_further_notice = true.
 */
export function readGrantEnd(untilDate: string | undefined, untilFurtherNotice: boolean | undefined, today: string): { end: GrantEnd } | { violation: FieldViolation } {
  if (untilDate !== undefined && untilFurtherNotice !== undefined) {
    // A oneof: a client that sets both sent a contradiction, whatever its decoder would keep.
    return { violation: { field: 'end', reason: 'CONFLICTING_END', description: 'give either until_date or until_further_notice, not both' } };
  }
  if (untilDate !== undefined) {
    // The end instant is the start of the next day, so the last day that has one is 9999-12-30.
    if (!isValidCalendarDate(untilDate) || untilDate > LAST_UNTIL_DATE) {
      return { violation: { field: 'until_date', reason: 'INVALID_DATE', description: `must be a date YYYY-MM-DD, at most ${LAST_UNTIL_DATE}` } };
    }
    if (untilDate < today) {
      return { violation: { field: 'until_date', reason: 'DATE_IN_PAST', description: 'must be today or later (Europe/Stockholm)' } };
    }
    return { end: { until: untilDate } };
  }
  if (untilFurtherNotice === true) return { end: { untilFurtherNotice: true } };
  return {
    violation: { field: 'end', reason: 'REQUIRED', description: 'give until_date, or until_further_notice = true' },
  };
}
