import type { handleUnaryCall } from '@grpc/grpc-js';
import type { CallContext } from './call-context';

/** One RPC as a use case sees it: the decoded request and the caller in, the response out. */
export type UseCaseHandler<Req, Res> = (request: Req, context: CallContext) => Promise<Res>;

/** A unary method of a generated service definition (ts-proto's `…Service` constant). */
interface UnaryMethod<Req, Res> {
  path: string;
  requestStream: false;
  responseStream: false;
  requestDeserialize(bytes: Buffer): Req;
  responseSerialize(value: Res): Buffer;
}

/**
 * A handler for every RPC of a generated service definition, typed by its messages: a missing or
 * mistyped RPC is a compile error. A streaming RPC maps to `never`, so it cannot be implemented
 * here unnoticed.
 */
export type UseCaseHandlers<Definition> = {
  [Name in keyof Definition]: Definition[Name] extends UnaryMethod<infer Req, infer Res> ? UseCaseHandler<Req, Res> : never;
};

/** What grpc-js calls for the same service: the generated `…Server` interface, less its index signature. */
export type GrpcImplementation<Definition> = {
  [Name in keyof Definition]: Definition[Name] extends UnaryMethod<infer Req, infer Res> ? handleUnaryCall<Req, Res> : never;
};
