/**
 * How callers are authenticated (parsed from AUTH_* variables by the config).
 *
 * - `jwt`: every call needs `authorization: Bearer <JWT>`, checked against exactly one key source:
 *   `jwksUrl` (AUTH_JWKS_URL, the identity provider's key set) or `publicKeyPem` (AUTH_PUBLIC_KEY,
 *   one SPKI PEM public key).
 * - `development`: no token is needed and every caller may do everything. Local use only.
 */
export type AuthSettings = JwtAuthSettings | DevelopmentAuthSettings;

export interface JwtAuthSettings {
  mode: 'jwt';
  /** AUTH_ISSUER: the `iss` every token must carry. */
  issuer: string;
  /** AUTH_AUDIENCE: the `aud` every token must carry. */
  audience: string;
  /** AUTH_ALGORITHMS: the signature algorithms accepted, e.g. ['ES256']. */
  algorithms: string[];
  jwksUrl?: string;
  publicKeyPem?: string;
}

export interface DevelopmentAuthSettings {
  mode: 'development';
}
