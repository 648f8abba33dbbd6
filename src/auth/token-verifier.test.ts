import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { ENTITLEMENTS_SCOPE } from '../domain/authorization/principal';
import type { JwtAuthSettings } from './settings';
import { principalFromClaims } from './token-claims';
import { AuthError, createTokenVerifier, DEVELOPMENT_PRINCIPAL, TokenKeysUnavailableError, type TokenVerifier } from './token-verifier';

/** A key jose signs with: a KeyObject from jose 5, a CryptoKey from jose 6 (which drops the KeyLike type). */
type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'resident-access';
const CLINIC = 'SE2321000016-1234';
const OTHER = 'SE2321000016-9999';
const MAX_LIFETIME = 3600;
const settings = (extra: Partial<JwtAuthSettings>): JwtAuthSettings => ({
  mode: 'jwt',
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['ES256'],
  tokenTypes: ['at+jwt'],
  maxLifetimeSeconds: MAX_LIFETIME,
  requireCertificateBoundTokens: false,
  ...extra,
});

let privateKey: KeyLike;
let publicKey: KeyLike;
let publicKeyPem: string;
let verifier: TokenVerifier;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  ({ privateKey, publicKey } = pair);
  publicKeyPem = await exportSPKI(publicKey);
  verifier = createTokenVerifier(settings({ publicKeyPem }));
});

const staffClaims = { clinic_roles: { [CLINIC]: ['staff'] } };

/** jose sets the protected header once: a test wanting another key id passes `kid`. */
function sign(claims: JWTPayload = staffClaims, edit: (jwt: SignJWT) => SignJWT = (jwt) => jwt, key: KeyLike | Uint8Array = privateKey, alg = 'ES256', kid = 'key-1') {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).setSubject('staff-1').setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m');
  return edit(jwt).sign(key);
}

/** Expects a rejection with `reason` whose message and detail never echo the token. */
async function expectRejected(header: string | undefined, reason: AuthError['reason'], detail?: RegExp, using = verifier) {
  const error = await using.verify(header).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).reason).toBe(reason);
  if (detail) expect((error as AuthError).detail).toMatch(detail);
  const token = header?.split(' ').pop();
  if (token) {
    expect((error as AuthError).message).not.toContain(token);
    expect((error as AuthError).detail ?? '').not.toContain(token);
    expect(String(error)).not.toContain(token.slice(0, 20));
  }
}

