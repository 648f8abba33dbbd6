import { Metadata, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { ApproveResidentRequest } from '../../src/gen/residentaccess/v1/resident_access_service';
import { aResident } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import { account, History, observedEvents, printAccounting, readWholeTopic, type Outcome } from '../support/accounting';
import { healthClient, waitForHealth } from '../support/health-client';
import { retryDelayOf } from '../support/grpc-client';
import { ownFerretDB } from '../support/own-ferretdb';
import { RESTRICTED_AND_GENERAL, startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { uniqueName } from '../support/test-env';
import { signTestToken } from '../support/tokens';
import { eventually, sleep } from '../support/eventually';
import { viewMismatches } from '../support/views-match-access';

/** Workers approving new residents (inserts), and workers changing residents stored before the load (compare-and-set updates). */
const WORKERS = 2;
const UPDATE_WORKERS = 4;
/** Stored residents per update worker, each changed by that worker alone. */
const RESIDENTS_PER_UPDATE_WORKER = 3;
const PAUSE_BETWEEN_CALLS_MS = 100;
const MAX_CALLS = 600;
const CALL_DEADLINE_MS = 30_000;

type Method = 'approveResident' | 'removeApproval' | 'grantCaseType' | 'changeGrant' | 'removeGrant';
/**
 * What an update worker does to a stored resident, round and round: each step changes the resident
 * if the step before it was made (approved, no grant → granted until a date → until further notice
 * → no grant → not approved → approved).
 */
const CYCLE: { method: Method; fields: Record<string, unknown> }[] = [
  { method: 'grantCaseType', fields: { caseTypeId: 'restricted-1', untilDate: '2099-06-30' } },
  { method: 'changeGrant', fields: { caseTypeId: 'restricted-1', untilFurtherNotice: true } },
  { method: 'removeGrant', fields: { caseTypeId: 'restricted-1' } },
  { method: 'removeApproval', fields: {} },
  { method: 'approveResident', fields: {} },
];

describe('MongoDB (FerretDB) down', () => {
  let ferret: Awaited<ReturnType<typeof ownFerretDB>>;
  let sut: ServiceUnderTest | undefined;

  beforeAll(async () => {
    ferret = await ownFerretDB(uniqueName('mongo-outage'));
    await ferret.start();
  });
  afterAll(async () => {
    // Up again whatever happened, so the service and the test's own client close cleanly.
    await ferret.start().catch(() => undefined);
    await sut?.stop();
    await ferret.destroy();
  });

  it('answers commands itself with UNAVAILABLE and RetryInfo (never its deadline), reports NOT_SERVING, half-writes nothing (new and stored residents), and recovers', async () => {
    sut = await startServiceUnderTest({ env: { MONGODB_URI: ferret.uri } });
    const service = sut;
    const health = healthClient(service.service.port);
    let running = true;
    let load: Promise<unknown> = Promise.resolve();
    try {
      expect(await waitForHealth(health, '', 'SERVING')).toBe('SERVING');
      const clinicId = await service.givenClinic({ caseTypes: RESTRICTED_AND_GENERAL });
      const token = await signTestToken({ sub: 'staff-1', clinics: [clinicId], roles: ['staff'] });
      type Call = (request: object, metadata: Metadata, options: { deadline: number }, cb: (e: ServiceError | null, r: { changed: boolean }) => void) => ClientUnaryCall;
      const client = service.clients.residentAccess as unknown as Record<Method, Call>;
      const call = (method: Method, request: { requestId: string }) =>
        new Promise<{ changed: boolean }>((resolve, reject) => {
          const metadata = new Metadata();
          metadata.set('authorization', `Bearer ${token}`);
          client[method].call(service.clients.residentAccess, request, metadata, { deadline: Date.now() + CALL_DEADLINE_MS }, (e, r) => (e ? reject(e) : resolve(r)));
        });
      const approve = (request: ApproveResidentRequest) => call('approveResident', request);

      // Approvals of new residents (WORKERS) and changes of stored ones (UPDATE_WORKERS) keep
      // coming, each request once (no retries).
      const history = new History();
      const calls: { request: { requestId: string; personalIdentityNumber: string }; startedAt: number; outcome: Outcome; stored: boolean }[] = [];
      const residents = new Set<string>();
      const newRequest = () => {
        let resident = aResident();
        while (residents.has(resident)) resident = aResident();
        residents.add(resident);
        return anApproveResidentRequest({ clinicId, personalIdentityNumber: resident });
      };
      const worker = async () => {
        while (running && calls.length < MAX_CALLS) {
          const request = newRequest();
          const startedAt = Date.now();
          const outcome = await history.run(
            request.requestId,
            () => approve(request),
            (r) => r.changed,
          );
          calls.push({ request, startedAt, outcome, stored: false });
          await sleep(PAUSE_BETWEEN_CALLS_MS);
        }
      };
      // Residents stored (approved) before the load; each belongs to one update worker.
      const stored = Array.from({ length: UPDATE_WORKERS * RESIDENTS_PER_UPDATE_WORKER }, () => newRequest());
      for (const request of stored)
        expect(
          await history.run(
            request.requestId,
            () => approve(request),
            (r) => r.changed,
          ),
        ).toEqual({ kind: 'ok' });
      /** Per stored resident: the acknowledged request ids in order, and whether a call on it had no definite answer. */
      const storedChanges = new Map(stored.map((r) => [r.personalIdentityNumber, { acknowledged: [r.requestId], uncertain: false }]));
      const updateWorker = async (w: number) => {
        const mine = stored.slice(w * RESIDENTS_PER_UPDATE_WORKER, (w + 1) * RESIDENTS_PER_UPDATE_WORKER).map((r) => ({ resident: r.personalIdentityNumber, step: 0 }));
        for (let i = 0; running && calls.length < MAX_CALLS && mine.length > 0; i++) {
          const current = mine[i % mine.length]!;
          const { method, fields } = CYCLE[current.step % CYCLE.length]!;
          const request = { clinicId, personalIdentityNumber: current.resident, ...fields, requestId: randomUUID(), etag: '' };
          const startedAt = Date.now();
          const outcome = await history.run(
            request.requestId,
            () => call(method, request),
            (r) => r.changed,
          );
          calls.push({ request, startedAt, outcome, stored: true });
          const changes = storedChanges.get(current.resident)!;
          if (outcome.kind === 'ok') {
            changes.acknowledged.push(request.requestId);
            current.step++;
          } else if (outcome.kind === 'indeterminate') {
            // Made or not: the next step might be no change at all. This resident is left alone.
            changes.uncertain = true;
            mine.splice(mine.indexOf(current), 1);
          } // a definite failure changed nothing: the same step again
          await sleep(PAUSE_BETWEEN_CALLS_MS);
        }
      };
      load = Promise.all([...Array.from({ length: WORKERS }, worker), ...Array.from({ length: UPDATE_WORKERS }, (_, w) => updateWorker(w))]);
      const timeline: string[] = [];
      const t0 = Date.now();
      const mark = (what: string) => timeline.push(`${what}@${((Date.now() - t0) / 1000).toFixed(1)}s`);

      await eventually(() => calls.filter((c) => c.stored && c.outcome.kind === 'ok').length >= 2 * UPDATE_WORKERS && history.acknowledged.size >= stored.length + 20, {
        what: 'changes before the outage',
        timeoutMs: 30_000,
      });
      // SIGKILL, as a crashed server goes (SQLite's WAL keeps what it committed); it restarts on the same files.
      mark('kill');
      await ferret.kill();
      const stoppedAt = Date.now();
      mark('killed');
      expect(await waitForHealth(health, '', 'NOT_SERVING', 20_000)).toBe('NOT_SERVING');
      mark('not-serving');
      // Long enough for calls started after the stop to wait out server selection and fail.
      await eventually(() => calls.filter((c) => c.startedAt > stoppedAt && c.outcome.kind === 'failed').length >= WORKERS + UPDATE_WORKERS, {
        what: 'calls started after the stop to fail',
        timeoutMs: 30_000,
      });
      expect(calls.filter((c) => c.startedAt > stoppedAt && c.outcome.kind === 'ok')).toEqual([]);

      mark('start');
      await ferret.start();
      mark('started');
      const recovered = await waitForHealth(health, '', 'SERVING', 60_000);
      if (recovered !== 'SERVING') throw new Error(`still ${recovered} 60 s after the restart:\n${await whyNotServing(ferret, service)}`);
      mark('serving');
      const restartedAt = Date.now();
      // Every worker got through again, not just one.
      await eventually(
        () =>
          calls.filter((c) => !c.stored && c.startedAt > restartedAt && c.outcome.kind === 'ok').length >= WORKERS &&
          calls.filter((c) => c.stored && c.startedAt > restartedAt && c.outcome.kind === 'ok').length >= UPDATE_WORKERS,
        { what: 'approvals and changes after the restart', timeoutMs: 30_000 },
      );
      running = false;
      await load;
      mark('load-done');

      // New approvals work, one after another.
      for (let i = 0; i < 3; i++) {
        const request = newRequest();
        const outcome = await history.run(
          request.requestId,
          () => approve(request),
          (r) => r.changed,
        );
        calls.push({ request, startedAt: Date.now(), outcome, stored: false });
        expect(outcome.kind).toBe('ok');
      }

      // Let the relay publish everything (events of the outage wait in the outbox), then read the topic.
      await eventually(async () => (await service.access.countDocuments({ outboxPending: true })) === 0, { what: 'the outbox to drain', timeoutMs: 60_000 });
      const consumed = await readWholeTopic(service.env.KAFKA_BROKERS!, service.env.KAFKA_ACCESS_TOPIC!);
      const events = observedEvents(consumed);
      const residentOf = new Map(consumed.map((e) => [e.headers.ce_id, (e.value.access as { personalIdentityNumber?: string } | undefined)?.personalIdentityNumber]));
      const accounting = account(history, events);

      const failures = calls.filter((c): c is typeof c & { outcome: Extract<Outcome, { kind: 'failed' }> } => c.outcome.kind === 'failed');
      const failedIds = failures.map((c) => c.request.requestId);
      const uncertain = [...storedChanges.values()].filter((c) => c.uncertain).length;
      const reservations = await service.db.collection('request_ids').countDocuments({ _id: { $in: failedIds.map((id) => `${clinicId}|staff-1|${id}`) } as never });
      printAccounting(
        accounting,
        `mongodb-outage; failed by code ${JSON.stringify(history.failedByCode())}; ` +
          `failed ids with a request_ids reservation ${reservations}; changes of stored residents acknowledged ` +
          `${calls.filter((c) => c.stored && c.outcome.kind === 'ok').length}, failed ${failures.filter((c) => c.stored).length}, residents left uncertain ${uncertain}; ${timeline.join(' ')}` +
          indeterminateNote(
            calls.map((c) => c.outcome),
            service.logs.entries,
          ),
      );

      // The outage was seen, as the service's own UNAVAILABLE telling the caller when to retry: it
      // gave up on the database itself instead of letting the call run into its deadline.
      expect(failures.length).toBeGreaterThan(0);
      const retryDelays = failures.map((c) => retryDelayOf(c.outcome.error));
      expect(retryDelays).toEqual(failures.map(() => ({ seconds: expect.any(Number), nanos: expect.any(Number) })));
      expect(retryDelays.filter((d) => d!.seconds * 1000 + d!.nanos / 1e6 <= 0)).toEqual([]);
      // A call in flight at the stop may lose its answer after its change was stored: the service
      // then says UNAVAILABLE/STORAGE_OUTCOME_UNKNOWN (or INTERNAL for FerretDB's own shutdown
      // error), never a definite failure. Every call started after the stop gets a definite answer.
      const indeterminateAfterStop = calls.filter((c) => c.outcome.kind === 'indeterminate' && c.startedAt > stoppedAt);
      expect(indeterminateAfterStop.map((c) => c.request.requestId)).toEqual([]);
      expect(history.unchanged.size).toBe(0);
      expect(Object.keys(history.failedByCode())).toEqual(['UNAVAILABLE/STORAGE_UNAVAILABLE']);

      // Nothing half-written: each acknowledged approval of a new resident is one stored version with one event ...
      const byId = new Map(calls.filter((c) => !c.stored).map((c) => [c.request.requestId, c.request]));
      for (const requestId of [...history.acknowledged].filter((id) => byId.has(id))) {
        const request = byId.get(requestId)!;
        const doc = await service.access.findOne({ _id: `${clinicId}|${request.personalIdentityNumber}` });
        expect({ requestId, version: doc?.version, approved: doc?.approval?.requestId }).toEqual({ requestId, version: 1, approved: requestId });
        expect(new Set(events.filter((e) => e.requestId === requestId).map((e) => e.eventId)).size).toBe(1);
      }
      // ... an unknown outcome is all or nothing: stored with its event, or neither ...
      const publishedIds = new Set(events.map((e) => e.requestId));
      for (const requestId of [...history.indeterminate].filter((id) => byId.has(id))) {
        const request = byId.get(requestId)!;
        const stored = (await service.access.findOne({ _id: `${clinicId}|${request.personalIdentityNumber}` })) !== null;
        expect({ requestId, stored, published: publishedIds.has(requestId) }).toEqual({ requestId, stored, published: stored });
      }
      // ... and a failed one left no access document, no audit entry and no event.
      for (const request of failures.filter((c) => !c.stored).map((c) => c.request)) {
        expect(await service.access.findOne({ _id: `${clinicId}|${request.personalIdentityNumber}` })).toBeNull();
      }
      // A stored resident's compare-and-set updates: each acknowledged change is the next version,
      // published with that version, in the order it was answered; a failed one left no version
      // and no event; one without an answer added one version or none (and was then left alone).
      const firstCopies = new Map<string, (typeof events)[number]>();
      for (const e of [...events].sort((a, b) => compareOffsets(a.offset, b.offset))) if (!firstCopies.has(e.eventId)) firstCopies.set(e.eventId, e);
      for (const [n, [resident, changes]] of [...storedChanges].entries()) {
        const doc = await service.access.findOne({ _id: `${clinicId}|${resident}` });
        const published = [...firstCopies.values()].filter((e) => residentOf.get(e.eventId) === resident);
        const versions = published.map((e) => e.version);
        const extra = doc!.version - changes.acknowledged.length;
        expect({ stored: n, versions, extra }).toEqual({
          stored: n,
          versions: Array.from({ length: doc!.version }, (_, i) => i + 1),
          extra: changes.uncertain ? expect.any(Number) : 0,
        });
        expect(extra).toBeLessThanOrEqual(changes.uncertain ? 1 : 0);
        expect(published.map((e) => e.requestId).filter((id) => !history.indeterminate.has(id))).toEqual(changes.acknowledged);
      }
      expect(await service.db.collection('audit').countDocuments({ requestId: { $in: failedIds } })).toBe(0);

      expect(accounting.lostIds).toEqual([]);
      expect(accounting.unexpectedIds).toEqual([]);
      expect(accounting.violations).toEqual([]);
      // A view write lost in the outage was caught up by the relay before it published the change.
      expect(await viewMismatches(service.db)).toEqual([]);
    } finally {
      running = false;
      await load.catch(() => undefined);
      health.close();
    }
  });
});

function compareOffsets(a: string, b: string): number {
  return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
}

/** What the calls without a definite answer got, so that a failed run says why. */
function indeterminateNote(outcomes: Outcome[], logged: Record<string, unknown>[]): string {
  const codes = outcomes.filter((o) => o.kind === 'indeterminate').map((o) => `${o.code}: ${String((o.error as Error)?.message ?? o.error).slice(0, 120)}`);
  if (codes.length === 0) return '';
  const unexpected = logged
    .filter((e) => e.msg === 'unexpected error in RPC')
    .map((e) => {
      const err = e.err as { type?: string; message?: string; stack?: string } | undefined;
      return `${err?.type}: ${err?.message} ${err?.stack?.split('\n').slice(1, 4).join(' ')}`;
    });
  return `; indeterminate: ${codes.join(' | ')}; the service logged: ${unexpected.join(' | ')}`;
}

/** What a failed recovery looked like: the server's own answer, the service's health and warning lines, the server's log. */
async function whyNotServing(ferret: Awaited<ReturnType<typeof ownFerretDB>>, service: ServiceUnderTest): Promise<string> {
  const client = new MongoClient(ferret.uri, { serverSelectionTimeoutMS: 5000, socketTimeoutMS: 5000 });
  const direct = await client
    .db('admin')
    .command({ ping: 1 })
    .then(
      (r) => JSON.stringify(r),
      (e: Error) => `failed: ${e.message}`,
    )
    .finally(() => client.close());
  const lines = service.logs.entries
    .filter((e) => ['health changed', 'database server changed'].includes(e.msg as string) || (typeof e.level === 'number' && e.level >= 40))
    .slice(-40)
    .map((e) => JSON.stringify({ time: e.time, component: e.component, msg: e.msg, to: e.to, reason: e.reason, state: e.state, err: (e.err as { message?: string })?.message }));
  return [`a fresh client's ping: ${direct}`, 'service:', ...lines, 'FerretDB log:', ferret.logTail()].join('\n');
}
