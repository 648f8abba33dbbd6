import { randomUUID } from 'node:crypto';
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { aResident } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import type { ApproveResidentRequest, ApproveResidentResponse, RemoveApprovalsRequest, RemoveApprovalsResponse } from '../../src/gen/residentaccess/v1/resident_access_service';
import { BulkRemovalState } from '../../src/gen/residentaccess/v1/resident_access_service';
import { eventually } from '../support/eventually';
import { startMongoWireTap, type SentCommand } from '../support/mongo-wire-tap';
import { outboxSettled } from '../support/relay-caught-up';
import { startWithClinic, type ServiceUnderTest } from '../support/service-under-test';
import type { TcpProxy } from '../support/tcp-proxy';
import { integrationServers } from '../support/test-env';
import { signTestToken } from '../support/tokens';

/**
 * Each database operation a call does is sent with a server-side time limit (maxTimeMS) from the
 * call's remaining deadline, so the database stops work nobody waits for; the relay, the access
 * log's batches and jobs a call starts are sent without one. Read from the commands on the wire,
 * through a proxy between the service and the database.
 */
const CALL_MAX_TIME_MS = 20_000;
const DEADLINE_MS = 8000;

let proxy: TcpProxy;
let sent: SentCommand[];
let sut: ServiceUnderTest;
let clinicId: string;
let staff: Metadata;

beforeAll(async () => {
  const database = new URL(integrationServers().mongoUri);
  ({ proxy, sent } = await startMongoWireTap(database));
  database.host = proxy.address;
  ({ sut, clinicId } = await startWithClinic([{ id: 'general', name: 'General', restricted: false }], {
    env: { MONGODB_URI: database.toString(), MONGODB_CALL_MAX_TIME_MS: String(CALL_MAX_TIME_MS) },
  }));
  staff = new Metadata();
  staff.set('authorization', `Bearer ${await signTestToken({ sub: 'staff-1', clinics: [clinicId], roles: ['staff'] })}`);
});

afterAll(async () => {
  await sut.stop();
  await proxy.stop();
});

function approve(request: ApproveResidentRequest, deadline?: number): Promise<ApproveResidentResponse> {
  return new Promise((resolve, reject) =>
    sut.clients.residentAccess.approveResident(request, staff, deadline ? { deadline } : {}, (e: ServiceError | null, r?: ApproveResidentResponse) => (e ? reject(e) : resolve(r!))),
  );
}

function removeApprovals(request: RemoveApprovalsRequest, deadline: number): Promise<RemoveApprovalsResponse> {
  return new Promise((resolve, reject) =>
    sut.clients.residentAccess.removeApprovals(request, staff, { deadline }, (e: ServiceError | null, r?: RemoveApprovalsResponse) => (e ? reject(e) : resolve(r!))),
  );
}

/** The commands sent to the service's database from `from` on that `matches`: their maxTimeMS (null: none). */
function limitsOf(from: number, matches: (body: SentCommand['body']) => boolean): (number | null)[] {
  return sent
    .slice(from)
    .filter(({ body }) => body.$db === sut.env.MONGODB_DATABASE && matches(body))
    .map(({ body }) => (typeof body.maxTimeMS === 'number' ? body.maxTimeMS : null));
}

const command = (name: string, collection: string) => (body: SentCommand['body']) => body[name] === collection;
const withinDeadline = (limits: (number | null)[]) => limits.every((ms) => ms !== null && ms > 0 && ms <= DEADLINE_MS);

describe("database operations and the call's deadline", () => {
  it("a command's operations carry its remaining deadline; the relay's and the access log's carry none", async () => {
    const request = anApproveResidentRequest({ clinicId, personalIdentityNumber: aResident() });
    const documentId = `${clinicId}|${request.personalIdentityNumber}`;
    const from = sent.length;

    await approve(request, Date.now() + DEADLINE_MS);
    await outboxSettled(sut.access, documentId);
    await eventually(() => limitsOf(from, command('insert', 'access_log')).length > 0, { what: 'the access log entry to be written', timeoutMs: 10_000 });

    // The call's own steps, each sent with what was left of its deadline: reserve the request id,
    // read the document, store it, write the resident's view (which the relay may write again).
    const steps = {
      reservation: command('insert', 'request_ids'),
      read: (body: SentCommand['body']) => body.find === 'access' && (body.filter as { _id?: unknown } | undefined)?._id === documentId,
      write: command('insert', 'access'),
      view: command('update', 'resident_views'),
    };
    for (const [step, matches] of Object.entries(steps)) expect([step, limitsOf(from, matches).some((ms) => withinDeadline([ms]))]).toEqual([step, true]);
    expect(withinDeadline(limitsOf(from, () => true).filter((ms) => ms !== null))).toBe(true);
    // The relay's: the audit entry and the outbox marked published; the access log's batch.
    expect(limitsOf(from, command('insert', 'audit'))).toEqual([null]);
    expect(limitsOf(from, command('update', 'access')).every((ms) => ms === null)).toBe(true);
    expect(limitsOf(from, command('insert', 'access_log')).every((ms) => ms === null)).toBe(true);
  });

  it('a call without a deadline gets MONGODB_CALL_MAX_TIME_MS', async () => {
    const request = anApproveResidentRequest({ clinicId, personalIdentityNumber: aResident() });
    const from = sent.length;

    await approve(request);

    expect(limitsOf(from, command('insert', 'request_ids'))).toEqual([CALL_MAX_TIME_MS]);
    expect(limitsOf(from, command('insert', 'access'))).toEqual([CALL_MAX_TIME_MS]);
  });

  it('a bulk removal job a call starts is no part of the call: its changes carry no limit', async () => {
    const residents = [aResident(), aResident()];
    for (const resident of residents) await approve(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }));
    const request: RemoveApprovalsRequest = { clinicId, residents: { personalIdentityNumbers: residents }, requestId: randomUUID() };
    const from = sent.length;

    const answer = await removeApprovals(request, Date.now() + DEADLINE_MS);
    expect(answer.bulkRemoval!.state).toBe(BulkRemovalState.BULK_REMOVAL_STATE_DONE);
    for (const resident of residents) await outboxSettled(sut.access, `${clinicId}|${resident}`);

    expect(withinDeadline(limitsOf(from, command('insert', 'bulk_removals')))).toBe(true);
    const jobWrites = limitsOf(from, command('update', 'access'));
    expect(jobWrites.length).toBeGreaterThanOrEqual(residents.length);
    expect(jobWrites.every((ms) => ms === null)).toBe(true);
  });
});
