import { status } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { toRpcError } from '../rpc-error';
import type { Middleware } from './pipeline';

/**
 * Turns whatever the steps after it throw into an answer, through the one error table: known
 * errors keep their status, anything else is INTERNAL with a generic message and is logged in full.
 */
export function mapErrors(logger: Logger): Middleware {
  return async (call, next) => {
    try {
      return await next();
    } catch (thrown) {
      const { method, service } = call.rpc;
      // The service's full name is also the ErrorInfo domain of its errors.
      const { error, unexpected } = toRpcError(thrown, service);
      const code = error.code ?? status.INTERNAL;
      if (unexpected) logger.error({ err: thrown, method, requestId: call.requestId }, 'unexpected error in RPC');
      else if (code === status.UNAUTHENTICATED) logger.warn({ method, detail: (thrown as { detail?: string }).detail }, 'call refused: token');
      return { code, error, response: null };
    }
  };
}
