import { MongoNetworkError, MongoServerSelectionError, MongoNotConnectedError, MongoTopologyClosedError } from 'mongodb';
import { DomainError } from '../domain/errors/domain-error';

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/** Connection-level failures become STORAGE_UNAVAILABLE (retryable); anything else stays unknown. */
export function translateMongoError(error: unknown): unknown {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError || error instanceof MongoNotConnectedError || error instanceof MongoTopologyClosedError) {
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
 * answer, so the change may be stored (STORAGE_OUTCOME_UNKNOWN, which a retry with the same
 * request id settles). No server to send to means nothing was sent (STORAGE_UNAVAILABLE).
 */
export async function withChangeWriteErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof MongoNetworkError) {
      const unknown = new DomainError('STORAGE_OUTCOME_UNKNOWN', 'the database connection failed while storing the change, which may have been stored; retry with the same request_id');
      throw Object.assign(unknown, { cause: error });
    }
    throw translateMongoError(error);
  }
}
