import type { MethodDefinition } from '@grpc/grpc-js';
import { DomainError } from '../domain/errors/domain-error';

/**
 * What a request becomes when its bytes are no valid message. grpc-js answers INTERNAL when a
 * deserializer throws; this lets the call go on to authentication and then fail as bad input.
 */
export class UndecodableRequest {
  constructor(readonly messageName: string) {}
}

type Methods = Record<string, MethodDefinition<unknown, unknown>>;

/** The same service definition, but its request deserializers never throw. */
export function withTolerantDeserializers<D extends object>(definition: D): D {
  return Object.fromEntries(
    Object.entries(definition as Methods).map(([name, method]) => {
      // buf's STANDARD lint names every request message <Method>Request.
      const messageName = `${method.path.split('/').pop()!}Request`;
      const requestDeserialize = (bytes: Buffer): unknown => {
        try {
          return method.requestDeserialize(bytes);
        } catch {
          return new UndecodableRequest(messageName);
        }
      };
      return [name, { ...method, requestDeserialize }];
    }),
  ) as D;
}

/** Throws INVALID_ARGUMENT's domain error for a request that could not be decoded. */
export function rejectUndecodable(request: unknown): void {
  if (request instanceof UndecodableRequest) {
    throw new DomainError('VALIDATION_FAILED', `request is not a valid ${request.messageName}`);
  }
}
