import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { randomBytes, randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { ApproveResidentRequest, ApproveResidentResponse } from '../../src/gen/residentaccess/v1/resident_access_service';
import { aClinicId, aResident, tenDigitForm } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import { EventConsumer } from '../support/event-consumer';
import { apiOf, connectClients, type Clients } from '../support/grpc-client';
import { OtlpReceiver } from '../support/otlp-receiver';
import { registerResidents } from '../support/population-register';
import { spawnService, type ServiceProcess } from '../support/service-process';
import { serviceEnv } from '../support/test-env';
import { signTestToken, testAuthEnv } from '../support/tokens';

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

/**
 * Hex ids of letters only: a caller's trace id is ours to choose, and one with a long run of
 * digits could look like a personal identity number to the log scrubber.
 */
function letterHex(bytes: number): string {
  return [...randomBytes(bytes).toString('hex')].map((c) => 'abcdef'[parseInt(c, 16) % 6]).join('');
}

/**
 * Instrumentation hooks Node's own module loading, which Jest bypasses: the service runs as its
 * own process (as `node dist/main.js` does) and exports to this test's OTLP endpoint.
 */
describe('tracing: one ApproveResident, from the call to the Kafka message', () => {
  const receiver = new OtlpReceiver();
  let service: ServiceProcess;
  let env: Record<string, string>;
  let events: EventConsumer;
  let clients: Clients;
  let mongo: MongoClient;

  beforeAll(async () => {
    const endpoint = await receiver.start();
    env = serviceEnv({ ...(await testAuthEnv()), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' });
    events = await new EventConsumer(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!).start();
    service = spawnService(env);
    clients = connectClients(await service.started);
    mongo = await new MongoClient(env.MONGODB_URI!).connect();
  });
  afterAll(async () => {
    clients?.close();
    if (service?.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await events?.stop();
    await receiver.stop();
    await mongo.db(env.MONGODB_DATABASE).dropDatabase();
    await mongo.close();
  });

  it('makes one trace of the RPC, its MongoDB commands and the send span; the event header and the log line name the RPC', async () => {
    const clinicId = aClinicId();
    const token = await signTestToken({ clinics: [clinicId], roles: ['staff', 'admin'] });
    await apiOf(clients, token).putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });
    const request = anApproveResidentRequest({ clinicId });
    const resident = request.personalIdentityNumber;

    // The staff backend's own span, which the service continues.
    const traceId = letterHex(16);
    const callerSpanId = letterHex(8);
    await approveWithin(clients, token, request, `00-${traceId}-${callerSpanId}-01`);

    // Names and attributes as OpenTelemetry's RPC, messaging and database conventions give them.
    const rpc = await receiver.waitFor((s) => s.traceId === traceId && s.kind === SERVER);
    expect(rpc).toMatchObject({
      name: 'residentaccess.v1.ResidentAccessService/ApproveResident',
      parentSpanId: callerSpanId,
      attributes: { 'rpc.system': 'grpc', 'rpc.service': 'residentaccess.v1.ResidentAccessService', 'rpc.method': 'ApproveResident', 'rpc.grpc.status_code': 0 },
    });
    const publish = await receiver.waitFor((s) => s.traceId === traceId && s.kind === PRODUCER);
    expect(publish).toMatchObject({
      name: `send ${env.KAFKA_ACCESS_TOPIC}`,
      parentSpanId: rpc.spanId,
      attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.operation.name': 'send', 'messaging.destination.name': env.KAFKA_ACCESS_TOPIC },
    });
    const inTrace = receiver.spans.filter((s) => s.traceId === traceId);
    const database = inTrace.filter((s) => s.attributes['db.system.name'] === 'mongodb');
    expect(database.length).toBeGreaterThan(0);
    const accessWrite = database.find((s) => s.attributes['db.collection.name'] === 'access' && ['insert', 'update', 'findAndModify'].includes(s.attributes['db.operation.name'] as string));
    expect(accessWrite).toMatchObject({ name: `${accessWrite?.attributes['db.operation.name'] as string} access`, attributes: { 'db.namespace': env.MONGODB_DATABASE } });
    // The query's shape only: every value `?`, so no identity number even in the `_id`.
    expect(accessWrite!.attributes['db.query.text']).toMatch(/"_id":"\?"/);
    for (const span of database) expect(Object.keys(span.attributes)).not.toContain('db.statement');
    // Every span of the trace hangs from the caller's span: one tree, not pieces.
    const ids = new Set([callerSpanId, ...inTrace.map((s) => s.spanId)]);
    for (const span of inTrace) expect(ids.has(span.parentSpanId!)).toBe(true);

    const [event] = await events.waitFor((e) => e.value.requestId === request.requestId);
    // The event names the call that made the change, whose child the send span of its batch of one is.
    expect(event!.headers.traceparent).toBe(`00-${traceId}-${rpc.spanId}-01`);

    const rpcLine = service.stdout.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'rpc' && l.requestId === request.requestId);
    expect(rpcLine).toMatchObject({ trace_id: traceId, span_id: rpc.spanId });

    // Spans carry no personal identity number: not in attributes, ids or statements.
    for (const form of [resident, tenDigitForm(resident)]) expect(receiver.bodies.join('\n')).not.toContain(form);
  });

  it('traces a population-register message without its key, which is the identity number', async () => {
    const resident = aResident();

    await registerResidents(env, mongo.db(env.MONGODB_DATABASE), [{ personalIdentityNumber: resident, regionCode: '01', municipalityCode: '0180' }]);

    const processed = await receiver.waitFor((s) => s.kind === CONSUMER && s.name === `process ${env.REGISTER_TOPIC}`);
    expect(processed.attributes['messaging.kafka.message.key']).toBe('[redacted]');
    expect(receiver.bodies.join('\n')).not.toContain(resident);
  });
});

const tracingSettings: { setting: string; extraEnv: Record<string, string>; traced: boolean }[] = [
  { setting: 'without an exporter', extraEnv: {}, traced: true },
  { setting: 'switched off (OTEL_SDK_DISABLED)', extraEnv: { OTEL_SDK_DISABLED: 'true' }, traced: false },
];

describe.each(tracingSettings)('tracing $setting', ({ extraEnv, traced }) => {
  let service: ServiceProcess;
  let env: Record<string, string>;
  let events: EventConsumer;
  let clients: Clients;
  beforeAll(async () => {
    env = serviceEnv({ ...(await testAuthEnv()), ...extraEnv });
    events = await new EventConsumer(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!).start();
    service = spawnService(env);
    clients = connectClients(await service.started);
  });
  afterAll(async () => {
    clients?.close();
    if (service?.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await events?.stop();
    const mongo = await new MongoClient(env.MONGODB_URI!).connect();
    await mongo.db(env.MONGODB_DATABASE).dropDatabase();
    await mongo.close();
  });

  it(traced ? "still names the call's trace on its log line and on its event" : 'names no trace on the log line or the event', async () => {
    const clinicId = aClinicId();
    const token = await signTestToken({ clinics: [clinicId], roles: ['staff', 'admin'] });
    await apiOf(clients, token).putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });
    const request = anApproveResidentRequest({ clinicId });
    const traceId = letterHex(16);

    await approveWithin(clients, token, request, `00-${traceId}-${letterHex(8)}-01`);

    const [event] = await events.waitFor((e) => e.value.requestId === request.requestId);
    const rpcLine = service.stdout.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'rpc' && l.requestId === request.requestId);
    if (traced) {
      expect(event!.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(rpcLine).toMatchObject({ trace_id: traceId });
    } else {
      expect({ traceparent: event!.headers.traceparent, logged: rpcLine !== undefined, trace_id: rpcLine?.trace_id }).toEqual({ traceparent: undefined, logged: true, trace_id: undefined });
    }
  });
});

function approveWithin(clients: Clients, token: string, request: ApproveResidentRequest, traceparent: string): Promise<ApproveResidentResponse> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  metadata.set('traceparent', traceparent);
  return new Promise((resolve, reject) =>
    clients.residentAccess.approveResident(request, metadata, (error: ServiceError | null, response: ApproveResidentResponse) => (error ? reject(error) : resolve(response))),
  );
}
