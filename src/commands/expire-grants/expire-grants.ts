import { expireGrants } from '../../domain/access/grants';
import type { Grant } from '../../domain/access/resident-access';
import type { IdGenerator } from '../../domain/ports/id-generator';
import { changeResidentAccess, type ChangeDeps } from '../shared/change-resident-access';

export const EXPIRY_ACTOR = 'system:expiry';

export interface ExpiredGrants {
  /** The ended grants, for lag metrics; empty when another run ended them first. */
  ended: Grant[];
}

/**
 * Ends one resident's due grants at one clinic: one atomic change, one GRANT_EXPIRED event. The
 * run's instant names the request, so a retry of the same run replays instead of ending twice.
 */
export function makeExpireGrants(deps: ChangeDeps & { ids: IdGenerator }) {
  return async (clinicId: string, resident: string, now: Date): Promise<ExpiredGrants> => {
    const requestId = `expiry:${now.toISOString()}`;
    let ended: Grant[] = [];
    const result = await changeResidentAccess(
      deps,
      {
        clinicId,
        resident,
        requestId,
        fingerprint: 'ExpireGrants',
        reserveRequestId: false,
        decide: (current) => {
          const decision = expireGrants(current, now, { actor: EXPIRY_ACTOR, at: now, requestId }, deps.ids.next());
          ended = decision.changed ? current.grants.filter((g) => !decision.access.grants.includes(g)) : [];
          return decision;
        },
      },
      now,
    );
    // A replay means another run (in this or another instance) with the same instant ended them.
    return { ended: result.replayed ? [] : ended };
  };
}

export type ExpireGrants = ReturnType<typeof makeExpireGrants>;
