import type { AccessChangeResult, ChangeDeps, Decide } from './change-resident-access';
import { changeResidentAccess, replayedAccess } from './change-resident-access';
import { earlierOutcome } from './change-document';
import { forEachConcurrently } from '../shared/for-each-concurrently';
import type { AccessChange, StoredAccess } from '../domain/ports/access-repository';

export interface BatchRequest {
  /** Stands as every document's request id: a repeat of the batch replays instead of changing twice. */
  requestId: string;
  fingerprint: string;
  decide: Decide;
}

/** One access as read, and the request to apply to it. */
export interface BatchItem {
  stored: StoredAccess;
  request: BatchRequest;
}

/**
 * One decision applied to a batch of accesses read together (expiry, sweeps): each is its own
 * atomic change with its own event, but the batch is decided on one read and stored in a few round
 * trips. A document another writer moved since the read is changed again on its own.
 */
export function changeManyAccesses(deps: ChangeDeps, batch: readonly StoredAccess[], request: BatchRequest, now: Date): Promise<AccessChangeResult[]> {
  return changeEachAccess(
    deps,
    batch.map((stored) => ({ stored, request })),
    now,
  );
}

/**
 * Each access with its own request (an import's rows), the same way: decided on one read, stored
 * together (new documents inserted, the others compare-and-set), lost races changed again one by
 * one through the change loop. Items of one document apply in their order: only the first joins
 * the batch (a batch's writes may be applied in any order), the others follow it one by one.
 */
export async function changeEachAccess(deps: ChangeDeps, items: readonly BatchItem[], now: Date): Promise<AccessChangeResult[]> {
  const results = new Array<AccessChangeResult>(items.length);
  const changes: AccessChange[] = [];
  const changedAt: number[] = [];
  const replays: Promise<void>[] = [];
  const documentOf = ({ stored }: BatchItem) => `${stored.access.clinicId}|${stored.access.resident}`;
  const inBatch = new Set<string>();
  const afterBatch: number[] = [];
  items.forEach((item, i) => {
    const document = documentOf(item);
    if (inBatch.has(document)) return void afterBatch.push(i);
    inBatch.add(document);
    const { stored, request } = item;
    const earlier = earlierOutcome(stored.recentRequests, request, now);
    if (earlier) {
      replays.push(replayedAccess(deps, stored.access, earlier).then((access) => void (results[i] = { changed: earlier.changed, access, replayed: true })));
      return;
    }
    const decision = request.decide(stored.access);
    // No write for a no-op: deciding again on a repeat gives the same no-op.
    if (!decision.changed) {
      results[i] = { changed: false, access: stored.access };
      return;
    }
    changes.push({
      stored,
      access: decision.access,
      event: decision.event,
      outcome: { requestId: request.requestId, fingerprint: request.fingerprint, changed: true, version: decision.access.version },
    });
    changedAt.push(i);
  });
  await Promise.all(replays);
  const saved = changes.length > 0 ? await deps.repository.saveAll(changes) : [];
  const stored = changes.filter((_, k) => saved[k] === 'saved');
  changes.forEach((change, k) => {
    if (saved[k] === 'saved') results[changedAt[k]!] = { changed: true, access: change.access };
  });
  if (stored.length > 0) {
    await deps.views.changedMany(stored.map((c) => c.access));
    for (const c of stored) deps.outboxSignal.eventsStored(c.access.clinicId, c.access.resident);
  }
  const notSaved = changedAt.filter((_, k) => saved[k] !== 'saved');
  // Lost races and a document's later items go one by one, as single commands would: documents
  // side by side, each document's items in their order.
  const byDocument = new Map<string, number[]>();
  for (const i of [...notSaved, ...afterBatch].sort((a, b) => a - b)) {
    const document = documentOf(items[i]!);
    byDocument.set(document, [...(byDocument.get(document) ?? []), i]);
  }
  await forEachConcurrently(fromArray([...byDocument.values()]), deps.tuning.retryConcurrency, async (indexes) => {
    for (const i of indexes) {
      const { stored: read, request } = items[i]!;
      const { clinicId, resident } = read.access;
      results[i] = await changeResidentAccess(deps, { clinicId, resident, ...request, reservedFor: null }, now);
    }
  });
  return results;
}

async function* fromArray<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}
