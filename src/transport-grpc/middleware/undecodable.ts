import { rejectUndecodable } from '../undecodable-request';
import type { Middleware } from './pipeline';

/** Refuses, as bad input, a request whose bytes were no valid message (see withTolerantDeserializers). */
export function refuseUndecodable(): Middleware {
  return (call, next) => {
    rejectUndecodable(call.grpc.request);
    return next();
  };
}
