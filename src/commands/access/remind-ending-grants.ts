import { hasEndingSoonDue, remindEndingGrant } from '../../domain/access/ending-soon';
import type { EndingSoonGrants, ReminderDays } from '../../domain/ports/ending-soon-grants';
import type { IdGenerator } from '../../domain/ports/id-generator';
import { stockholmDate } from '../../domain/time/stockholm';
import { changeManyAccesses } from '../../application/change-many-accesses';
import type { ChangeDeps } from '../../application/change-resident-access';

export const ENDING_SOON_ACTOR = 'system:ending-soon';

export interface EndingSoonRun {
  /** How many accesses were due (a full batch means more may be). */
  due: number;
  /** GRANT_ENDING_SOON events this run stored (not those another run stored first). */
  reminded: number;
  /** Some access still has a grant due (a resident with two): the scan should go on at once. */
  more: boolean;
}

/**
 * Publishes GRANT_ENDING_SOON for due grants of up to `limit` accesses read in one batch: per
 * access one atomic change through the change loop's compare-and-set, which records the end date
 * as reminded in the same write, so several instances, restarts and retries remind once. Which
 * clinics want reminders comes from the in-memory clinic settings (`reminderDays`), so a change of
 * the setting made on another instance applies here within the settings' refresh interval.
 */
export function makeRemindEndingGrants(deps: ChangeDeps & { ids: IdGenerator; endingSoon: EndingSoonGrants; reminderDays: () => ReminderDays }) {
  return async (now: Date, limit: number): Promise<EndingSoonRun> => {
    const days = deps.reminderDays();
    if (days.size === 0) return { due: 0, reminded: 0, more: false };
    const due = await deps.endingSoon.findDue(days, stockholmDate(now), limit);
    if (due.length === 0) return { due: 0, reminded: 0, more: false };
    // Each run its own request id: the decision itself never reminds twice, and a run at the same
    // instant as an earlier one (a resident with two due grants, an end moved back into the window)
    // must decide again rather than replay the earlier run's outcome.
    const requestId = `ending-soon:${now.toISOString()}:${deps.ids.next()}`;
    const daysOf = (clinicId: string) => days.get(clinicId) ?? 0;
    const results = await changeManyAccesses(
      deps,
      due,
      {
        requestId,
        fingerprint: 'RemindEndingGrants',
        decide: (current) => remindEndingGrant(current, now, daysOf(current.clinicId), { actor: ENDING_SOON_ACTOR, at: now, requestId }, deps.ids.next()),
      },
      now,
    );
    const reminded = results.filter((r) => r.changed && !r.replayed).length;
    const more = results.some((r) => hasEndingSoonDue(r.access, now, daysOf(r.access.clinicId)));
    return { due: due.length, reminded, more };
  };
}

export type RemindEndingGrants = ReturnType<typeof makeRemindEndingGrants>;
