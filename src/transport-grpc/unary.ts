import { status, type handleUnaryCall, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { requestIdViolation } from '../domain/access/request-id';
import type { Authenticate, CallContext } from './call-context';
import { CallEndedError, deadlineMs } from './call-ended';
import { toRpcError } from './rpc-error';

const MAX_TIMER_MS = 2 ** 31 - 1;
/** How close to its deadline a cancelled call counts as having run out of time. */
const DEADLINE_SLACK_MS = 100;

export type UnaryHandler<Req, Res> = (request: Req, context: CallContext) => Promise<Res>;

/** One RPC: its full service name (`residentaccess.v1.ResidentAccessService`) and method (`ApproveResident`). */
export interface RpcName {
  service: string;
  method: string;
}

export interface RpcObserver {
  started(rpc: RpcName): void;
  /** `code` is the status name (`OK`, `INVALID_ARGUMENT`, ...). */
  finished(rpc: RpcName, code: string, seconds: number): void;
}

export interface UnaryDeps {
  logger: Logger;
  authenticate: Authenticate;
  /** Throws (RATE_LIMITED) when the caller is over its limit for the method. */
  limit?: (method: string, subject: string) => void;
  /** Told of every call as it starts and when it is answered (metrics). */
  observer?: RpcObserver;
  /** Counts calls in flight, so shutdown can wait for them. */
  inFlight: { add(p: Promise<unknown>): void };
}

/**
 * Adapts one use-case handler to grpc-js: one log line per call (method, status, duration, and the
 * request id once the caller is authenticated and the id is well-formed; never the request body),
 * errors mapped through the one error table, per-caller limits, and the call's deadline and
 * cancellation handed to the use case as an AbortSignal. A call that ends early is answered (and
 * logged) at once; its work stops at its next step and is logged again when it has.
 */
export function unary<Req, Res>(rpc: RpcName, handler: UnaryHandler<Req, Res>, deps: UnaryDeps): handleUnaryCall<Req, Res> {
  // The service's full name is also the ErrorInfo domain of its errors.
  const { method, service } = rpc;
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const started = process.hrtime.bigint();
    deps.observer?.started(rpc);
    const ended = new AbortController();
    let requestId: string | undefined;
    let answered = false;
    const answer = (code: status, error: Parameters<sendUnaryData<Res>>[0], response: Res | null) => {
      if (answered) return;
      answered = true;
      clearTimeout(deadlineTimer);
      log(deps, rpc, code, started, requestId);
      callback(error, response);
    };

    const endCall = (code: status.DEADLINE_EXCEEDED | status.CANCELLED) => {
      if (answered || ended.signal.aborted) return;
      const reason = new CallEndedError(code);
      ended.abort(reason);
      answer(code, toRpcError(reason, service).error, null);
    };
    const deadline = deadlineMs(call.getDeadline());
    const untilDeadline = deadline - Date.now();
    // Beyond setTimeout's range (about 24 days) a deadline is as good as none.
    const deadlineTimer = untilDeadline <= MAX_TIMER_MS ? setTimeout(() => endCall(status.DEADLINE_EXCEEDED), Math.max(0, untilDeadline)) : undefined;
    // grpc-js ends a call at its deadline itself, which also reports it cancelled, and a client
    // cancels at its own deadline, which the server sees a transit earlier than its own; timers may
    // also fire a millisecond early. A cancel that close to the deadline is the deadline.
    call.on('cancelled', () => endCall(Date.now() >= deadline - DEADLINE_SLACK_MS ? status.DEADLINE_EXCEEDED : status.CANCELLED));

    const work = (async () => {
      try {
        const header = call.metadata.get('authorization')[0];
        const principal = await deps.authenticate(typeof header === 'string' ? header : undefined);
        requestId = loggableRequestId(call.request);
        deps.limit?.(method, principal.subject);
        ended.signal.throwIfAborted();
        const response = await handler(call.request, { principal, signal: ended.signal });
        answer(status.OK, null, response);
        return status.OK;
      } catch (thrown) {
        const { error, unexpected } = toRpcError(thrown, service);
        const code = error.code ?? status.INTERNAL;
        if (unexpected) deps.logger.error({ err: thrown, method, requestId }, 'unexpected error in RPC');
        else if (code === status.UNAUTHENTICATED) deps.logger.warn({ method, detail: (thrown as { detail?: string }).detail }, 'call refused: token');
        answer(code, error, null);
        return code;
      }
    })();
    deps.inFlight.add(work);
    void work.then((outcome) => {
      // What the work of an ended call did after the caller was answered: stopped (the end's own
      // status), or ran to another outcome because it was past its last check.
      if (ended.signal.aborted) deps.logger.info({ rpc: { method, outcome: status[outcome] }, requestId }, 'work of an ended call finished');
    });
  };
}

/** The request id, only when well-formed: a malformed one may be huge or carry anything. */
function loggableRequestId(request: unknown): string | undefined {
  const raw = (request as { requestId?: unknown } | null)?.requestId;
  return typeof raw === 'string' && raw !== '' && requestIdViolation(raw) === null ? raw : undefined;
}

function log(deps: UnaryDeps, rpc: RpcName, code: status, started: bigint, requestId: string | undefined): void {
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  deps.observer?.finished(rpc, status[code], durationMs / 1000);
  deps.logger.info({ rpc: { method: rpc.method, status: status[code], durationMs: Math.round(durationMs * 1000) / 1000 }, requestId }, 'rpc');
}
