import { status } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { runWithDeadline } from '../../shared/deadline-scope';
import { CallEndedError, deadlineMs } from '../call-ended';
import { toRpcError } from '../rpc-error';
import type { Answer, Middleware } from './pipeline';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Counts calls in flight, so shutdown can wait for them. */
export interface InFlight {
  add(work: Promise<unknown>): void;
}

/**
 * Ends a call at its deadline or when the client cancels it: aborts the call's signal (which the
 * use case gets) and answers at once. Its work stops at its next step and is logged again when it has.
 * The work runs in the call's deadline scope, so each database operation it sends carries a
 * server-side time limit from the deadline (src/storage-mongo/call-time-limit.ts).
 */
export function endAtDeadlineOrCancel(inFlight: InFlight, logger: Logger, deadlineSlackMs: number): Middleware {
  return (call, next) => {
    const { ended, rpc } = call;
    let answered = false;
    let answerEnded!: (answer: Answer) => void;
    const endedEarly = new Promise<Answer>((resolve) => (answerEnded = resolve));
    const endCall = (code: status.DEADLINE_EXCEEDED | status.CANCELLED) => {
      if (answered || ended.signal.aborted) return;
      const reason = new CallEndedError(code);
      ended.abort(reason);
      const { error } = toRpcError(reason, rpc.service);
      answerEnded({ code, error, response: null });
    };

    const deadline = deadlineMs(call.grpc.getDeadline());
    const untilDeadline = deadline - Date.now();
    // Beyond setTimeout's range (about 24 days) a deadline is as good as none.
    const deadlineTimer = untilDeadline <= MAX_TIMER_MS ? setTimeout(() => endCall(status.DEADLINE_EXCEEDED), Math.max(0, untilDeadline)) : undefined;
    // grpc-js ends a call at its deadline itself, which also reports it cancelled, and a client
    // cancels at its own deadline, which the server sees a transit earlier than its own; timers may
    // also fire a millisecond early. A cancel within deadlineSlackMs of the deadline is the deadline.
    call.grpc.on('cancelled', () => endCall(Date.now() >= deadline - deadlineSlackMs ? status.DEADLINE_EXCEEDED : status.CANCELLED));

    const work = runWithDeadline(deadline, next);
    inFlight.add(work);
    void work.then((outcome) => {
      // What the work of an ended call did after the caller was answered: stopped (the end's own
      // status), or ran to another outcome because it was past its last check.
      if (ended.signal.aborted) logger.info({ rpc: { method: rpc.method, outcome: status[outcome.code] }, requestId: call.requestId }, 'work of an ended call finished');
    });
    return Promise.race([work, endedEarly]).finally(() => {
      answered = true;
      clearTimeout(deadlineTimer);
    });
  };
}

/** Starts no use case for a call that has already ended (during authentication, say). */
export function stopIfEnded(): Middleware {
  return (call, next) => {
    call.ended.signal.throwIfAborted();
    return next();
  };
}
