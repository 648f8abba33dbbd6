import type { Collection, CollectionOptions, Db, Document } from 'mongodb';
import { currentDeadline } from '../shared/deadline-scope';

/** The Collection methods that send an operation, each with the position of its options argument. */
const OPTIONS_ARGUMENT: Readonly<Record<string, number>> = {
  find: 1,
  findOne: 1,
  countDocuments: 1,
  estimatedDocumentCount: 0,
  distinct: 2,
  aggregate: 1,
  insertOne: 1,
  insertMany: 1,
  bulkWrite: 1,
  updateOne: 2,
  updateMany: 2,
  replaceOne: 2,
  deleteOne: 1,
  deleteMany: 1,
  findOneAndUpdate: 2,
  findOneAndReplace: 2,
  findOneAndDelete: 1,
};

export interface CallTimeLimits {
  /** The longest any operation done for a call may run on the server; also what a call without a deadline gets. */
  ceilingMs: number;
}

/**
 * The server-side time limit (maxTimeMS) of an operation sent now: what is left of the deadline in
 * scope, at most `ceilingMs`, and at least 1 ms (0 would mean no limit); none outside a deadline scope.
 */
export function callMaxTimeMs(ceilingMs: number, deadlineMs: number | undefined = currentDeadline(), nowMs = Date.now()): number | undefined {
  if (deadlineMs === undefined) return undefined;
  return Math.max(1, Math.min(ceilingMs, Math.floor(deadlineMs - nowMs)));
}

/**
 * `db` as the adapters use it, whose collections send every operation done for a gRPC call with
 * a server-side time limit (maxTimeMS) from the call's remaining deadline: when the call ends, the
 * database stops the work nobody waits for. The call's deadline comes from the deadline scope the
 * transport opens around it (src/shared/deadline-scope.ts); background work (relay, expiry, jobs)
 * runs outside any and is sent as before, bounded by its own means.
 */
export function boundedByCallDeadlines(db: Db, limits: CallTimeLimits): Db {
  return new Proxy(db, {
    get(target, property) {
      if (property !== 'collection') return Reflect.get(target, property) as unknown;
      return <T extends Document>(name: string, options?: CollectionOptions) => boundedCollection(target.collection<T>(name, options), limits.ceilingMs);
    },
  });
}

function boundedCollection<T extends Document>(collection: Collection<T>, ceilingMs: number): Collection<T> {
  return new Proxy(collection, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      const at = typeof property === 'string' && Object.hasOwn(OPTIONS_ARGUMENT, property) ? OPTIONS_ARGUMENT[property] : undefined;
      if (at === undefined || typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const maxTimeMS = callMaxTimeMs(ceilingMs);
        if (maxTimeMS !== undefined) args[at] = withMaxTime(args[at], maxTimeMS);
        // On the collection itself: methods that call others (findOne calls find) are bounded once.
        return method.apply(target, args);
      };
    },
  });
}

function withMaxTime(options: unknown, maxTimeMS: number): Document {
  const given = (options ?? {}) as Document;
  const earlier = typeof given.maxTimeMS === 'number' ? given.maxTimeMS : Infinity;
  return { ...given, maxTimeMS: Math.min(earlier, maxTimeMS) };
}
