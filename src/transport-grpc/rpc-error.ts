import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { AuthError, TokenKeysUnavailableError } from '../auth/token-verifier';
import { DomainError } from '../domain/errors/domain-error';
import { BadRequest, ErrorInfo, RetryInfo } from '../gen/google/rpc/error_details';
import { Status } from '../gen/google/rpc/status';
import { CallEndedError } from './call-ended';
import { retryAfterMsByDomainCode, statusByDomainCode, TOKEN_KEYS_RETRY_AFTER_MS } from './error-table';

const TYPE_PREFIX = 'type.googleapis.com/';

export interface RpcError {
  error: Partial<ServiceError>;
  /** Unknown errors are INTERNAL to the caller and logged in full here. */
  unexpected: boolean;
}

/**
 * Turns any thrown value into a gRPC error with `google.rpc.Status` details (AIP-193): ErrorInfo
 * with the stable reason and `domain` (the full name of the called service, e.g.
 * `residentaccess.v1.ResidentAccessService`), BadRequest field violations for bad input, and
 * RetryInfo for errors worth retrying (AIP-194). Unknown errors become INTERNAL with a generic
 * message so that no internals reach the caller.
 */
export function toRpcError(thrown: unknown, domain: string): RpcError {
  if (thrown instanceof AuthError) {
    return { error: build(domain, status.UNAUTHENTICATED, thrown.message, thrown.reason, []), unexpected: false };
  }
  if (thrown instanceof TokenKeysUnavailableError) {
    return {
      error: build(domain, status.UNAVAILABLE, 'token keys unavailable; retry later', 'TOKEN_KEYS_UNAVAILABLE', [], TOKEN_KEYS_RETRY_AFTER_MS),
      unexpected: false,
    };
  }
  if (thrown instanceof CallEndedError) {
    return { error: build(domain, thrown.code, thrown.message, status[thrown.code], []), unexpected: false };
  }
  if (!(thrown instanceof DomainError)) {
    return { error: build(domain, status.INTERNAL, 'internal error', 'INTERNAL', []), unexpected: true };
  }
  const code = statusByDomainCode[thrown.code];
  const reason = thrown.violations[0]?.reason ?? thrown.code;
  const retryAfterMs = thrown.retry?.retryAfterMs ?? retryAfterMsByDomainCode[thrown.code];
  return { error: build(domain, code, thrown.message, reason, thrown.violations, retryAfterMs, thrown.info), unexpected: false };
}

function build(
  domain: string,
  code: status,
  message: string,
  reason: string,
  violations: DomainError['violations'],
  retryAfterMs?: number,
  info: DomainError['info'] = {},
): Partial<ServiceError> {
  const details = [{ typeUrl: `${TYPE_PREFIX}google.rpc.ErrorInfo`, value: Buffer.from(ErrorInfo.encode({ reason, domain, metadata: { ...info } }).finish()) }];
  if (violations.length > 0) {
    const badRequest = BadRequest.encode({
      fieldViolations: violations.map((v) => ({ field: v.field, description: v.description, reason: v.reason })),
    }).finish();
    details.push({ typeUrl: `${TYPE_PREFIX}google.rpc.BadRequest`, value: Buffer.from(badRequest) });
  }
  if (retryAfterMs !== undefined) {
    const retryDelay = { seconds: Math.floor(retryAfterMs / 1000), nanos: (retryAfterMs % 1000) * 1_000_000 };
    details.push({ typeUrl: `${TYPE_PREFIX}google.rpc.RetryInfo`, value: Buffer.from(RetryInfo.encode({ retryDelay }).finish()) });
  }
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(Status.encode({ code, message, details }).finish()));
  return { code, details: message, metadata };
}