describe('jwt mode with a public key', () => {
  it('turns a valid token into the principal', async () => {
    const token = await sign({ clinic_roles: { [CLINIC]: ['staff', 'admin', 'auditor'], [OTHER]: ['staff'] }, scope: `${ENTITLEMENTS_SCOPE} other` });
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({
      subject: 'staff-1',
      clinicRoles: new Map([
        [CLINIC, ['staff', 'admin']],
        [OTHER, ['staff']],
      ]),
      scopes: [ENTITLEMENTS_SCOPE, 'other'],
    });
  });

  it('no longer honours the flat clinics and roles claims: such a token has no clinic rights', async () => {
    const token = await sign({ clinics: [CLINIC], roles: ['staff', 'admin'] });
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({ subject: 'staff-1', clinicRoles: new Map(), scopes: [] });
  });

  it('answers a token it verified lately without verifying again, but never past its expiry', async () => {
    const token = await sign(staffClaims, (jwt) => jwt.setExpirationTime(Math.floor(Date.now() / 1000) + 10));
    const first = await verifier.verify(`Bearer ${token}`);
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual(first);
    // 45 s on: past exp and the 30 s clock tolerance, though within the cache's one minute.
    jest.useFakeTimers({ now: Date.now() + 45_000, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'] });
    try {
      await expectRejected(`Bearer ${token}`, 'TOKEN_EXPIRED');
    } finally {
      jest.useRealTimers();
    }
  });

  it('accepts the scheme in any case', async () => {
    const token = await sign();
    await expect(verifier.verify(`bearer ${token}`)).resolves.toMatchObject({ subject: 'staff-1' });
  });

  it('accepts a PEM whose newlines arrive as literal \\n', async () => {
    const flattened = createTokenVerifier(settings({ publicKeyPem: publicKeyPem.replace(/\n/g, '\\n') }));
    await expect(flattened.verify(`Bearer ${await sign()}`)).resolves.toMatchObject({ subject: 'staff-1' });
  });

  it.each([undefined, '', '   ', 'Bearer', 'Bearer  '])('rejects a missing token (%p) as TOKEN_MISSING', async (header) => {
    await expectRejected(header, 'TOKEN_MISSING');
  });

  it('rejects another scheme or a bare token as TOKEN_INVALID', async () => {
    const token = await sign();
    await expectRejected(`Basic ${token}`, 'TOKEN_INVALID');
    await expectRejected(token, 'TOKEN_INVALID');
    await expectRejected('Bearer not.a.jwt', 'TOKEN_INVALID');
  });

  it('rejects an expired token as TOKEN_EXPIRED, but allows 30 s of clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(`Bearer ${await sign(staffClaims, (jwt) => jwt.setExpirationTime(now - 60))}`, 'TOKEN_EXPIRED', /EXPIRED/);
    const justExpired = await sign(staffClaims, (jwt) => jwt.setExpirationTime(now - 10));
    await expect(verifier.verify(`Bearer ${justExpired}`)).resolves.toMatchObject({ subject: 'staff-1' });
  });

  it('rejects a token that is not yet valid', async () => {
    await expectRejected(`Bearer ${await sign(staffClaims, (jwt) => jwt.setNotBefore('2m'))}`, 'TOKEN_INVALID', /nbf/);
  });

  it('rejects another issuer or audience', async () => {
    await expectRejected(`Bearer ${await sign(staffClaims, (jwt) => jwt.setIssuer('https://evil.test'))}`, 'TOKEN_INVALID', /iss/);
    await expectRejected(`Bearer ${await sign(staffClaims, (jwt) => jwt.setAudience('another-service'))}`, 'TOKEN_INVALID', /aud/);
  });

  it('rejects tokens without exp or sub', async () => {
    const noExp = await new SignJWT(staffClaims).setProtectedHeader({ alg: 'ES256' }).setSubject('s').setIssuer(ISSUER).setAudience(AUDIENCE).sign(privateKey);
    const noSub = await new SignJWT(staffClaims).setProtectedHeader({ alg: 'ES256' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(privateKey);
    await expectRejected(`Bearer ${noExp}`, 'TOKEN_INVALID', /\(exp\)/);
    await expectRejected(`Bearer ${noSub}`, 'TOKEN_INVALID', /\(sub\)/);
  });

  it('rejects algorithms other than the pinned one, and a foreign signature', async () => {
    const hmac = await sign(staffClaims, undefined, new TextEncoder().encode('a-secret-that-is-long-enough-for-hs256!!'), 'HS256');
    const rsa = await sign(staffClaims, undefined, (await generateKeyPair('RS256')).privateKey, 'RS256');
    const unsigned = new UnsecuredJWT({ ...staffClaims, sub: 'x' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').encode();
    const foreign = await sign(staffClaims, undefined, (await generateKeyPair('ES256')).privateKey);
    for (const token of [hmac, rsa, unsigned]) await expectRejected(`Bearer ${token}`, 'TOKEN_INVALID', /ALG_NOT_ALLOWED/);
    await expectRejected(`Bearer ${foreign}`, 'TOKEN_INVALID', /SIGNATURE_VERIFICATION_FAILED/);
  });

  it.each([
    ['clinic_roles an array', { clinic_roles: [CLINIC] }],
    ['clinic_roles a string', { clinic_roles: CLINIC }],
    ['clinic_roles keyed by something else than HSA-ids', { clinic_roles: { '*': ['staff'] } }],
    ['roles not an array', { clinic_roles: { [CLINIC]: 'admin' } }],
    ['roles not strings', { clinic_roles: { [CLINIC]: ['staff', 1] } }],
    ['scope not a string', { scope: [ENTITLEMENTS_SCOPE] }],
  ])('rejects malformed claims (%s) as TOKEN_INVALID', async (_, claims) => {
    await expectRejected(`Bearer ${await sign(claims)}`, 'TOKEN_INVALID', /malformed claims/);
  });

  it('reports an unusable public key as unavailable keys, not as a bad token', async () => {
    const broken = createTokenVerifier(settings({ publicKeyPem: 'not a pem' }));
    await expect(broken.verify(`Bearer ${await sign()}`)).rejects.toBeInstanceOf(TokenKeysUnavailableError);
  });

  it('refuses settings without exactly one key source or with symmetric algorithms', () => {
    expect(() => createTokenVerifier(settings({}))).toThrow(/exactly one/);
    expect(() => createTokenVerifier(settings({ publicKeyPem, jwksUrl: 'http://127.0.0.1:1/jwks' }))).toThrow(/exactly one/);
    expect(() => createTokenVerifier({ ...settings({ publicKeyPem }), algorithms: [] })).toThrow(/algorithm/);
    expect(() => createTokenVerifier({ ...settings({ publicKeyPem }), algorithms: ['HS256'] })).toThrow(/asymmetric/);
  });
});

describe('jwt mode with a JWKS URL', () => {
  let server: Server;
  let jwksUrl: string;

  beforeAll(async () => {
    const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
    server = createServer((request, response) => {
      response.writeHead(request.url === '/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('verifies a token against the served key set', async () => {
    const remote = createTokenVerifier(settings({ jwksUrl }));
    await expect(remote.verify(`Bearer ${await sign()}`)).resolves.toMatchObject({ subject: 'staff-1', clinicRoles: new Map([[CLINIC, ['staff']]]) });
  });

  it('rejects a token whose key id is not in the set', async () => {
    const remote = createTokenVerifier(settings({ jwksUrl }));
    const unknownKid = await sign(staffClaims, (jwt) => jwt, privateKey, 'ES256', 'key-2');
    await expectRejected(`Bearer ${unknownKid}`, 'TOKEN_INVALID', /NO_MATCHING_KEY/, remote);
  });

  it('reports an unreachable or failing key set as unavailable keys', async () => {
    const token = await sign();
    const failing = createTokenVerifier(settings({ jwksUrl: jwksUrl.replace('jwks.json', 'missing') }));
    await expect(failing.verify(`Bearer ${token}`)).rejects.toBeInstanceOf(TokenKeysUnavailableError);
    const unreachable = createTokenVerifier(settings({ jwksUrl: 'http://127.0.0.1:1/jwks.json' }));
    await expect(unreachable.verify(`Bearer ${token}`)).rejects.toBeInstanceOf(TokenKeysUnavailableError);
  });
});

describe('development mode', () => {
  const development = createTokenVerifier({ mode: 'development' });

  it('needs no token and ignores one that is sent', async () => {
    await expect(development.verify(undefined)).resolves.toEqual({
      subject: 'development',
      clinicRoles: new Map([['*', ['staff', 'admin']]]),
      scopes: [ENTITLEMENTS_SCOPE],
    });
    await expect(development.verify('Bearer garbage')).resolves.toBe(DEVELOPMENT_PRINCIPAL);
  });
});

describe('principalFromClaims', () => {
  const TODAY = '2027-03-01';

  it('reads the e-service token: a scope, no clinics or roles', () => {
    expect(principalFromClaims({ sub: 'eservice', scope: ` ${ENTITLEMENTS_SCOPE}  ` }, TODAY)).toEqual({
      subject: 'eservice',
      clinicRoles: new Map(),
      scopes: [ENTITLEMENTS_SCOPE],
    });
  });

  it('throws AuthError(TOKEN_INVALID) for a missing subject or non-string roles', () => {
    expect(() => principalFromClaims({ clinic_roles: {} }, TODAY)).toThrow(AuthError);
    expect(() => principalFromClaims({ sub: 's', clinic_roles: { [CLINIC]: ['staff', 1] } }, TODAY)).toThrow(expect.objectContaining({ reason: 'TOKEN_INVALID' }));
  });

  it('keeps only clinics with a known role, each with its own roles', () => {
    const principal = principalFromClaims({ sub: 's', clinic_roles: { [CLINIC]: ['staff'], [OTHER]: ['auditor'] } }, TODAY);
    expect(principal.clinicRoles).toEqual(new Map([[CLINIC, ['staff']]]));
  });
});
