import type { Collection, Filter, UpdateFilter } from 'mongodb';
import type { SaveResult } from '../domain/ports/access-repository';

/** A document whose writes are compare-and-set on `revision`, which counts them. */
export interface RevisedDocument {
  _id: string;
  revision: number;
}

/** Fields set (a dotted path for a field inside a document) and other operators. */
export type DocumentUpdate<D> = { $set: Partial<D> | Record<string, unknown> } & Omit<UpdateFilter<D>, '$set'>;

export interface UpdateAtRevision<D> {
  id: string;
  expectedRevision: number;
  update: DocumentUpdate<D>;
  /** More the document must match besides its revision (e.g. the relay lease the update replaces). */
  condition?: Filter<D>;
}

/**
 * One conditional `updateOne({_id, revision})` that applies `update` and moves the document to the
 * next revision, or answers 'conflict' when another writer moved it first. The server applies it
 * atomically, so writers in any number of processes never lose each other's changes.
 */
export async function updateAtRevision<D extends RevisedDocument>(collection: Collection<D>, change: UpdateAtRevision<D>): Promise<SaveResult> {
  const { filter, update } = atRevision(change);
  const result = await collection.updateOne(filter, update);
  return result.matchedCount === 1 ? 'saved' : 'conflict';
}

/** The filter and update of a compare-and-set, for a caller that needs another command (findOneAndUpdate). */
export function atRevision<D extends RevisedDocument>(change: UpdateAtRevision<D>): { filter: Filter<D>; update: UpdateFilter<D> } {
  return {
    filter: { ...change.condition, _id: change.id, revision: change.expectedRevision } as Filter<D>,
    update: { ...change.update, $set: { ...change.update.$set, revision: change.expectedRevision + 1 } } as UpdateFilter<D>,
  };
}

/** Several updates as one: the fields of each operator (`$set`, `$push`, …) put together. */
export function combined<D>(...parts: Record<string, unknown>[]): DocumentUpdate<D> {
  const result: Record<string, Record<string, unknown>> = { $set: {} };
  for (const part of parts) {
    for (const [operator, fields] of Object.entries(part)) result[operator] = { ...result[operator], ...(fields as Record<string, unknown>) };
  }
  return result as unknown as DocumentUpdate<D>;
}

/**
 * The bounded list of request outcomes after recording `outcome`: the newest `keep`, set whole.
 * `current` is the list as read at the expected revision, so the compare-and-set makes it exact.
 */
export function withOutcome<T>(current: readonly T[] | undefined, outcome: T, keep: number): T[] {
  return [...(current ?? []), outcome].slice(-keep);
}
