import { startGrants } from '../../domain/access/grant-start';
import type { Grant } from '../../domain/access/resident-access';
import type { StoredAccess } from '../../domain/ports/access-repository';
import type { IdGenerator } from '../../domain/ports/id-generator';
import { changeManyAccesses } from '../../application/change-many-accesses';
import type { ChangeDeps } from '../../application/change-resident-access';

export const START_ACTOR = 'system:grant-start';

/**
 * Starts the pending grants of a batch whose first day has begun: per resident and clinic one
 * atomic change and one GRANT_STARTED event. Its own request id (the run's instant) keeps a retry
 * of the run from starting twice, and apart from the expiry of the same run. A document the
 * expiry changed since the batch was read is re-read and decided on its own (a lost race).
 * Answers the grants this run started.
 */
export async function startDueGrants(deps: ChangeDeps & { ids: IdGenerator }, due: readonly StoredAccess[], now: Date): Promise<Grant[]> {
  const requestId = `start:${now.toISOString()}`;
  const results = await changeManyAccesses(
    deps,
    due,
    {
      requestId,
      fingerprint: 'StartGrants',
      decide: (current) => startGrants(current, now, { actor: START_ACTOR, at: now, requestId }, deps.ids.next()),
    },
    now,
  );
  const started: Grant[] = [];
  results.forEach((result, i) => {
    if (!result.changed || result.replayed) return;
    const wasPending = new Map(due[i]!.access.grants.filter((g) => g.startsAt).map((g) => [g.caseTypeId, g]));
    for (const g of result.access.grants) if (wasPending.has(g.caseTypeId) && !g.startsAt) started.push(wasPending.get(g.caseTypeId)!);
  });
  return started;
}
