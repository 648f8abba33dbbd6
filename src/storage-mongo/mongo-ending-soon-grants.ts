import type { Collection, Filter } from 'mongodb';
import { addDays } from '../domain/time/stockholm';
import type { StoredAccess } from '../domain/ports/access-repository';
import type { EndingSoonGrants, ReminderDays } from '../domain/ports/ending-soon-grants';
import type { AccessDocument } from './access-document';
import { storedFrom } from './mongo-access-repository';
import { withStorageErrors } from './mongo-errors';

/**
 * The reminder scan's reads. Clinics with the same days share one branch of the query (at most
 * one per value of days), each asking for an unreminded last day from today to today + days.
 */
export class MongoEndingSoonGrants implements EndingSoonGrants {
  constructor(private readonly access: Collection<AccessDocument>) {}

  findDue(days: ReminderDays, today: string, limit: number): Promise<StoredAccess[]> {
    return withStorageErrors(async () => {
      const branches = [...clinicsByDays(days)].flatMap(([n, clinicIds]) => {
        const window = { $gte: today, $lte: addDays(today, n) };
        return [
          { clinicId: { $in: clinicIds }, endingSoonPending: { $elemMatch: window } },
          // Written before reminders came: none of its grants has been reminded of.
          { clinicId: { $in: clinicIds }, endingSoonPending: { $exists: false }, grants: { $elemMatch: { until: window } } },
        ];
      });
      if (branches.length === 0) return [];
      const docs = await this.access
        .find({ $or: branches } as Filter<AccessDocument>, { projection: { outbox: 0, relayLease: 0 } })
        .limit(limit)
        .toArray();
      return docs.map(storedFrom);
    });
  }
}

function clinicsByDays(days: ReminderDays): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const [clinicId, n] of days) groups.set(n, [...(groups.get(n) ?? []), clinicId]);
  return groups;
}
