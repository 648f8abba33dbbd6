import { Metadata, status } from '@grpc/grpc-js';
import { RetryInfo } from '../gen/google/rpc/error_details';
import { Status } from '../gen/google/rpc/status';
import { retryDelayMs, withRetries } from './retry-info';

/** An error as grpc-js gives it, with the service's google.rpc.Status (and a RetryInfo when `retryAfterMs` is given). */
function serviceError(code: status, retryAfterMs?: number) {
  const metadata = new Metadata();
  const details =
    retryAfterMs === undefined
      ? []
      : [
          {
            typeUrl: 'type.googleapis.com/google.rpc.RetryInfo',
            value: Buffer.from(RetryInfo.encode({ retryDelay: { seconds: Math.floor(retryAfterMs / 1000), nanos: (retryAfterMs % 1000) * 1e6 } }).finish()),
          },
        ];
  metadata.set('grpc-status-details-bin', Buffer.from(Status.encode({ code, message: 'x', details }).finish()));
  return Object.assign(new Error(`${code}: x`), { code, details: 'x', metadata });
}

describe('retrying what the service says to retry (AIP-194)', () => {
  it('reads the RetryInfo delay in milliseconds; none without one', () => {
    expect(retryDelayMs(serviceError(status.RESOURCE_EXHAUSTED, 1250))).toBe(1250);
    expect(retryDelayMs(serviceError(status.PERMISSION_DENIED))).toBeNull();
    expect(retryDelayMs(new Error('connection refused'))).toBeNull();
    expect(retryDelayMs(undefined)).toBeNull();
  });

  it('waits the delay the service names, then calls again', async () => {
    const waits: number[] = [];
    const answers = [serviceError(status.RESOURCE_EXHAUSTED, 500), serviceError(status.UNAVAILABLE, 1000), 'page'];
    let calls = 0;
    const result = await withRetries(
      async () => {
        const answer = answers[calls++];
        if (answer instanceof Error) throw answer;
        return answer;
      },
      10,
      async (ms) => waits.push(ms),
    );
    expect(result).toBe('page');
    expect(waits).toEqual([500, 1000]);
  });

  it('gives up after the attempts allowed, and at once on an error without RetryInfo', async () => {
    const limited = serviceError(status.RESOURCE_EXHAUSTED, 10);
    let calls = 0;
    await expect(
      withRetries(
        () => (calls++, Promise.reject(limited)),
        3,
        async () => undefined,
      ),
    ).rejects.toBe(limited);
    expect(calls).toBe(3);

    const denied = serviceError(status.PERMISSION_DENIED);
    calls = 0;
    await expect(
      withRetries(
        () => (calls++, Promise.reject(denied)),
        3,
        async () => undefined,
      ),
    ).rejects.toBe(denied);
    expect(calls).toBe(1);
  });
});
