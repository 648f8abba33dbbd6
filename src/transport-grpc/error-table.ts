import { status } from '@grpc/grpc-js';
import type { DomainErrorCode } from '../domain/errors/domain-error';

/** The one place where domain error codes become gRPC status codes. */
export const statusByDomainCode: Record<DomainErrorCode, status> = {
  VALIDATION_FAILED: status.INVALID_ARGUMENT,
  REQUEST_ID_REUSED: status.ALREADY_EXISTS,
  CONCURRENT_MODIFICATION: status.ABORTED,
  STORAGE_UNAVAILABLE: status.UNAVAILABLE,
};

/** ErrorInfo.domain (AIP-193): who defines the reasons. */
export const ERROR_DOMAIN = 'residentaccess.v1';
