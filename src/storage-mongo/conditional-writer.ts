import type { Collection, Filter, UpdateFilter } from 'mongodb';
import type { SaveResult } from '../domain/ports/access-repository';
import { DocumentQueue, type BatchedUpdate, type DocumentUpdate, type DocumentWriter, type RevisedDocument } from './document-writer';

/**
 * The document writer for MongoDB: a compare-and-set is one `updateOne({_id, revision})`, which
 * MongoDB applies atomically (a replica set's primary serialises writes to one document). This
 * process's writes to one document still queue behind each other, so that it does not lose races
 * against itself.
 */
export class ConditionalWriter implements DocumentWriter {
  private readonly queue = new DocumentQueue();

  exclusive<T, D extends RevisedDocument>(collection: Collection<D>, id: string, write: () => Promise<T>): Promise<T> {
    return this.queue.run(collection, id, write);
  }

  async update<D extends RevisedDocument>(
    collection: Collection<D>,
    id: string,
    expectedRevision: number,
    update: DocumentUpdate<D> | ((current: D) => DocumentUpdate<D>),
  ): Promise<SaveResult> {
    let changes: DocumentUpdate<D>;
    if (typeof update === 'function') {
      const current = (await collection.findOne({ _id: id } as Filter<D>)) as D | null;
      if (!current || current.revision !== expectedRevision) return 'conflict';
      changes = update(current);
    } else {
      changes = update;
    }
    const result = await collection.updateOne(conditionOn<D>(id, expectedRevision), withRevision(changes, expectedRevision + 1));
    return result.matchedCount === 1 ? 'saved' : 'conflict';
  }

  appendBounded<T>(field: string, item: T, keep: number): Record<string, unknown> {
    return { $push: { [field]: { $each: [item], $slice: -keep } } };
  }

  /**
   * One conditional `updateOne` each, all in flight together: a `bulkWrite` would answer only how
   * many matched, and a revision read afterwards cannot tell this write from another writer's.
   */
  updateAllFresh<D extends RevisedDocument>(collection: Collection<D>, updates: readonly BatchedUpdate<D>[]): Promise<SaveResult[]> {
    return Promise.all(
      updates.map(async (u) => {
        const result = await collection.updateOne(conditionOn<D>(u.id, u.expectedRevision), withRevision(u.update, u.expectedRevision + 1));
        return result.matchedCount === 1 ? 'saved' : 'conflict';
      }),
    );
  }
}

function conditionOn<D>(id: string, revision: number): Filter<D> {
  return { _id: id, revision } as unknown as Filter<D>;
}

function withRevision<D>(changes: DocumentUpdate<D>, revision: number): UpdateFilter<D> {
  return { ...changes, $set: { ...changes.$set, revision } };
}
