import { status, type handleUnaryCall, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Authenticate, CallContext } from './call-context';
import { toRpcError } from './rpc-error';

export type UnaryHandler<Req, Res> = (request: Req, context: CallContext) => Promise<Res>;

export interface UnaryDeps {
  logger: Logger;
  authenticate: Authenticate;
  /** Told of every finished call (metrics). */
  onFinished?: (method: string, code: string, seconds: number) => void;
  /** Counts calls in flight, so shutdown can wait for them. */
  inFlight: { add(p: Promise<unknown>): void };
}

/**
 * Adapts one use-case handler to grpc-js: one log line per call (method, status, duration,
 * request id; never the request body), and errors mapped through the one error table.
 */
export function unary<Req, Res>(
  method: string,
  handler: UnaryHandler<Req, Res>,
  deps: UnaryDeps,
): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const started = process.hrtime.bigint();
    const requestId = (call.request as { requestId?: string }).requestId || undefined;
    const done = (async () => {
      try {
        const header = call.metadata.get('authorization')[0];
        const context: CallContext = { principal: await deps.authenticate(typeof header === 'string' ? header : undefined) };
        const response = await handler(call.request, context);
        log(deps, method, status.OK, started, requestId);
        callback(null, response);
      } catch (thrown) {
        const { error, unexpected } = toRpcError(thrown);
        const code = error.code ?? status.INTERNAL;
        if (unexpected) deps.logger.error({ err: thrown, method, requestId }, 'unexpected error in RPC');
        else if (code === status.UNAUTHENTICATED) deps.logger.warn({ method, detail: (thrown as { detail?: string }).detail }, 'call refused: token');
        log(deps, method, code, started, requestId);
        callback(error, null);
      }
    })();
    deps.inFlight.add(done);
  };
}

function log(deps: UnaryDeps, method: string, code: status, started: bigint, requestId: string | undefined): void {
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  deps.onFinished?.(method, status[code], durationMs / 1000);
  deps.logger.info({ rpc: { method, status: status[code], durationMs: Math.round(durationMs * 1000) / 1000 }, requestId }, 'rpc');
}
