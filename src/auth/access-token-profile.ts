import { AuthError } from './token-claims';

/** What an access token must be beyond a valid signature, issuer and audience (RFC 9068). */
export interface AccessTokenProfile {
  /** Accepted `typ` header values, e.g. ['at+jwt']. */
  tokenTypes: readonly string[];
  /** Longest accepted `exp` - `iat`. */
  maxLifetimeSeconds: number;
  /** How far `iat` may lie in the future (the issuer's clock may run ahead). */
  clockToleranceSeconds: number;
}

/**
 * Refuses (TOKEN_INVALID) a token of another type (an ID token, a logout token, ...) and one that
 * lives longer than the profile allows: `iat` is required, may not lie in the future, and `exp` may
 * be at most `maxLifetimeSeconds` after it, so a leaked token is useful only that long.
 */
export function checkAccessTokenProfile(header: { typ?: unknown }, payload: { iat?: unknown; exp?: unknown }, profile: AccessTokenProfile, nowSeconds: number): void {
  if (typeof header.typ !== 'string' || !profile.tokenTypes.map(mediaType).includes(mediaType(header.typ))) {
    throw new AuthError('TOKEN_INVALID', 'typ header is not an accepted token type');
  }
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new AuthError('TOKEN_INVALID', 'iat is required (iat)');
  if (iat > nowSeconds + profile.clockToleranceSeconds) throw new AuthError('TOKEN_INVALID', 'issued in the future (iat)');
  // exp is a required claim, checked before this.
  if (typeof exp !== 'number' || exp - iat > profile.maxLifetimeSeconds) throw new AuthError('TOKEN_INVALID', 'lifetime longer than allowed (exp - iat)');
}

/** `typ` compares like a media type: case-insensitive, `application/` implied (RFC 7515 4.1.9). */
function mediaType(typ: string): string {
  const lower = typ.trim().toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}
