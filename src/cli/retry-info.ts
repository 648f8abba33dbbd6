import type { ServiceError } from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import { RetryInfo } from '../gen/google/rpc/error_details';
import { Status } from '../gen/google/rpc/status';

/** The wait the service asks for before a retry (AIP-194 RetryInfo), in ms; null when the error is not one to retry as it is. */
export function retryDelayMs(error: unknown): number | null {
  const metadata = (error as Partial<ServiceError> | null)?.metadata;
  const raw = typeof metadata?.get === 'function' ? metadata.get('grpc-status-details-bin')[0] : undefined;
  if (!(raw instanceof Buffer)) return null;
  try {
    const detail = Status.decode(raw).details.find((d) => d.typeUrl.endsWith('google.rpc.RetryInfo'));
    const delay = detail ? RetryInfo.decode(detail.value).retryDelay : undefined;
    return delay ? Math.max(0, delay.seconds * 1000 + Math.ceil(delay.nanos / 1e6)) : null;
  } catch {
    return null;
  }
}

/**
 * Runs `call`, and again after the delay the service names while its errors carry a RetryInfo (a
 * rate limit, storage briefly unavailable), at most `attempts` times in all. Only for reads: a
 * retried read changes nothing (a listing page read twice is logged twice).
 */
export async function withRetries<T>(call: () => Promise<T>, attempts: number, wait: (ms: number) => Promise<unknown> = sleep): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const delay = retryDelayMs(error);
      if (delay === null || attempt >= attempts) throw error;
      await wait(delay);
    }
  }
}
