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
  GRANT_EXISTS: status.ALREADY_EXISTS,
  REQUEST_ID_REUSED: status.ALREADY_EXISTS,
  CONCURRENT_MODIFICATION: status.ABORTED,
  STORAGE_UNAVAILABLE: status.UNAVAILABLE,
  NOT_YET_CONSISTENT: status.UNAVAILABLE,
  RATE_LIMITED: status.RESOURCE_EXHAUSTED,
};

/** ErrorInfo.domain (AIP-193): who defines the reasons. */
export const ERROR_DOMAIN = 'residentaccess.v1';
