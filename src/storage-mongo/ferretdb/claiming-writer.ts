import type { Collection, Filter } from 'mongodb';
import type { SaveResult } from '../../domain/ports/access-repository';
import { documentKey, DocumentQueue, storedRevision, type BatchedUpdate, type DocumentUpdate, type DocumentWriter, type RevisedDocument } from '../document-writer';
import type { RevisionClaims } from './revision-claims';
import { TUNING } from '../../config/config';

/**
 * The document writer for FerretDB 1.x, whose conditional updates are not atomic (docs/ferretdb.md),
 * so that writers in any number of processes never lose each other's changes:
 * - this process's writes to one document queue behind each other (no wasted claims);
 * - the move from revision n to n+1 belongs to whoever claims it first (RevisionClaims);
 * - the claimed update then filters on `_id` alone: the claim already made it the only writer,
 *   and FerretDB serves an `_id`-only filter from its index but scans for any other.
 */
export class ClaimingWriter implements DocumentWriter {
  private readonly queue = new DocumentQueue();

  constructor(
    private readonly claims: RevisionClaims,
    /**
     * Small commands, one after another: FerretDB 1.24 keeps every statement's query (an SQLite
     * connection) open until the whole update command ends, and a database has 100 connections.
     */
    private readonly updatesPerCommand = TUNING.ferretdb.updatesPerCommand,
  ) {}

  /** Runs `write` with this process's other writes to the same document queued behind it. */
  exclusive<T, D extends RevisedDocument>(collection: Collection<D>, id: string, write: () => Promise<T>): Promise<T> {
    return this.queue.run(collection, id, write);
  }

  /**
   * Compare-and-set: applies `update` and moves the document from `expectedRevision` to the next
   * revision, or answers 'conflict' when another writer moved it first. `update` may be computed
   * from the document as it stands under the claim. Call it inside exclusive().
   */
  async update<D extends RevisedDocument>(
    collection: Collection<D>,
    id: string,
    expectedRevision: number,
    update: DocumentUpdate<D> | ((current: D) => DocumentUpdate<D>),
    /** When (wall clock, ms) the caller read `expectedRevision`; a fresh read saves the re-read. */
    observedAtMs?: number,
  ): Promise<SaveResult> {
    const revision = expectedRevision + 1;
    const claimed = await this.claims.claim(documentKey(collection, id), revision, () => storedRevision(collection, id));
    if (!claimed) return 'conflict';
    let changes: DocumentUpdate<D>;
    const fresh = observedAtMs !== undefined && Date.now() - observedAtMs < this.claims.observationFreshForMs;
    if (typeof update !== 'function' && fresh) {
      changes = update;
    } else {
      // Under the claim nobody else writes; the read confirms the document is still at the expected
      // revision (a claim swept long ago could be taken again by a writer whose read is as old).
      const current = (await collection.findOne({ _id: id } as Filter<D>)) as D | null;
      if (!current || current.revision !== expectedRevision) return 'conflict';
      changes = typeof update === 'function' ? update(current) : update;
    }
    const result = await collection.updateOne({ _id: id } as Filter<D>, { ...changes, $set: { ...changes.$set, revision } });
    return result.matchedCount === 1 ? 'saved' : 'conflict';
  }

  /** FerretDB 1.x ignores `$slice` in `$push`: the trimmed array is computed here and set whole. */
  appendBounded<T>(field: string, item: T, keep: number, current: readonly T[] | undefined): Record<string, unknown> {
    return { $set: { [field]: [...(current ?? []), item].slice(-keep) } };
  }

  /**
   * Many compare-and-sets in two round trips: the claims in one `insertMany`, the writes in one
   * `bulkWrite`. Only for freshly read revisions (no re-read under the claim); a stale read, or a
   * claim another writer holds, answers 'conflict' and the caller retries one by one.
   */
  async updateAllFresh<D extends RevisedDocument>(collection: Collection<D>, updates: readonly BatchedUpdate<D>[]): Promise<SaveResult[]> {
    const results: SaveResult[] = updates.map(() => 'conflict');
    const now = Date.now();
    const fresh = updates.map((u) => now - u.observedAtMs < this.claims.observationFreshForMs);
    const candidates = updates.map((u, i) => ({ u, i })).filter(({ i }) => fresh[i]);
    const claimed = await this.claims.claimAll(candidates.map(({ u }) => ({ documentKey: documentKey(collection, u.id), revision: u.expectedRevision + 1 })));
    const writes = candidates.filter((_, k) => claimed[k]);
    if (writes.length === 0) return results;
    let matched = 0;
    for (let start = 0; start < writes.length; start += this.updatesPerCommand) {
      const outcome = await collection.bulkWrite(
        writes.slice(start, start + this.updatesPerCommand).map(({ u }) => ({
          updateOne: {
            filter: { _id: u.id } as Filter<D>,
            update: { ...u.update, $set: { ...u.update.$set, revision: u.expectedRevision + 1 } },
          },
        })),
        { ordered: false },
      );
      matched += outcome.matchedCount;
    }
    if (matched === writes.length) {
      for (const { i } of writes) results[i] = 'saved';
      return results;
    }
    // Some document was gone: find out which writes landed.
    for (const { u, i } of writes) if ((await storedRevision(collection, u.id)) === u.expectedRevision + 1) results[i] = 'saved';
    return results;
  }
}
