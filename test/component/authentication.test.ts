import { Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { CaseType } from '../../src/gen/residentaccess/v1/clinic';
import { aClinicId, aResident } from '../builders/identity';
import { aGrantCaseTypeRequest, anApproveResidentRequest } from '../builders/requests';
import { errorDetails, failureOf } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { signTestToken, signTokenWithForeignKey, TEST_AUDIENCE, TEST_ISSUER, testAuthEnv, type TestTokenOverrides } from '../support/tokens';

const secret: CaseType = { id: 'secret', name: 'Sensitive matters', restricted: true };
const general: CaseType = { id: 'general', name: 'General question', restricted: false };

/** Swaps a signed token's payload for another, keeping header and signature (a forged token). */
function withPayload(token: string, payload: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
}

describe('authentication', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let resident: string;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
    clinicId = await sut.givenClinic({ caseTypes: [general, secret] });
    resident = aResident();
    await (await sut.staff(clinicId)).approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }));
  });
  afterAll(async () => {
    await sut.stop();
  });

  /** Every token and header text sent in this file: none may ever show up in an answer or a log. */
  const sentSecrets: string[] = [];

  /** One call with exactly this `authorization` metadata (null: none at all). */
  function callWith(client: Client, method: string, request: unknown, authorization: string | null): Promise<unknown> {
    if (authorization !== null) sentSecrets.push(authorization);
    return new Promise((resolve, reject) => {
      const metadata = new Metadata();
      if (authorization !== null) metadata.set('authorization', authorization);
      const fn = (client as unknown as Record<string, (r: unknown, m: Metadata, cb: (e: ServiceError | null, r: unknown) => void) => void>)[method]!;
      fn.call(client, request, metadata, (error, response) => (error ? reject(error) : resolve(response)));
    });
  }

  /** The two RPCs under test: one for staff, one for the resident e-service, each with a caller that should pass. */
  const rpcs = () => [
    {
      name: 'GetResidentAccess (staff)',
      call: (authorization: string | null) => callWith(sut.clients.residentAccess, 'getResidentAccess', { clinicId, personalIdentityNumber: resident }, authorization),
      claims: (): TestTokenOverrides => ({ sub: 'staff-1', clinics: [clinicId], roles: ['staff'] }),
      passes: (response: unknown) => expect(response).toMatchObject({ access: { clinicId, personalIdentityNumber: resident, version: 1 } }),
    },
    {
      name: 'CheckEntitlement (e-service)',
      call: (authorization: string | null) =>
        callWith(sut.clients.entitlements, 'checkEntitlement', { personalIdentityNumber: resident, clinicId, caseTypeId: 'general', consistencyToken: '' }, authorization),
      claims: (): TestTokenOverrides => ({ sub: 'resident-eservice', scope: 'resident-access:entitlements' }),
      passes: (response: unknown) => expect(response).toMatchObject({ allowed: true }),
    },
  ];

  async function expectUnauthenticated(pending: Promise<unknown>, reason: 'TOKEN_MISSING' | 'TOKEN_INVALID' | 'TOKEN_EXPIRED') {
    const error = await failureOf(pending);
    expect({ code: error.code, reason: errorDetails(error).reason }).toEqual({ code: status.UNAUTHENTICATED, reason });
    expect(error.details).toBe({ TOKEN_MISSING: 'missing bearer token', TOKEN_INVALID: 'invalid bearer token', TOKEN_EXPIRED: 'bearer token expired' }[reason]);
    return error;
  }

  describe.each(['GetResidentAccess (staff)', 'CheckEntitlement (e-service)'])('%s', (name) => {
    const rpc = () => rpcs().find((r) => r.name === name)!;
    const token = (overrides: TestTokenOverrides = {}) => signTestToken({ ...rpc().claims(), ...overrides });

    it('a valid token passes (the baseline for the refusals below)', async () => {
      rpc().passes(await rpc().call(`Bearer ${await token()}`));
      rpc().passes(await rpc().call(`bearer ${await token()}`));
      // Within the 30 s of clock skew allowed.
      rpc().passes(await rpc().call(`Bearer ${await token({ expiresIn: -10 })}`));
    });

    it('without a token: UNAUTHENTICATED, TOKEN_MISSING', async () => {
      await expectUnauthenticated(rpc().call(null), 'TOKEN_MISSING');
      await expectUnauthenticated(rpc().call(''), 'TOKEN_MISSING');
      await expectUnauthenticated(rpc().call('Bearer'), 'TOKEN_MISSING');
      await expectUnauthenticated(rpc().call('Bearer   '), 'TOKEN_MISSING');
    });

    it('an expired token: UNAUTHENTICATED, TOKEN_EXPIRED', async () => {
      await expectUnauthenticated(rpc().call(`Bearer ${await token({ expiresIn: -120 })}`), 'TOKEN_EXPIRED');
    });

    it('wrong audience, wrong issuer, a foreign key, a wrong algorithm, not yet valid, forged claims: UNAUTHENTICATED, TOKEN_INVALID', async () => {
      const claims = rpc().claims();
      const publicKeyPem = (await testAuthEnv()).AUTH_PUBLIC_KEY!;
      const valid = await token();
      const invalid = [
        await token({ aud: 'another-service' }),
        await token({ iss: 'https://issuer.example.invalid' }),
        await signTokenWithForeignKey(claims),
        await token({ alg: 'RS256' }),
        await token({ alg: 'ES384' }),
        await token({ alg: 'HS256' }),
        // The classic confusion: HMAC keyed with the service's own public key.
        await new SignJWT({ ...claims })
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
          .setSubject(claims.sub!)
          .setIssuer(TEST_ISSUER)
          .setAudience(TEST_AUDIENCE)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(publicKeyPem)),
        new UnsecuredJWT({ ...claims }).setSubject(claims.sub!).setIssuer(TEST_ISSUER).setAudience(TEST_AUDIENCE).setExpirationTime('5m').encode(),
        await token({ notBefore: 120 }),
        // A signed token whose payload was changed afterwards.
        withPayload(valid, {
          sub: 'intruder',
          clinic_roles: { [aClinicId()]: ['staff', 'admin'] },
          scope: 'resident-access:entitlements',
          iss: TEST_ISSUER,
          aud: TEST_AUDIENCE,
          exp: Math.floor(Date.now() / 1000) + 600,
        }),
        // The development wildcard can never come in a token.
        await token({ clinics: ['*'] }),
      ];
      for (const bad of invalid) await expectUnauthenticated(rpc().call(`Bearer ${bad}`), 'TOKEN_INVALID');
    });

    it('no access token (typ JWT), a lifetime over AUTH_MAX_TOKEN_LIFETIME_SECONDS, bound to a certificate the call lacks: UNAUTHENTICATED, TOKEN_INVALID', async () => {
      const maxLifetime = Number((await testAuthEnv()).AUTH_MAX_TOKEN_LIFETIME_SECONDS);
      const refused = [
        await token({ typ: 'JWT' }),
        // Valid right now, but issued to live longer than allowed.
        await token({ expiresIn: maxLifetime + 60 }),
        // RFC 8705: bound to a client certificate; this plaintext call presents none.
        await token({ claims: { cnf: { 'x5t#S256': 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0' } } }),
      ];
      for (const bad of refused) await expectUnauthenticated(rpc().call(`Bearer ${bad}`), 'TOKEN_INVALID');
      expect(sut.logs.entries.filter((e) => e.msg === 'call refused: token').map((e) => e.detail)).toEqual(
        expect.arrayContaining(['typ header is not an accepted token type', 'lifetime longer than allowed (exp - iat)', 'certificate-bound token without a client certificate (cnf)']),
      );
    });

    it('a malformed authorization header: UNAUTHENTICATED, TOKEN_INVALID', async () => {
      const valid = await token();
      const malformed = [
        valid, // no scheme
        `Basic ${valid}`,
        `Bearer ${valid} ${valid}`,
        `Bearer:${valid}`,
        'Bearer not.a.jwt',
        'Bearer ...',
        `Bearer ${valid.split('.').slice(0, 2).join('.')}.`,
        `Bearer ${valid.slice(0, -4)}`,
      ];
      for (const header of malformed) await expectUnauthenticated(rpc().call(header), 'TOKEN_INVALID');
    });
  });

  it('refused calls are logged with their method and status, and no token text ever reaches an answer or the logs', async () => {
    const expired = await signTestToken({ sub: 'staff-1', clinics: [clinicId], expiresIn: -300 });
    const foreign = await signTokenWithForeignKey({ sub: 'staff-1', clinics: [clinicId] });
    const errors: ServiceError[] = [];
    for (const header of [`Bearer ${expired}`, `Bearer ${foreign}`, `Basic ${foreign}`]) {
      errors.push(await failureOf(callWith(sut.clients.residentAccess, 'getResidentAccess', { clinicId, personalIdentityNumber: resident }, header)));
    }

    const refusals = sut.logs.entries.filter((e) => e.msg === 'call refused: token');
    expect(refusals.length).toBeGreaterThanOrEqual(3);
    expect(refusals.map((e) => e.detail)).toEqual(expect.arrayContaining([expect.stringMatching(/EXPIRED/), expect.stringMatching(/SIGNATURE_VERIFICATION_FAILED/)]));
    const rpcLines = sut.logs.entries.filter((e) => (e.rpc as { status?: string } | undefined)?.status === 'UNAUTHENTICATED');
    expect(rpcLines.length).toBeGreaterThanOrEqual(3);
    expect(rpcLines.every((e) => typeof (e.rpc as { method?: string }).method === 'string')).toBe(true);

    const logs = sut.logs.text();
    const errorTexts = errors.map((e) => `${e.message} ${e.details} ${JSON.stringify(errorDetails(e))}`).join('\n');
    expect(sentSecrets.length).toBeGreaterThan(20);
    for (const sent of sentSecrets) {
      for (const part of sent.replace(/^\S+ /, '').split(/[.\s]/)) {
        if (part.length < 16) continue; // "Bearer", "not", "a", "jwt" and the like are no secret
        expect(logs).not.toContain(part);
        expect(errorTexts).not.toContain(part);
      }
    }
    expect(logs).not.toContain(resident);
  });

  it('a valid token for another clinic and one for an unknown clinic get the identical PERMISSION_DENIED', async () => {
    const otherClinic = await sut.givenClinic();
    const unknownClinic = aClinicId();
    const staffElsewhere = await signTestToken({ sub: 'staff-2', clinics: [otherClinic], roles: ['staff'] });
    const staffOfUnknown = await signTestToken({ sub: 'staff-3', clinics: [unknownClinic], roles: ['staff'] });
    const eserviceToken = await signTestToken({ sub: 'resident-eservice', scope: 'resident-access:entitlements' });
    const noRole = await signTestToken({ sub: 'staff-4', clinics: [clinicId], roles: [] });

    const denied = [
      await failureOf(sut.api(staffElsewhere).getResidentAccess({ clinicId, personalIdentityNumber: resident })),
      await failureOf(sut.api(staffOfUnknown).getResidentAccess({ clinicId: unknownClinic, personalIdentityNumber: resident })),
      await failureOf(sut.api(eserviceToken).getResidentAccess({ clinicId, personalIdentityNumber: resident })),
      await failureOf(sut.api(noRole).getResidentAccess({ clinicId, personalIdentityNumber: resident })),
      await failureOf(sut.api(staffElsewhere).approveResident(anApproveResidentRequest({ clinicId }))),
      await failureOf(sut.api(staffOfUnknown).approveResident(anApproveResidentRequest({ clinicId: unknownClinic }))),
    ];

    const [first] = denied;
    for (const error of denied) {
      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(errorDetails(error).reason).toBe('PERMISSION_DENIED');
      expect(error.details).toBe(first!.details);
      expect(error.metadata.get('grpc-status-details-bin')[0]).toEqual(first!.metadata.get('grpc-status-details-bin')[0]);
      expect(error.details).not.toContain(clinicId);
      expect(error.details).not.toContain(unknownClinic);
    }
    expect(await sut.access.countDocuments({ clinicId: { $in: [otherClinic, unknownClinic] } })).toBe(0);
  });

  it('roles hold per clinic: staff here and admin elsewhere is not admin here', async () => {
    const otherClinic = await sut.givenClinic();
    const mixed = sut.api(await signTestToken({ sub: 'staff-5', clinicRoles: { [clinicId]: ['staff'], [otherClinic]: ['staff', 'admin'] } }));

    const refused = await failureOf(mixed.getClinicSettings({ clinicId }));
    expect({ code: refused.code, reason: errorDetails(refused).reason }).toEqual({ code: status.PERMISSION_DENIED, reason: 'PERMISSION_DENIED' });
    const removeAll = await failureOf(mixed.removeApprovals({ clinicId, allResidents: true, requestId: randomUUID() }));
    expect(removeAll.code).toBe(status.PERMISSION_DENIED);
    await expect(mixed.getClinicSettings({ clinicId: otherClinic })).resolves.toMatchObject({ settings: { clinicId: otherClinic } });
    await expect(mixed.getResidentAccess({ clinicId, personalIdentityNumber: resident })).resolves.toMatchObject({ access: { version: 1 } });
  });

  it('the flat clinics and roles claims of earlier tokens give no rights at all', async () => {
    const legacy = sut.api(await signTestToken({ sub: 'staff-6', claims: { clinics: [clinicId], roles: ['staff', 'admin'] } }));
    const error = await failureOf(legacy.getResidentAccess({ clinicId, personalIdentityNumber: resident }));
    expect(error.code).toBe(status.PERMISSION_DENIED);
  });

  it("every change records the token's sub as its actor: response, database and event", async () => {
    const sub = `nurse-${randomUUID()}`;
    const adminSub = `administrator-${randomUUID()}`;
    const staff = sut.api(await signTestToken({ sub, clinics: [clinicId], roles: ['staff'] }));
    const admin = sut.api(await signTestToken({ sub: adminSub, clinics: [clinicId], roles: ['staff', 'admin'] }));
    const someone = aResident();

    const approved = await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: someone }));
    const granted = await staff.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: someone, caseTypeId: 'secret' }));
    const changed = await staff.changeGrant({ clinicId, personalIdentityNumber: someone, caseTypeId: 'secret', untilDate: '2099-12-31', requestId: randomUUID(), etag: '' });

    expect(approved.access?.approval?.approved?.actor).toBe(sub);
    expect(granted.access?.grants[0]?.granted?.actor).toBe(sub);
    expect(changed.access?.grants[0]?.changed?.actor).toBe(sub);
    const doc = await sut.access.findOne({ _id: `${clinicId}|${someone}` });
    expect(doc?.approval?.actor).toBe(sub);
    expect(doc?.grants[0]?.granted.actor).toBe(sub);
    expect(doc?.grants[0]?.changed?.actor).toBe(sub);

    const withdrawal = randomUUID();
    await admin.putCaseType({ clinicId, caseType: { ...secret, restricted: false }, requestId: withdrawal, etag: '' });

    const residentOf = (e: { value: Record<string, unknown> }) => (e.value.access as { personalIdentityNumber?: string }).personalIdentityNumber;
    const events = await sut.events.waitFor((e) => residentOf(e) === someone && (e.value.access as { clinicId?: string }).clinicId === clinicId, 4);
    expect(events.map((e) => [e.value.cause, e.value.actor])).toEqual([
      ['ACCESS_CHANGE_CAUSE_APPROVED', sub],
      ['ACCESS_CHANGE_CAUSE_GRANTED', sub],
      ['ACCESS_CHANGE_CAUSE_GRANT_CHANGED', sub],
      ['ACCESS_CHANGE_CAUSE_CASE_TYPE_WITHDRAWN', adminSub],
    ]);
    expect(events[3]!.value.requestId).toBe(withdrawal);
  });
});
