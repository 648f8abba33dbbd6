import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { compose, principalOf, type Middleware } from './middleware/pipeline';
import type { GrpcImplementation, UseCaseHandler, UseCaseHandlers } from './use-case-handlers';

/**
 * The grpc-js implementation of one generated service: every use-case handler behind the same
 * middleware. `handlers` must name every RPC of `definition` (checked by the compiler).
 */
export function implement<Definition extends Record<keyof Definition, { readonly path: string }>>(
  definition: Definition,
  handlers: UseCaseHandlers<Definition>,
  middleware: readonly Middleware[],
): GrpcImplementation<Definition> {
  const names = Object.keys(definition) as (keyof Definition & string)[];
  return Object.fromEntries(
    names.map((name) => {
      // Typed per method by UseCaseHandlers; past this point the pipeline carries requests as unknown.
      const handler = handlers[name] as UseCaseHandler<unknown, unknown>;
      // A path is `/<package>.<Service>/<Method>`.
      const [service, method] = definition[name].path.slice(1).split('/') as [string, string];
      const rpc = { service, method };
      const run = compose(middleware, async (call) => {
        const response = await handler(call.grpc.request, { principal: principalOf(call), signal: call.ended.signal });
        return { code: status.OK, error: null, response };
      });
      const onCall = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        void run({ rpc, grpc: call, ended: new AbortController(), principal: null, requestId: undefined }).then((answer) => callback(answer.error, answer.response));
      };
      return [name, onCall];
    }),
  ) as GrpcImplementation<Definition>;
}
