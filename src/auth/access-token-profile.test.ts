import { exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { JwtAuthSettings } from './settings';
import { AuthError, createTokenVerifier } from './token-verifier';

/** A key jose signs with: a KeyObject from jose 5, a CryptoKey from jose 6 (which drops the KeyLike type). */
type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'resident-access';
const HOUR = 3600;

let privateKey: KeyLike;
let settings: JwtAuthSettings;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  settings = {
    mode: 'jwt',
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    tokenTypes: ['at+jwt'],
    maxLifetimeSeconds: HOUR,
    requireCertificateBoundTokens: false,
    publicKeyPem: await exportSPKI(pair.publicKey),
  };
});

const now = () => Math.floor(Date.now() / 1000);

/** A valid token of the given type, issued at `iat` and expiring at `exp` (seconds since the epoch; null leaves iat out). */
function sign(options: { typ?: string | null; iat?: number | null; exp?: number; claims?: JWTPayload } = {}): Promise<string> {
  const { typ = 'at+jwt', iat = now(), exp = now() + 300, claims = {} } = options;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', ...(typ === null ? {} : { typ }) })
    .setSubject('caller-1')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(exp);
  if (iat !== null) jwt.setIssuedAt(iat);
  return jwt.sign(privateKey);
}

async function refusal(token: string, using = settings): Promise<AuthError> {
  const error = await createTokenVerifier(using)
    .verify(`Bearer ${token}`)
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

const accepted = async (token: string, using = settings) => expect(await createTokenVerifier(using).verify(`Bearer ${token}`)).toMatchObject({ subject: 'caller-1' });

describe('the token type (typ header, RFC 9068)', () => {
  it('accepts at+jwt, also written as a full media type and in any case', async () => {
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT']) await accepted(await sign({ typ }));
  });

  it('refuses JWT, other types and a missing typ unless configured (an ID or logout token is no access token)', async () => {
    for (const typ of ['JWT', 'logout+jwt', 'dpop+jwt', null]) {
      const error = await refusal(await sign({ typ }));
      expect({ reason: error.reason, detail: error.detail }).toEqual({ reason: 'TOKEN_INVALID', detail: 'typ header is not an accepted token type' });
    }
  });

  it('accepts JWT where AUTH_TOKEN_TYPES lists it', async () => {
    await accepted(await sign({ typ: 'JWT' }), { ...settings, tokenTypes: ['at+jwt', 'JWT'] });
    await accepted(await sign({ typ: 'at+jwt' }), { ...settings, tokenTypes: ['at+jwt', 'JWT'] });
  });
});

describe('the token lifetime (exp - iat)', () => {
  it('accepts a token living exactly the maximum', async () => {
    await accepted(await sign({ iat: now(), exp: now() + HOUR }));
  });

  it('refuses a token living a second longer than the maximum, though it is valid now', async () => {
    const error = await refusal(await sign({ iat: now(), exp: now() + HOUR + 1 }));
    expect({ reason: error.reason, detail: error.detail }).toEqual({ reason: 'TOKEN_INVALID', detail: 'lifetime longer than allowed (exp - iat)' });
    // Issued long ago and expiring soon: still too long a life.
    expect((await refusal(await sign({ iat: now() - 2 * HOUR, exp: now() + 60 }))).detail).toMatch(/lifetime/);
  });

  it('refuses a token without iat, and one issued in the future beyond the clock tolerance', async () => {
    expect((await refusal(await sign({ iat: null }))).detail).toBe('iat is required (iat)');
    expect((await refusal(await sign({ iat: now() + 120, exp: now() + 600 }))).detail).toBe('issued in the future (iat)');
    await accepted(await sign({ iat: now() + 10, exp: now() + 600 }));
  });

  it('honours nbf: a token not valid yet is refused even within its lifetime', async () => {
    const error = await refusal(await sign({ claims: { nbf: now() + 120 }, exp: now() + 600 }));
    expect(error.detail).toMatch(/\(nbf\)/);
  });
});
