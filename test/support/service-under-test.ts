import { randomUUID } from 'node:crypto';
import { MongoClient, type Collection, type Db } from 'mongodb';
import { loadConfig } from '../../src/config/config';
import type { Clock } from '../../src/domain/ports/clock';
import type { CaseType, ServiceArea } from '../../src/gen/residentaccess/v1/clinic';
import { startService, type RunningService } from '../../src/main';
import type { AccessDocument } from '../../src/storage-mongo/access-document';
import { REQUEST_IDS_COLLECTION } from '../../src/storage-mongo/indexes';
import type { RequestIdDocument } from '../../src/storage-mongo/mongo-request-registry';
import { aClinicId } from '../builders/identity';
import { apiOf, connectClients, type Api, type Clients } from './grpc-client';
import { EventConsumer } from './event-consumer';
import { LogCapture } from './log-capture';
import { serviceEnv } from './test-env';
import { residentEserviceClaims, signTestToken, testAuthEnv } from './tokens';

export interface ServiceUnderTest {
  service: RunningService;
  clients: Clients;
  logs: LogCapture;
  events: EventConsumer;
  db: Db;
  access: Collection<AccessDocument>;
  /**
   * The reservation of a request id (null: none), looked up as the registry stores it: per clinic
   * and caller (the token's subject; `staff()` calls as staff-1).
   */
  requestIdRecord(clinicId: string, caller: string, requestId: string): Promise<RequestIdDocument | null>;
  env: Record<string, string>;
  /** Calls with a raw token (null: none). */
  api(token: string | null): Api;
  /** Calls as a staff member of these clinics. */
  staff(...clinicIds: string[]): Promise<Api>;
  /** Calls as an administrator (and staff) of these clinics. */
  admin(...clinicIds: string[]): Promise<Api>;
  /** Calls as the resident-facing e-service (its own token: entitlement queries). */
  eservice(): Promise<Api>;
  /** Calls as the e-service acting for one logged-in resident (an exchanged token; `sub` the resident's subject). */
  eserviceFor(resident: string, sub?: string): Promise<Api>;
  /** A new clinic of this test's own, created through the administrators' API. */
  givenClinic(settings?: { caseTypes?: CaseType[]; serviceArea?: ServiceArea }): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The real service in-process on port 0 with JWT authentication, real gRPC clients, its own
 * database, topic and event consumer.
 */
export async function startServiceUnderTest(
  options: { env?: Record<string, string>; clock?: Clock; /** Where the test's consumer reads (a plaintext listener): the service's brokers by default. */ consumerBrokers?: string } = {},
): Promise<ServiceUnderTest> {
  const env = serviceEnv({ ...(await testAuthEnv()), ...options.env });
  const logs = new LogCapture();
  const events = await new EventConsumer(options.consumerBrokers ?? env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!).start();
  const service = await startService(loadConfig(env), { logDestination: logs, clock: options.clock });
  const clients = connectClients(service.port);
  const mongo = await new MongoClient(env.MONGODB_URI!).connect();
  const db = mongo.db(env.MONGODB_DATABASE);
  const api = (token: string | null) => apiOf(clients, token);
  const staff = async (...clinics: string[]) => api(await signTestToken({ sub: 'staff-1', clinics, roles: ['staff'] }));
  const admin = async (...clinics: string[]) => api(await signTestToken({ sub: 'admin-1', clinics, roles: ['staff', 'admin'] }));
  return {
    service,
    clients,
    logs,
    events,
    db,
    access: db.collection<AccessDocument>('access'),
    requestIdRecord: (clinicId, caller, requestId) => db.collection<RequestIdDocument>(REQUEST_IDS_COLLECTION).findOne({ _id: `${clinicId}|${caller}|${requestId}` }),
    env,
    api,
    staff,
    admin,
    eservice: async () => api(await signTestToken({ sub: 'resident-eservice', scope: 'resident-access:entitlements' })),
    eserviceFor: async (resident, sub) => api(await signTestToken(residentEserviceClaims(resident, sub))),
    async givenClinic(settings = {}) {
      const clinicId = aClinicId();
      const asAdmin = await admin(clinicId);
      const caseTypes = settings.caseTypes ?? [{ id: 'general', name: 'General question', restricted: false }];
      for (const caseType of caseTypes) await asAdmin.putCaseType({ clinicId, caseType, requestId: randomUUID(), etag: '' });
      if (settings.serviceArea) await asAdmin.setServiceArea({ clinicId, serviceArea: settings.serviceArea, requestId: randomUUID(), etag: '' });
      return clinicId;
    },
    async stop() {
      clients.close();
      await service.stop();
      await events.stop();
      await db.dropDatabase();
      await mongo.close();
    },
  };
}

/** The case types most component tests need: one restricted, one not. */
export const RESTRICTED_AND_GENERAL: CaseType[] = [
  { id: 'restricted-1', name: 'Restricted', restricted: true },
  { id: 'general', name: 'General', restricted: false },
];

/** A service under test, a clinic of its own with these case types, and that clinic's staff. */
export async function startWithClinic(
  caseTypes: CaseType[],
  options: { env?: Record<string, string>; clock?: Clock } = {},
): Promise<{ sut: ServiceUnderTest; clinicId: string; staff: Api }> {
  const sut = await startServiceUnderTest(options);
  const clinicId = await sut.givenClinic({ caseTypes });
  return { sut, clinicId, staff: await sut.staff(clinicId) };
}
