import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { Sex, type CaseType } from '../../src/gen/residentaccess/v1/clinic';
import { EntitlementReason } from '../../src/gen/residentaccess/v1/entitlement_service';
import { aClinicId, aResident } from '../builders/identity';
import { aGrantCaseTypeRequest } from '../builders/requests';
import { apiOf, type Api } from '../support/grpc-client';
import { startInstance, type ServiceInstance } from '../support/service-instance';
import { serviceEnv } from '../support/test-env';
import { signTestToken, testAuthEnv } from '../support/tokens';
import { registerResidents } from '../support/population-register';
import { eventually } from '../support/eventually';

const { ENTITLEMENT_REASON_GRANT: GRANT, ENTITLEMENT_REASON_SERVICE_AREA: SERVICE_AREA } = EntitlementReason;
const NOT_ALLOWED = { allowed: false, reason: EntitlementReason.ENTITLEMENT_REASON_UNSPECIFIED, untilDate: '' };
const GENERAL: CaseType = { id: 'general', name: 'General question', restricted: false };
const SECRET: CaseType = { id: 'secret', name: 'Sensitive matters', restricted: true };
/** Generous: the other instance reloads within its refresh interval (200 ms here) plus one reload. */
const RELOADED_WITHIN_MS = 15_000;

/**
 * Instances on one database: `writer` takes the settings commands, `follower` checks for settings
 * changes every 200 ms, `frozen` only every 10 minutes (so only a consistency token brings it a change).
 */
