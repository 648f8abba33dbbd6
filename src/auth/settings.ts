import { z } from 'zod';
import { commaSeparated, flag, positiveInt } from '../shared/settings';

const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'] as const;

/** How callers are authenticated; the rules between these and the gRPC port's are checked by src/config. */
export const authEnv = z.object({
  AUTH_MODE: z.enum(['jwt', 'development']).default('jwt').describe('`jwt`, or `development` (no tokens; refused unless `GRPC_HOST` is loopback)'),
  AUTH_ISSUER: z.string().min(1).optional().meta({ description: "the tokens' `iss`", shownDefault: 'required with `jwt`' }),
  AUTH_AUDIENCE: z.string().min(1).default('resident-access').describe("the tokens' `aud`"),
  AUTH_ALGORITHMS: z
    .string()
    .default('ES256')
    .transform(commaSeparated)
    .pipe(z.array(z.enum(ALGORITHMS)).min(1))
    .describe('comma-separated accepted algorithms (asymmetric only)'),
  AUTH_JWKS_URL: z.string().url().optional().meta({
    description: "the identity provider's key set; `https:` (`http:` only on a loopback host)",
    shownDefault: 'this or `AUTH_PUBLIC_KEY` with `jwt`',
  }),
  AUTH_PUBLIC_KEY: z.string().min(1).optional().meta({ description: 'a PEM public key instead of a key set', shownDefault: 'this or `AUTH_JWKS_URL` with `jwt`' }),
  // RFC 9068's access-token type; identity providers that write `JWT` need it added explicitly.
  AUTH_TOKEN_TYPES: z
    .string()
    .default('at+jwt')
    .transform(commaSeparated)
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9.+/-]{1,64}$/, 'must be comma-separated media types such as at+jwt')).min(1))
    .describe(
      'comma-separated JWT `typ` header values accepted (RFC 9068 access tokens; `application/` and case ignored). Add `JWT` for an identity provider that writes it on access tokens (Keycloak, Entra ID); a token without `typ` is refused',
    ),
  // An hour covers the common identity providers' access tokens; 30 days is the longest a local token lives.
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: positiveInt
    .max(30 * 24 * 60 * 60)
    .default(3600)
    .describe(
      "a token whose `exp` is more than this after its `iat` is refused, also while valid (at most 30 days; `npm start` sets 30 days for its local tokens); `iat` is required. Match the identity provider's access-token lifetime (Entra ID's default is 60–90 minutes: `5400`)",
    ),
  AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS: flag.describe(
    "`true` (needs `GRPC_TLS_CLIENT_CA_FILE`): every token must be bound to the caller's client certificate (RFC 8705 `cnf`). A token with `cnf` must match the presented certificate either way",
  ),
});

/**
 * How callers are authenticated.
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

/** Called once src/config has checked that JWT mode has an issuer and exactly one key source. */
export function authSettings(e: z.infer<typeof authEnv>): { auth: AuthSettings } {
  if (e.AUTH_MODE === 'development') return { auth: { mode: 'development' } };
  return {
    auth: {
      mode: 'jwt',
      issuer: e.AUTH_ISSUER!,
      audience: e.AUTH_AUDIENCE,
      algorithms: e.AUTH_ALGORITHMS,
      tokenTypes: e.AUTH_TOKEN_TYPES,
      maxLifetimeSeconds: e.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
      requireCertificateBoundTokens: e.AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS,
      ...(e.AUTH_JWKS_URL ? { jwksUrl: e.AUTH_JWKS_URL } : { publicKeyPem: e.AUTH_PUBLIC_KEY! }),
    },
  };
}

/** Authentication's fixed numbers (not read from the environment). */
export const AUTH_TUNING = {
  /**
   * Bearer tokens: `exp`/`nbf` may be this far off the issuer's clock; verified tokens are remembered
   * (by digest) so repeated calls skip the signature check: this long, this many.
   */
  tokens: { clockToleranceSeconds: 30, verified: { maxAgeMs: 60_000, maxEntries: 10_000 } },
};
