import { principalOf, type Middleware } from './pipeline';

/** Refuses (RATE_LIMITED) a caller over its limit for the method; `limit` throws when it is. */
export function limitPerCaller(limit: (method: string, subject: string) => void): Middleware {
  return (call, next) => {
    limit(call.rpc.method, principalOf(call).subject);
    return next();
  };
}
