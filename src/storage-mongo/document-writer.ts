import type { Collection, Filter, UpdateFilter } from 'mongodb';
import type { SaveResult } from '../domain/ports/access-repository';
import { KeyedQueue } from '../shared/keyed-queue';

/** A document written only through a DocumentWriter: `revision` counts its writes. */
export interface RevisedDocument {
  _id: string;
  revision: number;
}

export type DocumentUpdate<D> = { $set: Partial<D> } & Omit<UpdateFilter<D>, '$set'>;

export interface BatchedUpdate<D> {
  id: string;
  expectedRevision: number;
  update: DocumentUpdate<D>;
  /** When the caller read `expectedRevision` (wall clock, ms). */
  observedAtMs: number;
}

/**
 * Every update of a stored document goes through one of these: a compare-and-set on `revision`,
 * so that writers in any number of processes never lose each other's changes. Two adapters:
 * `ConditionalWriter` (MongoDB: one conditional `updateOne`) and `ferretdb/ClaimingWriter`
 * (FerretDB 1.x, whose conditional updates are not atomic); `openDocumentWriter` picks one.
 */
export interface DocumentWriter {
  /** Runs `write` with this process's other writes to the same document queued behind it. */
  exclusive<T, D extends RevisedDocument>(collection: Collection<D>, id: string, write: () => Promise<T>): Promise<T>;
  /**
   * Applies `update` and moves the document from `expectedRevision` to the next revision, or
   * answers 'conflict' when another writer moved it first. `update` may be computed from the
   * document as it stands. Call it inside exclusive().
   */
  update<D extends RevisedDocument>(
    collection: Collection<D>,
    id: string,
    expectedRevision: number,
    update: DocumentUpdate<D> | ((current: D) => DocumentUpdate<D>),
    /** When (wall clock, ms) the caller read `expectedRevision`: an adapter may then skip a re-read. */
    observedAtMs?: number,
  ): Promise<SaveResult>;
  /**
   * The update that appends `item` to the array `field`, keeping its last `keep` items. `current`
   * is the array as the document stands at the expected revision (an adapter may need it).
   */
  appendBounded<T>(field: string, item: T, keep: number, current: readonly T[] | undefined): Record<string, unknown>;
  /** Many compare-and-sets at once; each answers as `update` would. */
  updateAllFresh<D extends RevisedDocument>(collection: Collection<D>, updates: readonly BatchedUpdate<D>[]): Promise<SaveResult[]>;
}

/** Several updates as one: the fields of each operator (`$set`, `$push`, …) put together. */
export function combined<D>(...parts: Record<string, unknown>[]): DocumentUpdate<D> {
  const result: Record<string, Record<string, unknown>> = { $set: {} };
  for (const part of parts) {
    for (const [operator, fields] of Object.entries(part)) result[operator] = { ...result[operator], ...(fields as Record<string, unknown>) };
  }
  return result as unknown as DocumentUpdate<D>;
}

/** This process's writes to one document, one after another (both adapters' `exclusive`). */
export class DocumentQueue {
  private readonly queue = new KeyedQueue();

  run<T>(collection: { collectionName: string }, id: string, write: () => Promise<T>): Promise<T> {
    return this.queue.run(documentKey(collection, id), write);
  }
}

export function documentKey(collection: { collectionName: string }, id: string): string {
  return `${collection.collectionName}|${id}`;
}

export async function storedRevision<D extends RevisedDocument>(collection: Collection<D>, id: string): Promise<number | null> {
  const doc = await collection.findOne({ _id: id } as Filter<D>, { projection: { revision: 1 } });
  return doc ? doc.revision : null;
}
