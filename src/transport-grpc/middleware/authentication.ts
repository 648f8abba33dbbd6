import type { Authenticate } from '../call-context';
import type { Middleware } from './pipeline';

/**
 * Verifies the `authorization` metadata, with the client certificate the connection presented (a
 * token may be bound to it); the caller it names is who every later step acts for.
 */
export function authenticateCaller(authenticate: Authenticate): Middleware {
  return async (call, next) => {
    const header = call.grpc.metadata.get('authorization')[0];
    // grpc-js gives the certificate only of a TLS connection whose client the CA verified; it parses
    // the certificate on each ask, so it is asked only for a token bound to one.
    const clientCertificate = () => call.grpc.getAuthContext()?.sslPeerCertificate?.raw;
    call.principal = await authenticate(typeof header === 'string' ? header : undefined, clientCertificate);
    return next();
  };
}
