import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { MongoClient, type Collection, type Db, type Document } from 'mongodb';
import { ensureIndexes } from '../src/storage-mongo/indexes';
import { closedLoop, type LoadResult } from './load';

/**
 * Baselines measured in the same run as the service: what the storage alone and the gRPC stack
 * alone allow on this machine right now.
 */

export interface RawStorage {
  /** One approval's database operations, for operation number i (a new resident each time). */
  approval(i: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The MongoDB driver alone, performing exactly what one ApproveResident of a new resident does
 * (src/application/change-resident-access.ts with the Mongo adapters):
 *   1. clinics.findOne({_id})                      – the staff member's clinic settings
 *   2. request_ids.insertOne({_id, fingerprint, at}) – the AIP-155 reservation
 *   3. access.findOne({_id}, projection)           – the resident's current access
 *   4. access.insertOne(document with its outbox)  – the change and its event, one write
 *   5. resident_views.updateOne({_id}, {$set: {clinics.<clinic>: entry}}, {upsert: true})
 *                                                  – the least a per-resident view costs: one write
 *                                                    (the service reads the view, then inserts it)
 * Same pool size as the service (32), same indexes, documents shaped like the service's own
 * (`clinic` is the clinic document the service wrote in this run).
 */
export async function openRawStorage(opts: { mongoUri: string; database: string; clinic: Document }): Promise<RawStorage> {
  const mongo = await new MongoClient(opts.mongoUri, { serverSelectionTimeoutMS: 5000, appName: 'bench-raw', maxPoolSize: 32 }).connect();
  const db: Db = mongo.db(opts.database);
  await ensureIndexes(db);
  const clinics: Collection<Document> = db.collection('clinics');
  const requestIds: Collection<Document> = db.collection('request_ids');
  const access: Collection<Document> = db.collection('access');
  const views: Collection<Document> = db.collection('resident_views');
  await clinics.insertOne({ ...opts.clinic });
  const clinicId = String(opts.clinic._id);
  const run = Date.now().toString(36);

  return {
    async approval(i: number) {
      const resident = String(i).padStart(12, '0');
      const requestId = `${run}-req-${i}`;
      const fingerprint = 'f'.repeat(43);
      const id = `${clinicId}|${resident}`;
      const now = new Date();
      const clinic = await clinics.findOne({ _id: clinicId } as Document);
      if (!clinic) throw new Error('clinic missing');
      await requestIds.insertOne({ _id: requestId, fingerprint, at: now } as Document);
      const current = await access.findOne({ _id: id } as Document, { projection: { outbox: 0, relayLease: 0 } });
      if (current) throw new Error('resident already present');
      const approved = { clinicId, resident, approval: { actor: 'bench-staff', at: now, requestId }, grants: [], version: 1 };
      const event = {
        eventId: randomUUID(),
        cause: 'APPROVED',
        access: approved,
        before: { clinicId, resident, approval: null, grants: [], version: 0 },
        version: 1,
        actor: 'bench-staff',
        requestId,
        occurredAt: now,
      };
      await access.insertOne({
        _id: id,
        clinicId,
        resident,
        approval: approved.approval,
        grants: [],
        nextEndsAt: null,
        version: 1,
        revision: 1,
        outbox: [event],
        outboxPending: true,
        outboxSince: now,
        recentRequests: [{ requestId, fingerprint, changed: true, access: approved }],
        relayLease: null,
        updatedAt: now,
      } as Document);
      await views.updateOne({ _id: resident } as Document, { $set: { [`clinics.${clinicId}`]: { approved: true, grants: [], version: 1 } } }, { upsert: true });
    },
    async close() {
      await db.dropDatabase().catch(() => undefined);
      await mongo.close();
    },
  };
}

/** An empty unary handler on grpc-js: the floor any RPC of the service stands on. */
export interface GrpcFloor {
  call(i: number): Promise<void>;
  close(): Promise<void>;
}

const passthrough = {
  path: '/bench.Floor/Ping',
  requestStream: false,
  responseStream: false,
  requestSerialize: (b: Buffer) => b,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
} as const;
const floorService: grpc.ServiceDefinition = { ping: passthrough };

export async function startGrpcFloor(opts: { requestBytes: number; authorization: string }): Promise<GrpcFloor> {
  const server = new grpc.Server();
  const empty = Buffer.alloc(0);
  server.addService(floorService, {
    ping: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, empty),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const Client = grpc.makeGenericClientConstructor(floorService, 'Floor');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const payload = Buffer.alloc(opts.requestBytes, 0x61);
  const ping = (client as unknown as Record<string, (r: Buffer, m: grpc.Metadata, cb: (e: grpc.ServiceError | null) => void) => void>).ping!;
  return {
    call: () =>
      new Promise<void>((resolve, reject) => {
        const metadata = new grpc.Metadata();
        metadata.set('authorization', opts.authorization);
        ping.call(client, payload, metadata, (error) => (error ? reject(error) : resolve()));
      }),
    async close() {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}

export async function measureAt(op: (i: number) => Promise<unknown>, concurrencies: number[], durationMs: number, warmupMs: number): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const concurrency of concurrencies) results.push(await closedLoop(op, { concurrency, durationMs, warmupMs }));
  return results;
}
