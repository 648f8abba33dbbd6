import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { MongoClient, type Collection, type Db, type Document } from 'mongodb';
import { configSchema } from '../src/config/config';
import { ensureIndexes } from '../src/storage-mongo/indexes';
import { closedLoop, type LoadResult } from './load';

/**
 * Baselines measured in the same run as the service: what the storage alone and the gRPC stack
 * alone allow on this machine right now.
 */

/** The service's defaults, which the bench's service processes run with: how long a request id is kept, and the relay's lease. */
const RETENTION_MS = configSchema.shape.REQUEST_ID_RETENTION_DAYS.parse(undefined) * 86_400_000;
const LEASE_MS = configSchema.shape.RELAY_LEASE_MS.parse(undefined);

export interface RawStorage {
  /** One approval's database operations, for operation number i (a new resident each time). */
  approval(i: number): Promise<void>;
  close(): Promise<void>;
}

/** The documents one ApproveResident of a new resident made, as the service stored them. */
export interface ServiceApproval {
  access: Document;
  view: Document;
  requestId: Document;
}

/**
 * Reads what the service stored for one approval made through the API: the access document, the
 * resident's view and the request id's reservation. The raw baseline checks its own documents
 * against these (openRawStorage), so that it keeps storing what the service stores per change.
 */
export async function readServiceApproval(db: Db, approval: { clinicId: string; resident: string; caller: string; requestId: string }): Promise<ServiceApproval> {
  const { clinicId, resident, caller, requestId } = approval;
  const [access, view, reservation] = await Promise.all([
    db.collection('access').findOne({ _id: `${clinicId}|${resident}` } as Document),
    db.collection('resident_views').findOne({ _id: resident } as Document),
    db.collection('request_ids').findOne({ _id: `${clinicId}|${caller}|${requestId}` } as Document),
  ]);
  const missing = [!access && 'access', !view && 'resident_views', !reservation && 'request_ids'].filter(Boolean);
  if (missing.length > 0) throw new Error(`after one ApproveResident, no document in ${missing.join(', ')} where the raw baseline writes one: update bench/baselines.ts`);
  return { access: access!, view: view!, requestId: reservation! };
}

const keysOf = (doc: Document | null | undefined, ignore: readonly string[] = []): string =>
  Object.keys(doc ?? {})
    .filter((k) => !ignore.includes(k))
    .sort()
    .join(', ');

/** Fails unless the raw baseline's document has the fields the service's has (one level, and the nested ones named). */
function requireSameFields(what: string, service: Document | null | undefined, raw: Document | null | undefined, ignore: readonly string[] = []): void {
  const [s, r] = [keysOf(service, ignore), keysOf(raw, ignore)];
  if (s !== r) throw new Error(`the raw approval baseline no longer stores what the service does (${what}: service {${s}}, raw {${r}}): update bench/baselines.ts`);
}

/**
 * The MongoDB driver alone, performing what one ApproveResident of a new resident does
 * (src/application/change-resident-access.ts with the Mongo adapters), on any server alike:
 *   1. clinics.findOne({_id})                      – the staff member's clinic settings
 *   2. request_ids.insertOne({_id, fingerprint, at, expiresAt}) – the AIP-155 reservation
 *   3. access.findOne({_id}, projection)           – the resident's current access
 *   4. access.insertOne(document with its outbox)  – the change and its event, one write, with the
 *                                                    relay's lease and the request's outcome
 *   5. resident_views.updateOne(upsert)           – the resident's view entry, set where the stored
 *                                                    one is older or absent, with no read first
 * A change of an existing resident is one conditional `updateOne({_id, revision})` in the service
 * on every server; a new resident's is an insert, as here. Same pool size as the service (the driver's 100), same
 * indexes, and documents with the fields the service's have: `service` is what one approval
 * through the API stored in this run, checked against the baseline's own first approval before
 * anything is measured. `clinic` is the clinic document the service wrote in this run.
 */
