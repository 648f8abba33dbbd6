import { expireGrants } from '../../domain/access/grants';
import type { Grant } from '../../domain/access/resident-access';
import type { IdGenerator } from '../../domain/ports/id-generator';
import { changeManyAccesses } from '../../application/change-many-accesses';
import type { ChangeDeps } from '../../application/change-resident-access';
import { startDueGrants } from './start-grants';

export const EXPIRY_ACTOR = 'system:expiry';

export interface ExpiredGrants {
  /** How many accesses were due (a full batch means more may be). */
  due: number;
  /** The ended grants, for lag metrics; without those another run ended first. */
  ended: Grant[];
  /** The started grants (as they were while pending), likewise. */
  started: Grant[];
}

/**
 * The one scheduler of time-based changes, over up to `limit` due accesses read in one batch: it
 * ends the due grants (per resident and clinic one atomic change and one GRANT_EXPIRED event),
 * then starts the pending grants whose first day has begun (GRANT_STARTED, `start-grants.ts`).
 * Ends go first so that a grant whose whole span passed unseen (downtime) is never announced as
 * active. The run's instant names the requests, so a retry of the same run replays instead of
 * changing twice.
 */
export function makeExpireGrants(deps: ChangeDeps & { ids: IdGenerator }) {
  return async (now: Date, limit: number): Promise<ExpiredGrants> => {
    const due = await deps.repository.findDue(now, limit);
    if (due.length === 0) return { due: 0, ended: [], started: [] };
    const requestId = `expiry:${now.toISOString()}`;
    const ended: Grant[] = [];
    const results = await changeManyAccesses(
      deps,
      due,
      {
        requestId,
        fingerprint: 'ExpireGrants',
        decide: (current) => expireGrants(current, now, { actor: EXPIRY_ACTOR, at: now, requestId }, deps.ids.next()),
      },
      now,
    );
    results.forEach((result, i) => {
      // A replay means another run (in this or another instance) with the same instant ended them.
      if (result.changed && !result.replayed) ended.push(...due[i]!.access.grants.filter((g) => !result.access.grants.includes(g)));
    });
    const started = await startDueGrants(deps, due, now);
    return { due: due.length, ended, started };
  };
}

export type ExpireGrants = ReturnType<typeof makeExpireGrants>;
