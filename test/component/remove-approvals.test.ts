import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../src/domain/ports/clock';
import { BulkRemovalState, type BulkRemoval, type RemoveApprovalsRequest } from '../../src/gen/residentaccess/v1/resident_access_service';
import { aResident, tenDigitForm } from '../builders/identity';
import { anApproveResidentRequest, aGrantCaseTypeRequest } from '../builders/requests';
import type { ConsumedEvent } from '../support/event-consumer';
import { errorDetails, errorInfoMetadataOf, failureOf, type Api } from '../support/grpc-client';
import { relayCaughtUp as relayCaughtUpAt } from '../support/relay-caught-up';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { signTestToken } from '../support/tokens';
import { eventually, eventuallyFound } from '../support/eventually';
import { fingerprint } from '../../src/application/fingerprint';

const CASE_TYPES = [
  { id: 'general', name: 'General question', restricted: false },
  { id: 'prescriptions', name: 'Renew a prescription', restricted: true },
];

function distinctResidents(count: number): string[] {
  const residents = new Set<string>();
  while (residents.size < count) residents.add(aResident());
  return [...residents];
}

/** Runs `work` for every item, at most `concurrency` at a time. */
async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/** A stored access whose approval stands (no document at all does not match). */
const STILL_APPROVED = { approval: { actor: 'staff-1', at: expect.any(Date), requestId: expect.any(String) } };

/** A clock the tests may move; it runs with real time otherwise. */
const clock: Clock & { offsetMs: number } = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

