import type { CallerLimit } from '../rate-limits';
import { principalOf, type Middleware } from './pipeline';

/** Refuses (RATE_LIMITED) a caller over its limit for the method; `limit` throws when it is. */
export function limitPerCaller(limit: CallerLimit): Middleware {
  return async (call, next) => {
    await limit(call.rpc.method, principalOf(call).subject);
    return next();
  };
}
