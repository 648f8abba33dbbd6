import type { ServerUnaryCall, ServiceError, status } from '@grpc/grpc-js';
import type { Principal } from '../../domain/authorization/principal';

/** One RPC: its full service name (`residentaccess.v1.ResidentAccessService`) and method (`ApproveResident`). */
export interface RpcName {
  service: string;
  method: string;
}

/** One call on its way through the middleware; the middleware fill in what they learn. */
export interface RpcCall {
  readonly rpc: RpcName;
  /** The grpc-js call: request, metadata, deadline and its 'cancelled' event. */
  readonly grpc: ServerUnaryCall<unknown, unknown>;
  /** Aborted, with a CallEndedError, when the call ends before it is answered. */
  readonly ended: AbortController;
  /** The verified caller, once authenticated. */
  principal: Principal | null;
  /** The request id fit for logs, once the caller is authenticated and the id is well-formed. */
  requestId: string | undefined;
}

/** How a call is answered: a response (OK) or an error with its google.rpc.Status details. */
export interface Answer {
  code: status;
  error: Partial<ServiceError> | null;
  response: unknown;
}

export type Endpoint = (call: RpcCall) => Promise<Answer>;
/** Does its part of a call around `next`, the rest of the pipeline; may answer without it. */
export type Middleware = (call: RpcCall, next: () => Promise<Answer>) => Promise<Answer>;

/** The first middleware is the outermost: it sees the call first and its answer last. */
export function compose(middleware: readonly Middleware[], endpoint: Endpoint): Endpoint {
  return middleware.reduceRight<Endpoint>((inner, layer) => (call) => layer(call, () => inner(call)), endpoint);
}

/** The caller, for steps that run after authentication. */
export function principalOf(call: RpcCall): Principal {
  if (!call.principal) throw new Error(`${call.rpc.method}: a step needing the caller runs before authentication`);
  return call.principal;
}
