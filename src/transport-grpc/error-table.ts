import { status } from '@grpc/grpc-js';
import type { DomainErrorCode } from '../domain/errors/domain-error';

/** The one place where domain error codes become gRPC status codes. */
export const statusByDomainCode: Record<DomainErrorCode, status> = {
  VALIDATION_FAILED: status.INVALID_ARGUMENT,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  CASE_TYPE_NOT_FOUND: status.NOT_FOUND,
  GRANT_NOT_FOUND: status.NOT_FOUND,
  BULK_REMOVAL_NOT_FOUND: status.NOT_FOUND,
  JOB_NOT_FOUND: status.NOT_FOUND,
  BULK_REMOVAL_RUNNING: status.FAILED_PRECONDITION,
  CASE_TYPE_NOT_RESTRICTED: status.FAILED_PRECONDITION,
  STALE_ETAG: status.FAILED_PRECONDITION,
  GRANT_ALREADY_STARTED: status.FAILED_PRECONDITION,
  GRANT_EXISTS: status.ALREADY_EXISTS,
  REQUEST_ID_REUSED: status.ALREADY_EXISTS,
  CONCURRENT_MODIFICATION: status.ABORTED,
  STORAGE_UNAVAILABLE: status.UNAVAILABLE,
  STORAGE_OUTCOME_UNKNOWN: status.UNAVAILABLE,
  ANSWER_WITHHELD: status.UNAVAILABLE,
  // The database stopped a read at the call's time limit (its deadline, or MONGODB_CALL_MAX_TIME_MS).
  STORAGE_TIMEOUT: status.DEADLINE_EXCEEDED,
  NOT_YET_CONSISTENT: status.UNAVAILABLE,
  RATE_LIMITED: status.RESOURCE_EXHAUSTED,
};

/**
 * RetryInfo (AIP-194) of the errors worth retrying, for those that carry no delay of their own (a
 * rate limit carries the time its bucket refills). Codes absent here are not retried as they are.
 */
export const retryAfterMsByDomainCode: Partial<Record<DomainErrorCode, number>> = {
  // The database or the access log's writer failed; the driver reconnects and a replica set elects
  // a new primary within seconds. Nothing was changed; a command retries with its request id.
  STORAGE_UNAVAILABLE: 1000,
  // As above, but the change may have been stored: its retry with the request id settles which.
  STORAGE_OUTCOME_UNKNOWN: 1000,
  // The change is stored but its answer was not logged as a read: the retry replays it and logs it.
  ANSWER_WITHHELD: 1000,
  // Other writers to the same document won every compare-and-set the service tried; they finish
  // within milliseconds.
  CONCURRENT_MODIFICATION: 100,
  // The query already waited CONSISTENCY_WAIT_MS for storage to reach the token.
  NOT_YET_CONSISTENT: 1000,
  // Only when a limit says nothing; the per-caller limits always carry their refill time.
  RATE_LIMITED: 1000,
};

/** RetryInfo of TOKEN_KEYS_UNAVAILABLE: the identity provider's key set could not be fetched. */
export const TOKEN_KEYS_RETRY_AFTER_MS = 1000;
