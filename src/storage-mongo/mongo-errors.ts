import { MongoBulkWriteError, MongoNetworkError, MongoServerError, MongoServerSelectionError, MongoNotConnectedError, MongoTopologyClosedError } from 'mongodb';
import { DomainError } from '../domain/errors/domain-error';

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/** MongoDB's MaxTimeMSExpired: the server stopped the operation at its time limit (call-time-limit.ts). */
const MAX_TIME_MS_EXPIRED = 50;

/** The server stopped the operation at its maxTimeMS (also as a write-concern error: the write itself was done). */
function isTimeLimitReached(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === MAX_TIME_MS_EXPIRED;
}

/**
 * A bulk write (`insertMany`, `bulkWrite`) cut off by the driver, not answered by the server: the
 * driver wraps its own error (a lost connection, mostly) in a MongoBulkWriteError that has no
 * server code, no write errors and no write-concern error. Batches before the cut may be stored.
 */
function isBulkWriteCutOff(error: unknown): boolean {
  return error instanceof MongoBulkWriteError && error.code === undefined && [error.writeErrors].flat().length === 0 && error.err === undefined;
}

/** The connection failed after the operation may have reached the server. */
function isConnectionLost(error: unknown): boolean {
  return error instanceof MongoNetworkError || isBulkWriteCutOff(error);
}

/**
 * Connection-level failures become STORAGE_UNAVAILABLE (retryable), an operation stopped at the
 * call's time limit STORAGE_TIMEOUT; anything else stays unknown.
 */
export function translateMongoError(error: unknown): unknown {
  if (isTimeLimitReached(error)) {
    return Object.assign(new DomainError('STORAGE_TIMEOUT', "the database did not finish within the call's time limit"), { cause: error });
  }
  if (isConnectionLost(error) || error instanceof MongoServerSelectionError || error instanceof MongoNotConnectedError || error instanceof MongoTopologyClosedError) {
    // The driver's reason (host and port, never data) stays on the error for the service's log.
    return Object.assign(new DomainError('STORAGE_UNAVAILABLE', 'the database is unavailable; retry later'), { cause: error });
  }
  return error;
}

export async function withStorageErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateMongoError(error);
  }
}

/**
 * For a change's own write: a connection lost after the server was chosen may have lost only the
 * answer, and a write stopped at its time limit may be done (only its replication was waited for),
 * so the change may be stored (STORAGE_OUTCOME_UNKNOWN, which a retry with the same request id
 * settles). No server to send to means nothing was sent (STORAGE_UNAVAILABLE).
 */
export async function withChangeWriteErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const why = isConnectionLost(error) ? 'the database connection failed' : isTimeLimitReached(error) ? "the call's time limit was reached" : null;
    if (why) {
      const unknown = new DomainError('STORAGE_OUTCOME_UNKNOWN', `${why} while storing the change, which may have been stored; retry with the same request_id`);
      throw Object.assign(unknown, { cause: error });
    }
    throw translateMongoError(error);
  }
}
