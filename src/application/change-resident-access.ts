import { changeDocument, type ChangeLoopDeps, type DocumentChangeResult, type DocumentPort, type StoredDocument } from './change-document';
import type { Decision } from '../domain/access/decision';
import { emptyAccess, etagOf, type ResidentAccess } from '../domain/access/resident-access';
import type { AccessRepository, RequestOutcome } from '../domain/ports/access-repository';
import type { OutboxSignal } from '../domain/ports/outbox-signal';
import type { RequestRegistry } from '../domain/ports/request-registry';
import type { KeyedQueue } from '../shared/keyed-queue';
import type { ResidentViewProjection } from '../views/resident-view-projection';

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

export interface ChangeDeps {
  repository: AccessRepository;
  requests: RequestRegistry;
  outboxSignal: OutboxSignal;
  /** This process's changes of one resident at one clinic wait for each other instead of conflicting. */
  queue: KeyedQueue;
  /** Told of every stored change, so the resident's view follows before the command answers. */
  views: Pick<ResidentViewProjection, 'changed' | 'changedMany'>;
  tuning: NonNullable<ChangeLoopDeps['tuning']>;
}

export type AccessDecision = Decision & { state: ResidentAccess };

/** A domain decision as the change loop takes it: the access is the state it stores. */
export function decidingAccess(decide: Decide): (current: ResidentAccess) => AccessDecision {
  return (current) => {
    const decision = decide(current);
    return { ...decision, state: decision.access };
  };
}

/** The change loop's answer as the access commands and jobs give it. */
export function accessResult(result: DocumentChangeResult<ResidentAccess>): AccessChangeResult {
  return { changed: result.changed, access: result.state, ...(result.replayed ? { replayed: true } : {}) };
}

/** A resident's access at a clinic changed through the one change loop, for jobs (their own request ids). */
export async function changeResidentAccess(deps: ChangeDeps, request: ChangeRequest, now: Date): Promise<AccessChangeResult> {
  const { clinicId, reservedFor, requestId, fingerprint, etag, signal } = request;
  const result = await changeDocument(
    deps,
    accessDocument(deps, clinicId, request.resident),
    { requestId, fingerprint, etag, signal, reserveFor: reservedFor === null ? null : { clinicId, caller: reservedFor }, now },
    decidingAccess(request.decide),
  );
  return accessResult(result);
}

/** One resident's access document at one clinic, as the change loop sees it. */
export function accessDocument(
  deps: ChangeDeps,
  clinicId: string,
  resident: string,
): DocumentPort<ResidentAccess, AccessDecision, RequestOutcome, StoredDocument<ResidentAccess, RequestOutcome>> {
  return {
    key: `access|${clinicId}|${resident}`,
    find: async () => {
      const stored = await deps.repository.find(clinicId, resident);
      return stored && { state: stored.access, recentRequests: stored.recentRequests, revision: stored.revision };
    },
    empty: () => emptyAccess(clinicId, resident),
    etag: etagOf,
    replayedState: (outcome, stored) => replayedAccess(deps, stored.state, outcome),
    save: (decision, stored, outcome) =>
      deps.repository.save({
        stored: { access: stored?.state ?? emptyAccess(clinicId, resident), recentRequests: stored?.recentRequests ?? [], revision: stored?.revision ?? 0 },
        access: decision.access,
        event: decision.changed ? decision.event : null,
        outcome: { ...outcome, version: decision.access.version },
      }),
    changed: async (decision) => {
      await deps.views.changed(decision.access);
      deps.outboxSignal.eventsStored(clinicId, resident);
    },
    messages: { staleEtag: 'etag does not match the current access; read it again', contended: 'too many concurrent changes to this resident; retry' },
  };
}

/**
 * The access an earlier request answered with: the current one when nothing changed since, else
 * the state its version's event recorded. Where no record of that version is kept any more, the
 * current access (the request is still not applied twice).
 */
export async function replayedAccess(deps: { repository: Pick<AccessRepository, 'stateAt'> }, current: ResidentAccess, outcome: RequestOutcome): Promise<ResidentAccess> {
  if (outcome.version === current.version) return current;
  return (await deps.repository.stateAt(current.clinicId, current.resident, outcome.version)) ?? current;
}
