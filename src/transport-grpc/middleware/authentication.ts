import type { Authenticate } from '../call-context';
import type { Middleware } from './pipeline';

/** Verifies the `authorization` metadata; the caller it names is who every later step acts for. */
export function authenticateCaller(authenticate: Authenticate): Middleware {
  return async (call, next) => {
    const header = call.grpc.metadata.get('authorization')[0];
    call.principal = await authenticate(typeof header === 'string' ? header : undefined);
    return next();
  };
}
