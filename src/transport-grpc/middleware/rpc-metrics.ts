import { status } from '@grpc/grpc-js';
import type { Middleware, RpcName } from './pipeline';

export interface RpcObserver {
  started(rpc: RpcName): void;
  /** `code` is the status name (`OK`, `INVALID_ARGUMENT`, ...). */
  finished(rpc: RpcName, code: string, seconds: number): void;
}

/** Tells the observer (metrics) of every call as it starts and when it is answered. */
export function observeEachCall(observer: RpcObserver): Middleware {
  return async (call, next) => {
    const started = process.hrtime.bigint();
    observer.started(call.rpc);
    const answer = await next();
    observer.finished(call.rpc, status[answer.code], Number(process.hrtime.bigint() - started) / 1e9);
    return answer;
  };
}
