import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError } from './token-claims';

const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * The certificate a token is bound to (RFC 8705 `cnf` with `x5t#S256`: the base64url SHA-256 of
 * the certificate's DER), or null for an unbound token. A `cnf` naming only other confirmation
 * methods (e.g. DPoP's `jkt`) cannot be checked here, so such a token is refused rather than taken
 * as a plain bearer token.
 */
export function boundCertificateThumbprint(payload: Record<string, unknown>): string | null {
  const { cnf } = payload;
  if (cnf === undefined) return null;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) throw new AuthError('TOKEN_INVALID', 'malformed claims: cnf must be an object');
  const thumbprint = (cnf as Record<string, unknown>)['x5t#S256'];
  if (typeof thumbprint !== 'string' || !THUMBPRINT.test(thumbprint)) {
    throw new AuthError('TOKEN_INVALID', 'malformed claims: cnf must hold an x5t#S256 certificate thumbprint');
  }
  return thumbprint;
}

export function certificateThumbprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}

/**
 * A bound token is accepted only from a caller presenting that certificate (mTLS); an unbound one
 * only when bound tokens are not required.
 */
export function checkCertificateBinding(bound: string | null, clientCertificate: Uint8Array | undefined, requireBound: boolean): void {
  if (bound === null) {
    if (requireBound) throw new AuthError('TOKEN_INVALID', 'token is not bound to a client certificate (cnf)');
    return;
  }
  if (clientCertificate === undefined) throw new AuthError('TOKEN_INVALID', 'certificate-bound token without a client certificate (cnf)');
  const presented = Buffer.from(certificateThumbprint(clientCertificate));
  if (presented.length !== bound.length || !timingSafeEqual(presented, Buffer.from(bound))) {
    throw new AuthError('TOKEN_INVALID', 'token is bound to another client certificate (cnf)');
  }
}
