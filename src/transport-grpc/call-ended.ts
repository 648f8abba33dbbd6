import { status } from '@grpc/grpc-js';

/** The reason of a call's AbortSignal: its deadline passed, or the client cancelled it. */
export class CallEndedError extends Error {
  constructor(readonly code: status.DEADLINE_EXCEEDED | status.CANCELLED) {
    super(code === status.DEADLINE_EXCEEDED ? 'deadline exceeded' : 'call cancelled');
    this.name = 'CallEndedError';
  }
}

/** grpc-js gives the deadline as a Date or a number of epoch milliseconds (Infinity: none). */
export function deadlineMs(deadline: Date | number): number {
  return deadline instanceof Date ? deadline.getTime() : deadline;
}
