import { MongoNetworkError, MongoServerSelectionError, MongoNotConnectedError, MongoTopologyClosedError } from 'mongodb';
import { DomainError } from '../domain/errors/domain-error';

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/** Connection-level failures become STORAGE_UNAVAILABLE (retryable); anything else stays unknown. */
export function translateMongoError(error: unknown): unknown {
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError
  ) {
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