describe('RemoveApprovals and GetBulkRemoval', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  /** The same staff member, also an administrator here: removing all approvals needs it. */
  let admin: Api;
  beforeAll(async () => {
    sut = await startServiceUnderTest({ clock });
  });
  afterAll(async () => {
    await sut.stop();
  });
  beforeEach(async () => {
    clock.offsetMs = 0;
    clinicId = await sut.givenClinic({ caseTypes: CASE_TYPES });
    staff = await sut.staff(clinicId);
    admin = sut.api(await signTestToken({ sub: 'staff-1', clinics: [clinicId], roles: ['staff', 'admin'] }));
  });

  const approve = (resident: string, at = clinicId, as = staff) => as.approveResident(anApproveResidentRequest({ clinicId: at, personalIdentityNumber: resident }));
  const listed = (residents: string[], overrides: Partial<RemoveApprovalsRequest> = {}): RemoveApprovalsRequest => ({
    clinicId,
    residents: { personalIdentityNumbers: residents },
    requestId: randomUUID(),
    ...overrides,
  });
  const all = (overrides: Partial<RemoveApprovalsRequest> = {}): RemoveApprovalsRequest => ({
    clinicId,
    allResidents: true,
    requestId: randomUUID(),
    ...overrides,
  });
  const remove = (request: RemoveApprovalsRequest) => (request.allResidents ? admin : staff).removeApprovals(request);
  /** Follows the job with GetBulkRemoval until it is done; a timeout names any failed run it logged. */
  const doneJob = (id: string, timeoutMs = 60_000) => {
    let last: BulkRemoval | undefined;
    const done = async () => {
      last = (await staff.getBulkRemoval({ clinicId, id })).bulkRemoval!;
      return last.state === BulkRemovalState.BULK_REMOVAL_STATE_DONE ? last : undefined;
    };
    return eventuallyFound(done, { what: 'the bulk removal to be done', timeoutMs }).catch((error: Error) => {
      const failures = sut.logs
        .text()
        .split('\n')
        .filter((line) => line.includes(id) && line.includes('bulk removal failed'));
      throw new Error(`${error.message}; last: ${JSON.stringify(last)}\nfailed runs logged: ${failures.length ? failures.join('\n') : 'none'}`);
    });
  };
  /** Starts the job and follows it until it is done. */
  const runToCompletion = async (request: RemoveApprovalsRequest, timeoutMs?: number): Promise<{ first: BulkRemoval; done: BulkRemoval }> => {
    const first = (await remove(request)).bulkRemoval!;
    return { first, done: await doneJob(request.requestId, timeoutMs) };
  };
  const jobs = () => sut.db.collection<Record<string, unknown> & { _id: string }>('bulk_removals');
  const running = () => sut.db.collection<{ _id: string; jobId: string; since: Date }>('bulk_removals_running');
  const doneJobAfter = async (call: Promise<unknown>, id: string) => {
    await call;
    return doneJob(id);
  };
  const documentOf = (resident: string, at = clinicId) => sut.access.findOne({ _id: `${at}|${resident}` });
  const removalsOf = (jobId: string) => (e: ConsumedEvent) => e.value.requestId === jobId && e.value.cause === 'ACCESS_CHANGE_CAUSE_APPROVAL_REMOVED';
  const residentOf = (e: ConsumedEvent) => (e.value.access as { personalIdentityNumber: string }).personalIdentityNumber;
  /** Every event published before this call has been read. */
  const relayCaughtUp = () => relayCaughtUpAt(sut, staff, clinicId);

  it('removes the listed approvals, each once with its own event, keeps grants, and counts what had none', async () => {
    const [plain, writtenTwice, withGrant, neverApproved, grantOnly] = distinctResidents(5) as [string, string, string, string, string];
    await approve(plain);
    await approve(writtenTwice);
    await approve(withGrant);
    await staff.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: withGrant, caseTypeId: 'prescriptions' }));
    await staff.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: grantOnly, caseTypeId: 'prescriptions' }));
    const request = listed([plain, tenDigitForm(writtenTwice), neverApproved, writtenTwice, withGrant, grantOnly]);

    const { first, done } = await runToCompletion(request);

    // A handful of residents is done within the call's wait.
    expect(first.state).toBe(BulkRemovalState.BULK_REMOVAL_STATE_DONE);
    expect(first).toMatchObject({ id: request.requestId, clinicId, actor: 'staff-1', removedCount: 3, unchangedCount: 2 });
    expect(first.startTime).toBeInstanceOf(Date);
    expect(first.finishTime!.getTime()).toBeGreaterThanOrEqual(first.startTime!.getTime());
    expect(done).toEqual(first);

    const events = await sut.events.waitFor(removalsOf(request.requestId), 3);
    expect(events.map(residentOf).sort()).toEqual([plain, writtenTwice, withGrant].sort());
    for (const resident of [plain, writtenTwice, withGrant]) {
      const doc = await documentOf(resident);
      expect(doc?.approval).toBeNull();
      expect(doc?.version).toBe(resident === withGrant ? 3 : 2);
    }
    expect((await documentOf(withGrant))?.grants.map((g) => g.caseTypeId)).toEqual(['prescriptions']);
    expect((await documentOf(grantOnly))?.grants.map((g) => g.caseTypeId)).toEqual(['prescriptions']);
    expect((await documentOf(grantOnly))?.version).toBe(1);
    expect(await documentOf(neverApproved)).toBeNull();
    const withGrantEvent = events.find((e) => residentOf(e) === withGrant)!;
    expect(withGrantEvent.value).toMatchObject({ actor: 'staff-1', version: 3 });
    expect((withGrantEvent.value.access as { grants: { caseTypeId: string }[] }).grants.map((g) => g.caseTypeId)).toEqual(['prescriptions']);

    await relayCaughtUp();
    expect(sut.events.events.filter(removalsOf(request.requestId))).toHaveLength(3);
    const listing = await staff.listResidents({ clinicId, pageSize: 0, pageToken: '', approvedOnly: true, caseTypeId: '' });
    expect(listing.residents.map((e) => e.access?.personalIdentityNumber)).not.toContain(plain);
  });

  it('removes every approval of a clinic of 300 residents, once each, and nothing elsewhere', async () => {
    const residents = distinctResidents(300);
    await inParallel(residents, 8, (r) => approve(r));
    const grantOnly = aResident();
    await staff.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: grantOnly, caseTypeId: 'prescriptions' }));
    const otherClinic = await sut.givenClinic();
    const atOther = await sut.staff(otherClinic);
    await approve(residents[0]!, otherClinic, atOther);
    const request = all();

    const { first, done } = await runToCompletion(request, 180_000);

    expect([BulkRemovalState.BULK_REMOVAL_STATE_RUNNING, BulkRemovalState.BULK_REMOVAL_STATE_DONE]).toContain(first.state);
    expect(done).toMatchObject({ id: request.requestId, clinicId, removedCount: 300, unchangedCount: 0, actor: 'staff-1' });
    expect(done.finishTime).toBeInstanceOf(Date);
    expect(await sut.access.countDocuments({ clinicId, approval: { $ne: null } })).toBe(0);
    expect(await sut.access.countDocuments({ clinicId, approval: null })).toBe(301);
    expect((await documentOf(grantOnly))?.grants).toHaveLength(1);
    expect(await documentOf(residents[0]!, otherClinic)).toMatchObject(STILL_APPROVED);

    await sut.events.waitFor(removalsOf(request.requestId), 300, 120_000);
    await relayCaughtUp();
    const events = sut.events.events.filter(removalsOf(request.requestId));
    expect(events).toHaveLength(300);
    expect(new Set(events.map(residentOf))).toEqual(new Set(residents));
    expect(new Set(events.map((e) => e.value.eventId)).size).toBe(300);
    expect(events.every((e) => (e.value.access as { clinicId: string }).clinicId === clinicId)).toBe(true);
  }, 300_000);

  it('a resident approved by a call made after the job started keeps the approval', async () => {
    const residents = distinctResidents(100);
    await inParallel(residents, 8, (r) => approve(r));
    const request = all();

    // Start the job, and approve a new resident once the job is stored with its start time.
    const started = remove(request);
    const jobs = sut.db.collection<{ _id: string; startedAt: Date; finishedAt: Date | null }>('bulk_removals');
    const job = await eventuallyFound(async () => jobs.findOne({ _id: `${clinicId}|${request.requestId}` }), { what: 'the job to be stored', timeoutMs: 10_000 });
    await eventually(() => Date.now() > job.startedAt.getTime(), { what: "the clock to pass the job's start" });
    const lateComer = aResident();
    const late = await approve(lateComer);
    expect(late.changed).toBe(true);
    await started;
    const done = await doneJob(request.requestId, 180_000);

    expect(done).toMatchObject({ removedCount: 100, unchangedCount: 0 });
    expect((await documentOf(lateComer))?.approval).toMatchObject({ requestId: late.access!.approval!.approved!.requestId });
    await relayCaughtUp();
    expect(sut.events.events.filter(removalsOf(request.requestId)).map(residentOf)).not.toContain(lateComer);
  }, 300_000);

  it('removes only approvals given at or before the job started, even when the job meets later ones', async () => {
    // Deterministic form of the previous case: an approval stamped after the job's start time.
    const [before, after] = distinctResidents(2) as [string, string];
    await approve(before);
    clock.offsetMs = 60 * 60_000;
    await approve(after);
    clock.offsetMs = 0;
    const request = all();

    const { done } = await runToCompletion(request);

    expect(done).toMatchObject({ removedCount: 1, unchangedCount: 0 });
    expect((await documentOf(before))?.approval).toBeNull();
    expect(await documentOf(after)).toMatchObject(STILL_APPROVED);
  });

  it('a retry with the same request id answers the same job and publishes nothing again', async () => {
    const residents = distinctResidents(4);
    await inParallel(residents, 4, (r) => approve(r));
    const request = listed(residents);
    const { done } = await runToCompletion(request);
    await sut.events.waitFor(removalsOf(request.requestId), 4);
    // Approve one again: a real re-run of the job would remove it again.
    await approve(residents[0]!);

    const retry = (await remove(request)).bulkRemoval!;
    // The same request with the numbers in another order and written form is the same request.
    const reordered = (await remove({ ...request, residents: { personalIdentityNumbers: [...residents].reverse().map(tenDigitForm) } })).bulkRemoval!;

    expect(retry).toEqual(done);
    expect(reordered).toEqual(done);
    expect(await documentOf(residents[0]!)).toMatchObject(STILL_APPROVED);
    await relayCaughtUp();
    expect(sut.events.events.filter(removalsOf(request.requestId))).toHaveLength(4);
  });

  it('a finished job keeps no list of the residents, only how many were listed', async () => {
    const residents = distinctResidents(3);
    await inParallel(residents, 3, (r) => approve(r));
    const request = listed(residents);
    await runToCompletion(request);

    const stored = await jobs().findOne({ _id: `${clinicId}|${request.requestId}` });
    expect(stored).toMatchObject({ listedCount: 3, removed: 3 });
    expect(stored).not.toHaveProperty('residents');
    for (const resident of residents) expect(JSON.stringify(stored)).not.toContain(resident);
  });

  it('concurrent calls with the same request id share one job: every approval removed once', async () => {
    const residents = distinctResidents(40);
    await inParallel(residents, 8, (r) => approve(r));
    const request = all();

    const answers = await Promise.all([remove(request), remove(request), remove(request)]);
    const done = await doneJob(request.requestId);

    expect(new Set(answers.map((a) => a.bulkRemoval!.startTime!.getTime())).size).toBe(1);
    expect(done).toMatchObject({ removedCount: 40, unchangedCount: 0 });
    await relayCaughtUp();
    const events = sut.events.events.filter(removalsOf(request.requestId));
    expect(events).toHaveLength(40);
    expect(new Set(events.map(residentOf)).size).toBe(40);
  });

  it('the same request id with another selection is ALREADY_EXISTS and changes nothing', async () => {
    const [first, second] = distinctResidents(2) as [string, string];
    await approve(first);
    await approve(second);
    const request = listed([first]);
    await runToCompletion(request);

    for (const other of [listed([second], { requestId: request.requestId }), all({ requestId: request.requestId })]) {
      const error = await failureOf(remove(other));
      expect(error.code).toBe(status.ALREADY_EXISTS);
      expect(errorDetails(error).reason).toBe('REQUEST_ID_REUSED');
    }
    expect(await documentOf(second)).toMatchObject(STILL_APPROVED);
  });

  it('an empty selection, or more than 1000 listed residents, is INVALID_ARGUMENT and starts no job', async () => {
    const resident = aResident();
    await approve(resident);
    const tooMany = distinctResidents(1001);
    const cases: [RemoveApprovalsRequest, string][] = [
      [listed([]), 'selection'],
      [{ clinicId, requestId: randomUUID() }, 'selection'],
      [all({ allResidents: false }), 'selection'],
      [listed(tooMany), 'residents.personal_identity_numbers'],
    ];
    for (const [request, field] of cases) {
      const error = await failureOf(remove(request));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => v.field)).toEqual([field]);
      expect(await sut.db.collection<{ _id: string }>('bulk_removals').countDocuments({ _id: `${clinicId}|${request.requestId}` })).toBe(0);
    }
    // 1000 is allowed.
    const { done } = await runToCompletion(listed([resident, ...tooMany.slice(2)]));
    expect(done).toMatchObject({ removedCount: 1, unchangedCount: 999 });
  });

  it('a listed number that is not valid is INVALID_ARGUMENT naming its position, without echoing it', async () => {
    const good = aResident();
    const bad = good.slice(0, 11) + ((Number(good[11]) + 1) % 10);
    const error = await failureOf(remove(listed([good, bad])));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(errorDetails(error).violations.map((v) => v.field)).toEqual(['residents.personal_identity_numbers[1]']);
    expect(error.details).not.toContain(bad.slice(2));
  });

  it('GetBulkRemoval of an unknown id is NOT_FOUND', async () => {
    const error = await failureOf(staff.getBulkRemoval({ clinicId, id: randomUUID() }));
    expect(error.code).toBe(status.NOT_FOUND);
    expect(errorDetails(error).reason).toBe('BULK_REMOVAL_NOT_FOUND');
  });

  it("another clinic's job is not revealed: NOT_FOUND as for an unknown id, and PERMISSION_DENIED on a clinic not the caller's", async () => {
    const resident = aResident();
    await approve(resident);
    const request = listed([resident]);
    await runToCompletion(request);
    const otherClinic = await sut.givenClinic();
    const atOther = await sut.staff(otherClinic);

    const viaOwnClinic = await failureOf(atOther.getBulkRemoval({ clinicId: otherClinic, id: request.requestId }));
    const unknown = await failureOf(atOther.getBulkRemoval({ clinicId: otherClinic, id: randomUUID() }));
    const viaTheirClinic = await failureOf(atOther.getBulkRemoval({ clinicId, id: request.requestId }));

    expect(viaOwnClinic.code).toBe(status.NOT_FOUND);
    expect(viaOwnClinic.details).toBe(unknown.details);
    expect(errorDetails(viaOwnClinic)).toEqual(errorDetails(unknown));
    expect(viaTheirClinic.code).toBe(status.PERMISSION_DENIED);
    for (const error of [viaOwnClinic, viaTheirClinic]) expect(error.details).not.toContain('staff-1');
    // Nor may the other clinic's staff start or resume it.
    const error = await failureOf(atOther.removeApprovals(request));
    expect(error.code).toBe(status.PERMISSION_DENIED);
  });
  it('staff may remove a list of approvals, but removing all of them needs the admin role at the clinic', async () => {
    const resident = aResident();
    await approve(resident);
    const request = all();

    const error = await failureOf(staff.removeApprovals(request));

    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(await jobs().countDocuments({ _id: `${clinicId}|${request.requestId}` })).toBe(0);
    expect(await documentOf(resident)).toMatchObject(STILL_APPROVED);
    const { done } = await runToCompletion(listed([resident]));
    expect(done).toMatchObject({ removedCount: 1 });
  });

  it("a job's id is its clinic's: the same request id at another clinic starts a job of its own", async () => {
    const resident = aResident();
    const otherClinic = await sut.givenClinic();
    const atBoth = sut.api(await signTestToken({ sub: 'staff-1', clinics: [clinicId, otherClinic] }));
    await approve(resident, clinicId, atBoth);
    await approve(resident, otherClinic, atBoth);
    const requestId = randomUUID();

    const here = (await atBoth.removeApprovals(listed([resident], { requestId }))).bulkRemoval!;
    const there = (await atBoth.removeApprovals(listed([resident], { requestId, clinicId: otherClinic }))).bulkRemoval!;

    expect(here).toMatchObject({ id: requestId, clinicId, removedCount: 1 });
    expect(there).toMatchObject({ id: requestId, clinicId: otherClinic, removedCount: 1 });
    expect((await documentOf(resident, otherClinic))?.approval).toBeNull();
    await expect(atBoth.getBulkRemoval({ clinicId: otherClinic, id: requestId })).resolves.toMatchObject({ bulkRemoval: { clinicId: otherClinic } });
  });

  describe('one bulk removal per clinic at a time', () => {
    /** A job another instance is running here: stored, unfinished, holding the clinic's mark. */
    async function runningElsewhere(residents: string[] | null): Promise<string> {
      const id = randomUUID();
      const startedAt = new Date();
      await jobs().insertOne({
        _id: `${clinicId}|${id}`,
        clinicId,
        residents,
        fingerprint: fingerprint('RemoveApprovals', { clinicId, actor: 'staff-1', residents }),
        actor: 'staff-1',
        startedAt,
        finishedAt: null,
        removed: 0,
        unchanged: 0,
      });
      await running().insertOne({ _id: clinicId, jobId: id, since: startedAt });
      return id;
    }

    it('another request meanwhile is FAILED_PRECONDITION naming the running job, and starts nothing', async () => {
      const resident = aResident();
      await approve(resident);
      const runningId = await runningElsewhere(null);

      for (const request of [all(), listed([resident])]) {
        const error = await failureOf(remove(request));
        expect(error.code).toBe(status.FAILED_PRECONDITION);
        expect(errorDetails(error).reason).toBe('BULK_REMOVAL_RUNNING');
        expect(errorInfoMetadataOf(error)).toEqual({ jobId: runningId });
        expect(error.details).toContain(runningId);
        expect(await jobs().countDocuments({ _id: `${clinicId}|${request.requestId}` })).toBe(0);
      }
      expect(await documentOf(resident)).toMatchObject(STILL_APPROVED);
      // Another clinic is not held up.
      const otherClinic = await sut.givenClinic();
      await expect(
        sut.api(await signTestToken({ sub: 'staff-1', clinics: [otherClinic], roles: ['staff', 'admin'] })).removeApprovals(all({ clinicId: otherClinic })),
      ).resolves.toBeDefined();
    });

    it('the same request joins the running job, whose end frees the clinic for the next', async () => {
      const [first, second] = distinctResidents(2) as [string, string];
      await approve(first);
      const runningId = await runningElsewhere(null);

      const joined = await doneJobAfter(remove(all({ requestId: runningId })), runningId);

      expect(joined).toMatchObject({ id: runningId, removedCount: 1 });
      expect(await running().findOne({ _id: clinicId })).toBeNull();
      await approve(second);
      const { done } = await runToCompletion(all());
      expect(done).toMatchObject({ removedCount: 1 });
      expect(await running().findOne({ _id: clinicId })).toBeNull();
    });

    it('a mark left by a finished job (its release lost in a crash) does not hold the clinic', async () => {
      const resident = aResident();
      await approve(resident);
      const finishedId = await runningElsewhere([]);
      await jobs().updateOne({ _id: `${clinicId}|${finishedId}` }, { $set: { finishedAt: new Date() } });

      const { done } = await runToCompletion(listed([resident]));

      expect(done).toMatchObject({ removedCount: 1 });
    });
  });
});
