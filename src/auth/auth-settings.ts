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
  /** AUTH_TOKEN_TYPES: the JWT `typ` header values accepted, e.g. ['at+jwt'] (RFC 9068); `application/` and case are ignored. */
  tokenTypes: string[];
  /** AUTH_MAX_TOKEN_LIFETIME_SECONDS: a token whose `exp` is further than this after its `iat` is refused. */
  maxLifetimeSeconds: number;
  /**
   * AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS: refuse tokens without `cnf` (RFC 8705). A token that has
   * `cnf` must match the caller's client certificate either way.
   */
  requireCertificateBoundTokens: boolean;
  jwksUrl?: string;
  publicKeyPem?: string;
}

export interface DevelopmentAuthSettings {
  mode: 'development';
}
