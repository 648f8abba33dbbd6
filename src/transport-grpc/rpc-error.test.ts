import { status, type ServiceError } from '@grpc/grpc-js';
import { DomainError, type DomainErrorCode } from '../domain/errors/domain-error';
import { TokenKeysUnavailableError } from '../auth/token-verifier';
import { ErrorInfo, RetryInfo } from '../gen/google/rpc/error_details';
import { Status } from '../gen/google/rpc/status';
import { statusByDomainCode } from './error-table';
import { toRpcError } from './rpc-error';

const SERVICE = 'residentaccess.v1.ResidentAccessService';
/** Statuses a client may retry as they are (AIP-194); each needs a RetryInfo saying when. */
const RETRYABLE = new Set([status.UNAVAILABLE, status.ABORTED, status.RESOURCE_EXHAUSTED]);

function detailsOf(error: Partial<ServiceError>) {
  const decoded = Status.decode(error.metadata!.get('grpc-status-details-bin')[0] as Buffer);
  const find = (type: string) => decoded.details.find((d) => d.typeUrl === `type.googleapis.com/google.rpc.${type}`);
  const info = find('ErrorInfo');
  const retry = find('RetryInfo');
  return {
    info: info ? ErrorInfo.decode(info.value) : undefined,
    retryDelay: retry ? RetryInfo.decode(retry.value).retryDelay : undefined,
  };
}

describe('gRPC errors of the service', () => {
  it.each(Object.keys(statusByDomainCode) as DomainErrorCode[])('%s names the called service as ErrorInfo domain', (code) => {
    const { info } = detailsOf(toRpcError(new DomainError(code, 'message'), SERVICE).error);
    expect(info).toMatchObject({ reason: code, domain: SERVICE });
  });

  it.each((Object.entries(statusByDomainCode) as [DomainErrorCode, status][]).filter(([, code]) => RETRYABLE.has(code)))('%s (retryable) carries a RetryInfo', (code) => {
    const { retryDelay } = detailsOf(toRpcError(new DomainError(code, 'message'), SERVICE).error);
    expect(retryDelay).toBeDefined();
    expect(retryDelay!.seconds * 1000 + retryDelay!.nanos / 1e6).toBeGreaterThan(0);
  });

  it('the delays: storage 1 s, a lost compare-and-set 100 ms, a token not yet reached 1 s', () => {
    const delay = (code: DomainErrorCode) => detailsOf(toRpcError(new DomainError(code, 'm'), SERVICE).error).retryDelay;
    expect(delay('STORAGE_UNAVAILABLE')).toEqual({ seconds: 1, nanos: 0 });
    expect(delay('CONCURRENT_MODIFICATION')).toEqual({ seconds: 0, nanos: 100_000_000 });
    expect(delay('NOT_YET_CONSISTENT')).toEqual({ seconds: 1, nanos: 0 });
  });

  it("an error's own delay wins over its code's (a rate limit knows when its bucket refills)", () => {
    const error = toRpcError(new DomainError('RATE_LIMITED', 'm', [], { retryAfterMs: 2500 }), SERVICE).error;
    expect(detailsOf(error).retryDelay).toEqual({ seconds: 2, nanos: 500_000_000 });
  });

  it('unavailable token keys are UNAVAILABLE with a RetryInfo', () => {
    const error = toRpcError(new TokenKeysUnavailableError(new Error('jwks down')), SERVICE).error;
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(detailsOf(error)).toMatchObject({ info: { reason: 'TOKEN_KEYS_UNAVAILABLE', domain: SERVICE }, retryDelay: { seconds: 1, nanos: 0 } });
  });

  it('errors not worth retrying as they are carry no RetryInfo', () => {
    for (const code of ['VALIDATION_FAILED', 'GRANT_EXISTS', 'STALE_ETAG'] as const) {
      expect(detailsOf(toRpcError(new DomainError(code, 'm'), SERVICE).error).retryDelay).toBeUndefined();
    }
    expect(detailsOf(toRpcError(new Error('boom'), SERVICE).error)).toMatchObject({ info: { reason: 'INTERNAL', domain: SERVICE }, retryDelay: undefined });
  });
});