describe('clinic settings changed on one instance, read on another', () => {
  let env: Record<string, string>;
  let mongo: MongoClient;
  const instances: ServiceInstance[] = [];
  let writer: ServiceInstance;
  let follower: ServiceInstance;
  let frozen: ServiceInstance;
  beforeAll(async () => {
    env = serviceEnv({ ...(await testAuthEnv()), SETTINGS_REFRESH_INTERVAL_MS: '200' });
    const eserviceToken = await signTestToken({ sub: 'resident-eservice', scope: 'resident-access:entitlements' });
    const start = async (refreshMs: string) => {
      const instance = await startInstance({ ...env, SETTINGS_REFRESH_INTERVAL_MS: refreshMs }, eserviceToken);
      instances.push(instance);
      return instance;
    };
    writer = await start('200');
    follower = await start('200');
    frozen = await start('600000');
    mongo = await new MongoClient(env.MONGODB_URI!).connect();
  });
  afterAll(async () => {
    for (const instance of instances) await instance.stop();
    await mongo?.db(env.MONGODB_DATABASE).dropDatabase();
    await mongo?.close();
  });

  /** A new clinic made on the writer, and its administrator there. */
  const givenClinic = async (caseTypes: CaseType[]): Promise<{ clinicId: string; admin: Api }> => {
    const clinicId = aClinicId();
    const admin = apiOf(writer.clients, await signTestToken({ sub: 'admin-1', clinics: [clinicId], roles: ['staff', 'admin'] }));
    for (const caseType of caseTypes) await admin.putCaseType({ clinicId, caseType, requestId: randomUUID(), etag: '' });
    return { clinicId, admin };
  };
  const registered = async (regionCode: string) => {
    const resident = aResident();
    await registerResidents(env, mongo.db(env.MONGODB_DATABASE), [{ personalIdentityNumber: resident, regionCode, municipalityCode: `${regionCode}80` }]);
    return resident;
  };
  const area = (regionCode: string) => ({ regionCode, municipalityCodes: [], sex: Sex.SEX_UNSPECIFIED, minAge: 0, maxAge: 0 });
  const checkOn = (instance: ServiceInstance, personalIdentityNumber: string, clinicId: string, caseTypeId: string, consistencyToken = '') =>
    instance.api.checkEntitlement({ personalIdentityNumber, clinicId, caseTypeId, consistencyToken });
  const listOn = async (instance: ServiceInstance, personalIdentityNumber: string, consistencyToken = '') =>
    (await instance.api.listEntitlements({ personalIdentityNumber, consistencyToken })).clinics;

  it('a restricted case type added and granted on one instance becomes usable through the other', async () => {
    const { clinicId, admin } = await givenClinic([GENERAL]);
    const resident = aResident();
    await admin.putCaseType({ clinicId, caseType: SECRET, requestId: randomUUID(), etag: '' });
    await admin.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident, caseTypeId: 'secret' }));
    const granted = { allowed: true, reason: GRANT, untilDate: '' };
    await expect(checkOn(writer, resident, clinicId, 'secret')).resolves.toEqual(granted);

    await eventually(async () => (await checkOn(follower, resident, clinicId, 'secret')).allowed, { what: 'the other instance to allow the new case type', timeoutMs: RELOADED_WITHIN_MS });
    await expect(checkOn(follower, resident, clinicId, 'secret')).resolves.toEqual(granted);
    await expect(listOn(follower, resident)).resolves.toEqual([{ clinicId, caseTypes: [{ caseTypeId: 'secret', name: SECRET.name, reason: GRANT, untilDate: '' }] }]);
  });

  it('a service area set on one instance opens the clinic to its residents through the other, and clearing it closes it again', async () => {
    const { clinicId, admin } = await givenClinic([GENERAL]);
    const resident = await registered('13');
    await expect(checkOn(follower, resident, clinicId, 'general')).resolves.toEqual(NOT_ALLOWED);

    await admin.setServiceArea({ clinicId, serviceArea: area('13'), requestId: randomUUID(), etag: '' });
    await eventually(async () => (await listOn(follower, resident)).length > 0, { what: 'the other instance to list the clinic by its service area', timeoutMs: RELOADED_WITHIN_MS });
    await expect(listOn(follower, resident)).resolves.toEqual([{ clinicId, caseTypes: [{ caseTypeId: 'general', name: GENERAL.name, reason: SERVICE_AREA, untilDate: '' }] }]);
    await expect(checkOn(follower, resident, clinicId, 'general')).resolves.toEqual({ allowed: true, reason: SERVICE_AREA, untilDate: '' });

    await admin.clearServiceArea({ clinicId, requestId: randomUUID(), etag: '' });
    await eventually(async () => !(await checkOn(follower, resident, clinicId, 'general')).allowed, { what: 'the other instance to drop the cleared area', timeoutMs: RELOADED_WITHIN_MS });
    await expect(listOn(follower, resident)).resolves.toEqual([]);
  });

  it('an instance that has not reloaded yet answers from the change when given its settings token', async () => {
    const { clinicId, admin } = await givenClinic([GENERAL]);
    const resident = await registered('14');
    const put = await admin.putCaseType({ clinicId, caseType: SECRET, requestId: randomUUID(), etag: '' });
    await admin.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident, caseTypeId: 'secret' }));
    // The frozen instance has never heard of this clinic.
    await expect(checkOn(frozen, resident, clinicId, 'secret')).resolves.toEqual(NOT_ALLOWED);
    await expect(checkOn(frozen, resident, clinicId, 'secret', put.consistencyToken)).resolves.toEqual({ allowed: true, reason: GRANT, untilDate: '' });

    const set = await admin.setServiceArea({ clinicId, serviceArea: area('14'), requestId: randomUUID(), etag: '' });
    await expect(listOn(frozen, resident, set.consistencyToken)).resolves.toEqual([
      {
        clinicId,
        caseTypes: [
          { caseTypeId: 'general', name: GENERAL.name, reason: SERVICE_AREA, untilDate: '' },
          { caseTypeId: 'secret', name: SECRET.name, reason: GRANT, untilDate: '' },
        ],
      },
    ]);
  });

  it('an instance that has not reloaded yet honours the access token of a grant of a case type it has not seen', async () => {
    const { clinicId, admin } = await givenClinic([GENERAL]);
    const resident = aResident();
    await admin.putCaseType({ clinicId, caseType: SECRET, requestId: randomUUID(), etag: '' });
    const granted = await admin.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident, caseTypeId: 'secret' }));

    // The token promises an answer that reflects the grant; the grant exists only with the case type it grants.
    await expect(checkOn(frozen, resident, clinicId, 'secret', granted.consistencyToken)).resolves.toEqual({ allowed: true, reason: GRANT, untilDate: '' });
    await expect(listOn(frozen, resident, granted.consistencyToken)).resolves.toEqual([{ clinicId, caseTypes: [{ caseTypeId: 'secret', name: SECRET.name, reason: GRANT, untilDate: '' }] }]);
  });
});
