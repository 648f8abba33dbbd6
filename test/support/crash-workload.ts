import { MongoClient, type Collection, type Db } from 'mongodb';
import type { AccessDocument } from '../../src/storage-mongo/access-document';
import { aClinicId, aResident } from '../builders/identity';
import type { History } from './accounting';
import { EventConsumer } from './event-consumer';
import type { apiOf } from './grpc-client';
import { serviceEnv } from './test-env';
import { signTestToken, testAuthEnv } from './tokens';

export interface CrashTestServers {
  /** The service's environment, with a short relay lease so a later instance soon takes over a dead one's. */
  env: Record<string, string>;
  /** Reads the access topic from the start (and creates it, with 3 partitions, before any instance publishes). */
  events: EventConsumer;
  mongo: MongoClient;
  db: Db;
  access: Collection<AccessDocument>;
  clinicId: string;
  /** Staff and administrator of `clinicId`. */
  token: string;
}

/** What the tests that kill a service instance under load share; `stop()` ends the consumer and the client. */
export async function crashTestServers(): Promise<CrashTestServers & { stop(): Promise<void> }> {
  const env = serviceEnv({ ...(await testAuthEnv()), RELAY_LEASE_MS: '2000', RELAY_POLL_INTERVAL_MS: '300' });
  const events = await new EventConsumer(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!).start();
  const mongo = await new MongoClient(env.MONGODB_URI!).connect();
  const db = mongo.db(env.MONGODB_DATABASE);
  const clinicId = aClinicId();
  const token = await signTestToken({ clinics: [clinicId], roles: ['staff', 'admin'] });
  const stop = async () => {
    await events.stop();
    await mongo.close();
  };
  return { env, events, mongo, db, access: db.collection<AccessDocument>('access'), clinicId, token, stop };
}

/**
 * `workers` loops, each taking a new resident and approving, removing and approving again
 * (versions 1, 2, 3 on one key), then the next; each request sent once and recorded in `history`.
 * A loop ends when a call gets no answer (the connection died with the service) or once
 * `running()` is false; a refused call ends that resident, whose next step would not mean the same.
 */
export function approvalCycles(api: ReturnType<typeof apiOf>, clinicId: string, history: History, workers: number, running: () => boolean = () => true): Promise<void> {
  const loop = async () => {
    while (running()) {
      const resident = aResident();
      for (const method of ['approveResident', 'removeApproval', 'approveResident'] as const) {
        const request = { clinicId, personalIdentityNumber: resident, requestId: crypto.randomUUID(), etag: '' };
        const outcome = await history.run(
          request.requestId,
          () => api[method](request),
          (r) => r.changed,
        );
        if (outcome.kind === 'indeterminate') return;
        if (outcome.kind !== 'ok') break;
      }
    }
  };
  return Promise.all(Array.from({ length: workers }, loop)).then(() => undefined);
}