export async function openRawStorage(opts: { mongoUri: string; database: string; clinic: Document; service: ServiceApproval }): Promise<RawStorage> {
  const mongo = await new MongoClient(opts.mongoUri, { serverSelectionTimeoutMS: 5000, appName: 'bench-raw' }).connect();
  const db: Db = mongo.db(opts.database);
  await ensureIndexes(db);
  const clinics: Collection<Document> = db.collection('clinics');
  const requestIds: Collection<Document> = db.collection('request_ids');
  const access: Collection<Document> = db.collection('access');
  const views: Collection<Document> = db.collection('resident_views');
  await clinics.insertOne({ ...opts.clinic });
  const clinicId = String(opts.clinic._id);
  const run = Date.now().toString(36);
  const caller = 'bench-staff';
  const owner = `bench-raw-${run}`;

  const approval = async (i: number) => {
    const resident = String(i).padStart(12, '0');
    const requestId = `${run}-req-${i}`;
    const fingerprint = 'f'.repeat(43);
    const id = `${clinicId}|${resident}`;
    const now = new Date();
    const expiresAt = new Date(now.getTime() + RETENTION_MS);
    const clinic = await clinics.findOne({ _id: clinicId } as Document);
    if (!clinic) throw new Error('clinic missing');
    await requestIds.insertOne({ _id: `${clinicId}|${caller}|${requestId}`, fingerprint, at: now, expiresAt } as Document);
    const current = await access.findOne({ _id: id } as Document, { projection: { outbox: 0, relayLease: 0 } });
    if (current) throw new Error('resident already present');
    const approved = { clinicId, resident, approval: { actor: caller, at: now, requestId }, grants: [], version: 1 };
    const event = {
      eventId: randomUUID(),
      cause: 'APPROVED',
      access: approved,
      before: { clinicId, resident, approval: null, grants: [], version: 0 },
      version: 1,
      actor: caller,
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
      nextStartsAt: null,
      endingSoonPending: [],
      version: 1,
      revision: 1,
      outbox: [event],
      outboxPending: true,
      outboxSince: now,
      recentRequests: [{ requestId, fingerprint, changed: true, expiresAt, version: 1 }],
      relayLease: { owner, until: new Date(now.getTime() + LEASE_MS) },
      updatedAt: now,
      endedAt: null,
    } as Document);
    const entry = `clinics.${clinicId}`;
    const view = await views.updateOne(
      { _id: resident, $and: [{ $or: [{ [entry]: { $exists: false } }, { [`${entry}.version`]: { $lt: 1 } }] }] } as Document,
      { $set: { [entry]: { approved: true, grants: [], version: 1 } }, $inc: { revision: 1 } },
      { upsert: true },
    );
    if (view.upsertedCount !== 1) throw new Error('resident view already present');
    return { id, resident, requestId };
  };

  // Before anything is measured: the baseline's documents have the fields the service's have.
  const check = await approval(-1);
  const [rawAccess, rawView, rawRequest] = await Promise.all([
    access.findOne({ _id: check.id } as Document),
    views.findOne({ _id: check.resident } as Document),
    requestIds.findOne({ _id: `${clinicId}|${caller}|${check.requestId}` } as Document),
  ]);
  const { service } = opts;
  // outboxSince goes when the relay has published the service's event; the outbox's events are not compared (the relay may have emptied it).
  requireSameFields('access document', service.access, rawAccess, ['outboxSince']);
  requireSameFields('access recentRequests[0]', (service.access.recentRequests as Document[])[0], (rawAccess?.recentRequests as Document[] | undefined)?.[0]);
  requireSameFields('access approval', service.access.approval as Document, rawAccess?.approval as Document);
  requireSameFields('resident view', service.view, rawView);
  requireSameFields('resident view entry', (service.view.clinics as Record<string, Document>)[String(service.access.clinicId)], (rawView?.clinics as Record<string, Document>)?.[clinicId]);
  requireSameFields('request id reservation', service.requestId, rawRequest);

  return {
    async approval(i: number) {
      await approval(i);
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
