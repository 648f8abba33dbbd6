import { readFileSync } from 'node:fs';
import { credentials, Metadata, type CallOptions, type ChannelCredentials, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { ConnectionOptions } from './connection-options';
import { InputError } from './exit-codes';

const CALL_TIMEOUT_MS = 30_000;

/** A generated client's unary method, bound to its client. */
export type UnaryCall<Req, Res> = (request: Req, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: Res) => void) => ClientUnaryCall;

function readCredentialFile(path: string | undefined, flag: string): Buffer | null {
  if (!path) return null;
  try {
    return readFileSync(path);
  } catch {
    throw new InputError(`cannot read ${flag} ${path}`);
  }
}

/** Plaintext when asked for (loopback only, checked by connectionOptions), else TLS with the given CA and client certificate. */
export function channelCredentials(o: ConnectionOptions): ChannelCredentials {
  if (o.insecure) return credentials.createInsecure();
  return credentials.createSsl(readCredentialFile(o.ca, '--ca'), readCredentialFile(o.key, '--key'), readCredentialFile(o.cert, '--cert'));
}

/** Makes a generated unary method one promise per call, with the bearer token and a deadline. */
export const unaryWithToken =
  (o: ConnectionOptions) =>
  <Req, Res>(method: UnaryCall<Req, Res>) =>
  (request: Req): Promise<Res> => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${o.token}`);
    return new Promise((resolve, reject) =>
      method(request, metadata, { deadline: new Date(Date.now() + CALL_TIMEOUT_MS) }, (error, response) => (error ? reject(error) : resolve(response))),
    );
  };
