import { APPLICATION_TUNING } from './settings';
import { DomainError } from '../domain/errors/domain-error';
import type { SaveResult } from '../domain/ports/access-repository';
import type { RequestKey, RequestRegistry } from '../domain/ports/request-registry';
import type { KeyedQueue } from '../shared/keyed-queue';

/** A request's answer as its document records it, so that a retry with the same id gets it again (AIP-155). */
export interface RecordedRequest {
  requestId: string;
  /** A digest of the request's meaning; the same id with another fingerprint is refused. */
  fingerprint: string;
  changed: boolean;
  /** From then on the outcome is no longer replayed (the request id's retention); absent for jobs' own ids. */
  expiresAt?: Date;
}

/** A document as read: its state, the request outcomes it keeps, and the compare-and-set token. */
export interface StoredDocument<State, Outcome extends RecordedRequest> {
  state: State;
  recentRequests: readonly Outcome[];
  revision: number;
}

/** What the domain decided on the current state (pure): the next state, and whether it changed. */
export interface Decided<State> {
  changed: boolean;
  state: State;
}

/** One document as the change loop sees it; each kind of document (access, clinic settings) has one. */
export interface DocumentPort<State, Decision extends Decided<State>, Outcome extends RecordedRequest, Stored extends StoredDocument<State, Outcome>> {
  /**
   * This process's changes under one key wait for each other (the queue spans a change's read,
   * decision and write), so they never lose a compare-and-set to each other; other processes'
   * changes are kept apart by the compare-and-set alone.
   */
  key: string;
  find(): Promise<Stored | null>;
  /** The state of a document never stored. */
  empty(): State;
  etag(state: State): string;
  /** The state an earlier outcome answered with; `stored` is the document it was found in. */
  replayedState(outcome: Outcome, stored: Stored): State | Promise<State>;
  /** One conditional write of the decision and its outcome on `stored`'s revision (null: insert). */
  save(decision: Decision, stored: Stored | null, outcome: RecordedRequest): Promise<SaveResult>;
  /** After a stored change (it has an event): the views and copies follow, the relay is signalled. */
  changed(decision: Decision): Promise<void>;
  /** The messages of STALE_ETAG and CONCURRENT_MODIFICATION, naming what was read or contended. */
  messages: { staleEtag: string; contended: string };
}

export interface DocumentChangeRequest {
  requestId: string;
  fingerprint: string;
  /** Optional AIP-154 precondition: the etag the caller last read. */
  etag?: string;
  /** Whose request id is reserved in the registry; null for jobs whose own id guards retries. */
  reserveFor: Omit<RequestKey, 'requestId'> | null;
  /** The caller's call ended (deadline, cancel): stop before the next storage step. */
  signal?: AbortSignal;
  now: Date;
}

export interface DocumentChangeResult<State> {
  changed: boolean;
  state: State;
  /** True when an earlier outcome of the same request id was returned instead of deciding anew. */
  replayed?: boolean;
}

export interface ChangeLoopDeps {
  requests: RequestRegistry;
  queue: KeyedQueue;
  /** Compare-and-set attempts, sweep pages, retry concurrency (absent: APPLICATION_TUNING's). */
  tuning?: typeof APPLICATION_TUNING.changes;
}

/**
 * The one change loop: reserve the request id, then (queued behind this process's other changes
 * of the document) read it, replay a recorded outcome of the same request, check the etag, let the
 * domain decide, and store with compare-and-set; a lost race re-reads and decides again.
 */
export async function changeDocument<State, Decision extends Decided<State>, Outcome extends RecordedRequest, Stored extends StoredDocument<State, Outcome>>(
  deps: ChangeLoopDeps,
  port: DocumentPort<State, Decision, Outcome, Stored>,
  request: DocumentChangeRequest,
  decide: (current: State) => Decision,
): Promise<DocumentChangeResult<State>> {
  request.signal?.throwIfAborted();
  // Reserve the id first: a crash after this leaves a reservation that the retry, with the same
  // fingerprint, passes through; the document's own record then makes the retry a replay.
  const expiresAt = await reserve(deps.requests, request);
  const maxAttempts = (deps.tuning ?? APPLICATION_TUNING.changes).maxAttempts;
  return deps.queue.run(port.key, async () => {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      // Checked after the wait in the queue too: a command whose caller left while it waited writes nothing.
      request.signal?.throwIfAborted();
      const stored = await port.find();
      const earlier = earlierOutcome(stored?.recentRequests, request, request.now);
      if (earlier) return { changed: earlier.changed, state: await port.replayedState(earlier, stored!), replayed: true };
      const current = stored?.state ?? port.empty();
      if (request.etag && request.etag !== port.etag(current)) throw new DomainError('STALE_ETAG', port.messages.staleEtag);
      const decision = decide(current);
      // Nothing stored and nothing to store: no document is created for a no-op.
      if (!decision.changed && !stored) return { changed: false, state: current };
      const outcome: RecordedRequest = { requestId: request.requestId, fingerprint: request.fingerprint, changed: decision.changed, ...(expiresAt ? { expiresAt } : {}) };
      request.signal?.throwIfAborted();
      if ((await port.save(decision, stored, outcome)) === 'saved') {
        if (decision.changed) await port.changed(decision);
        return { changed: decision.changed, state: decision.state };
      }
    }
    throw new DomainError('CONCURRENT_MODIFICATION', port.messages.contended);
  });
}

/** Until when the request id is remembered (undefined: a job's own id, not reserved). */
async function reserve(requests: RequestRegistry, request: DocumentChangeRequest): Promise<Date | undefined> {
  if (request.reserveFor === null) return undefined;
  const reservation = await requests.reserve({ ...request.reserveFor, requestId: request.requestId }, request.fingerprint, request.now);
  if (reservation.existingFingerprint !== null && reservation.existingFingerprint !== request.fingerprint) {
    throw new DomainError('REQUEST_ID_REUSED', 'request_id was already used for a different request');
  }
  return reservation.expiresAt;
}

/**
 * The outcome this request had, if recorded and still within its retention. The fingerprint names
 * the operation, document and caller, so another caller's outcome under the same id (the registry
 * let both through, each in its own scope) is never replayed.
 */
export function earlierOutcome<T extends RecordedRequest>(recent: readonly T[] | undefined, request: { requestId: string; fingerprint: string }, now: Date): T | undefined {
  return recent?.find((r) => r.requestId === request.requestId && r.fingerprint === request.fingerprint && !(r.expiresAt && r.expiresAt <= now));
}
