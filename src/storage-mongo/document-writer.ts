import type { Collection, Filter, UpdateFilter } from 'mongodb';
import type { SaveResult } from '../domain/ports/access-repository';
import { KeyedQueue } from '../shared/keyed-queue';
import type { RevisionClaims } from './revision-claims';

/** A document written only through DocumentWriter: `revision` counts its writes. */
export interface RevisedDocument {
  _id: string;
  revision: number;
}

/**
 * Every update of a stored document goes through here, so that writers in any number of
 * processes never lose each other's changes, on MongoDB and on FerretDB 1.x alike:
 * - this process's writes to one document queue behind each other (no wasted claims);
 * - the move from revision n to n+1 belongs to whoever claims it first (RevisionClaims);
 * - the claimed update then filters on `_id` alone: the claim already made it the only writer,
 *   and FerretDB serves an `_id`-only filter from its index but scans for any other.
 */
export class DocumentWriter {
  private readonly lock = new KeyedQueue();

  constructor(private readonly claims: RevisionClaims) {}

  /** Runs `write` with this process's other writes to the same document queued behind it. */
  exclusive<T, D extends RevisedDocument>(collection: Collection<D>, id: string, write: () => Promise<T>): Promise<T> {
    return this.lock.run(documentKey(collection, id), write);
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
    const result = await collection.updateOne({ _id: id } as Filter<D>, { ...changes, $set: { ...changes.$set, revision } } as UpdateFilter<D>);
    return result.matchedCount === 1 ? 'saved' : 'conflict';
  }
}

export type DocumentUpdate<D> = { $set: Partial<D> } & Omit<UpdateFilter<D>, '$set'>;

function documentKey(collection: { collectionName: string }, id: string): string {
  return `${collection.collectionName}|${id}`;
}

async function storedRevision<D extends RevisedDocument>(collection: Collection<D>, id: string): Promise<number | null> {
  const doc = await collection.findOne({ _id: id } as Filter<D>, { projection: { revision: 1 } });
  return doc ? (doc.revision as number) : null;
}
