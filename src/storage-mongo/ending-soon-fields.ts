import { isEndingSoonPending } from '../domain/access/ending-soon';
import type { ResidentAccess } from '../domain/access/resident-access';

/** What the reminder scan filters on, derived from the grants in every state write. */
export interface EndingSoonFields {
  /**
   * The last days of the dated grants whose reminder has not been published: an indexable list,
   * since a query cannot compare a grant's `until` with its own `endingSoonSentFor`.
   */
  endingSoonPending: string[];
}

export function endingSoonFields(access: ResidentAccess): EndingSoonFields {
  return { endingSoonPending: access.grants.flatMap((g) => (isEndingSoonPending(g) ? [g.until] : [])) };
}
