import type { Decision } from '../../domain/access/decision';
import { emptyAccess, etagOf, type ResidentAccess } from '../../domain/access/resident-access';
import { DomainError } from '../../domain/errors/domain-error';
import type { AccessRepository } from '../../domain/ports/access-repository';
import type { OutboxSignal } from '../../domain/ports/outbox-signal';
import type { RequestRegistry } from '../../domain/ports/request-registry';
import type { KeyedQueue } from '../../shared/keyed-queue';
import type { ResidentViewProjection } from '../../views/resident-view-projection';

export interface AccessChangeResult {
  changed: boolean;
  access: ResidentAccess;
  /** True when an earlier outcome of the same request id was returned instead of deciding anew. */
  replayed?: boolean;
}

export type Decide = (current: ResidentAccess) => Decision;

export interface ChangeRequest {
  clinicId: string;
  resident: string;
  requestId: string;
  fingerprint: string;
  /** Optional AIP-154 precondition: the etag the caller last read. */
  etag?: string;
  /** The caller whose request id is reserved; null for jobs whose own id guards retries (bulk removal, withdrawals). */
  reservedFor: string | null;
  decide: Decide;
  /** The caller's call ended (deadline, cancel): stop before the next storage step. */
  signal?: AbortSignal;
}

// Enough for any realistic contention on one resident at one clinic; beyond it the caller retries.
const MAX_ATTEMPTS = 8;

/**
 * The one write path for a resident's access at a clinic: load, replay a known request id, let
 * the domain decide, store with compare-and-set, and on a lost race re-read and decide again.
 */
export interface ChangeDeps {
  repository: AccessRepository;
  requests: RequestRegistry;
  outboxSignal: OutboxSignal;
  /** This process's changes of one resident at one clinic wait for each other instead of conflicting. */
  queue: KeyedQueue;
  /** Told of every stored change, so the resident's view follows before the command answers. */
  views: Pick<ResidentViewProjection, 'changed' | 'changedMany'>;
}

export async function changeResidentAccess(deps: ChangeDeps, request: ChangeRequest, now: Date): Promise<AccessChangeResult> {
  const { requestId, clinicId, reservedFor } = request;
  request.signal?.throwIfAborted();
  // Reserve the id first: a crash after this leaves a reservation that the retry, with the same
  // fingerprint, passes through; the document's own record then makes the retry a replay.
  let expiresAt: Date | undefined;
  if (reservedFor !== null) {
    const reservation = await deps.requests.reserve({ clinicId, caller: reservedFor, requestId }, request.fingerprint, now);
    if (reservation.existingFingerprint !== null && reservation.existingFingerprint !== request.fingerprint) throw requestIdReused();
    expiresAt = reservation.expiresAt;
  }
  return deps.queue.run(`access|${clinicId}|${request.resident}`, () => readDecideStore(deps, request, now, expiresAt));
}

/**
 * The outcome this request had, if recorded and still within its retention. The fingerprint names
 * the operation, clinic, resident and caller, so another caller's outcome under the same id (the
 * registry let both through, each in its own scope) is never replayed.
 */
export function earlierOutcome<T extends { requestId: string; fingerprint: string; expiresAt?: Date }>(
  recent: readonly T[] | undefined,
  request: { requestId: string; fingerprint: string },
  now: Date,
): T | undefined {
  return recent?.find((r) => r.requestId === request.requestId && r.fingerprint === request.fingerprint && !(r.expiresAt && r.expiresAt <= now));
}

async function readDecideStore(deps: ChangeDeps, request: ChangeRequest, now: Date, expiresAt: Date | undefined): Promise<AccessChangeResult> {
  const { repository, outboxSignal } = deps;
  const { clinicId, resident, requestId } = request;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Checked after the wait in the queue too: a command whose caller left while it waited writes nothing.
    request.signal?.throwIfAborted();
    const stored = await repository.find(clinicId, resident);
    const earlier = earlierOutcome(stored?.recentRequests, request, now);
    if (earlier) return { changed: earlier.changed, access: earlier.access, replayed: true };
    const current = stored?.access ?? emptyAccess(clinicId, resident);
    if (request.etag && request.etag !== etagOf(current)) {
      throw new DomainError('STALE_ETAG', 'etag does not match the current access; read it again');
    }
    const decision = request.decide(current);
    // Nothing stored and nothing to store: no document is created for a no-op.
    if (!decision.changed && !stored) return { changed: false, access: current };
    const outcome = { requestId, fingerprint: request.fingerprint, changed: decision.changed, access: decision.access, ...(expiresAt ? { expiresAt } : {}) };
    const event = decision.changed ? decision.event : null;
    request.signal?.throwIfAborted();
    const saved = await repository.save(decision.access, stored?.revision ?? null, event, outcome);
    if (saved === 'saved') {
      if (event) {
        await deps.views.changed(decision.access);
        outboxSignal.eventsStored(clinicId, resident);
      }
      return { changed: decision.changed, access: decision.access };
    }
  }
  throw new DomainError('CONCURRENT_MODIFICATION', 'too many concurrent changes to this resident; retry');
}

function requestIdReused(): DomainError {
  return new DomainError('REQUEST_ID_REUSED', 'request_id was already used for a different request');
}
