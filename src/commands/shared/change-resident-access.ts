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
  /** False for jobs whose own id already guards retries (bulk removal, withdrawals). */
  reserveRequestId?: boolean;
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
  const { requestId } = request;
  request.signal?.throwIfAborted();
  // Reserve the id first: a crash after this leaves a reservation that the retry, with the same
  // fingerprint, passes through; the document's own record then makes the retry a replay.
  if (request.reserveRequestId !== false) {
    const { existingFingerprint } = await deps.requests.reserve(requestId, request.fingerprint, now);
    if (existingFingerprint !== null && existingFingerprint !== request.fingerprint) throw requestIdReused();
  }
  return deps.queue.run(`access|${request.clinicId}|${request.resident}`, () => readDecideStore(deps, request));
}

async function readDecideStore(deps: ChangeDeps, request: ChangeRequest): Promise<AccessChangeResult> {
  const { repository, outboxSignal } = deps;
  const { clinicId, resident, requestId } = request;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Checked after the wait in the queue too: a command whose caller left while it waited writes nothing.
    request.signal?.throwIfAborted();
    const stored = await repository.find(clinicId, resident);
    const earlier = stored?.recentRequests.find((r) => r.requestId === requestId);
    if (earlier) {
      if (earlier.fingerprint !== request.fingerprint) throw requestIdReused();
      return { changed: earlier.changed, access: earlier.access, replayed: true };
    }
    const current = stored?.access ?? emptyAccess(clinicId, resident);
    if (request.etag && request.etag !== etagOf(current)) {
      throw new DomainError('STALE_ETAG', 'etag does not match the current access; read it again');
    }
    const decision = request.decide(current);
    // Nothing stored and nothing to store: no document is created for a no-op.
    if (!decision.changed && !stored) return { changed: false, access: current };
    const outcome = { requestId, fingerprint: request.fingerprint, changed: decision.changed, access: decision.access };
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
