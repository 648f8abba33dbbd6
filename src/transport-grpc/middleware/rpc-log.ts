import { status } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { requestIdViolation } from '../../domain/access/request-id';
import type { Middleware } from './pipeline';

/**
 * One `rpc` line per call as it is answered: method, status, duration and the request id (never
 * the request body). A call that ends early is logged when it is answered, not when its work stops.
 */
export function logEachCall(logger: Logger): Middleware {
  return async (call, next) => {
    const started = process.hrtime.bigint();
    const answer = await next();
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    logger.info({ rpc: { method: call.rpc.method, status: status[answer.code], durationMs: Math.round(durationMs * 1000) / 1000 }, requestId: call.requestId }, 'rpc');
    return answer;
  };
}

/** Notes the request id for the logs, only when well-formed: a malformed one may be huge or carry anything. */
export function noteRequestId(): Middleware {
  return (call, next) => {
    const raw = (call.grpc.request as { requestId?: unknown } | null)?.requestId;
    if (typeof raw === 'string' && raw !== '' && requestIdViolation(raw) === null) call.requestId = raw;
    return next();
  };
}
