import { approve, removeApproval } from '../domain/access/approve';
import { emptyAccess, type AccessChanged, type ChangeStamp, type ResidentAccess } from '../domain/access/resident-access';
import { DomainError } from '../domain/errors/domain-error';
import type { AccessChange, AccessRepository, AccessSelection, RequestOutcome, SaveResult, StoredAccess } from '../domain/ports/access-repository';
import type { RequestKey } from '../domain/ports/request-registry';
import { KeyedQueue } from '../shared/keyed-queue';
import { changeEachAccess, changeManyAccesses } from './change-many-accesses';
import { changeResidentAccess, type ChangeDeps, type ChangeRequest } from './change-resident-access';
import { sweepResidents, SweepInterrupted } from './resident-sweep';

const CLINIC = 'SE2321000016-1234';
const ALICE = '191212121212';
const BOB = '200001012384';
const CAROL = '198112289874';
const NOW = new Date('2026-05-01T10:00:00Z');
const stamp = (requestId: string): ChangeStamp => ({ actor: 'staff-1', at: NOW, requestId });
const approving = (requestId: string) => (current: ResidentAccess) => approve(current, stamp(requestId), `event-${requestId}-${current.version}`);
const removing = (requestId: string) => (current: ResidentAccess) => removeApproval(current, stamp(requestId), `event-${requestId}-${current.version}`);

/**
 * Accesses in memory, stored as the MongoDB repository does: compare-and-set on the revision, the
 * outcome recorded with every write, the events kept. `interfere(resident)` is another writer: it
 * changes the document between this process's read and write.
 */
class MemoryAccesses implements AccessRepository {
  readonly documents = new Map<string, StoredAccess>();
  readonly events: AccessChanged[] = [];
  readonly calls: string[] = [];
  private interfering = new Map<string, number>();

  interfere(resident: string, times = 1): void {
    this.interfering.set(resident, times);
  }

  put(access: ResidentAccess, recentRequests: RequestOutcome[] = []): void {
    this.documents.set(access.resident, { access, recentRequests, revision: access.version + recentRequests.length });
  }

  async find(_clinicId: string, resident: string): Promise<StoredAccess | null> {
    this.calls.push(`find ${resident}`);
    return this.documents.get(resident) ?? null;
  }

  async stateAt(_clinicId: string, resident: string, version: number): Promise<ResidentAccess | null> {
    return this.events.find((e) => e.access.resident === resident && e.version === version)?.access ?? null;
  }

  async save(change: AccessChange): Promise<SaveResult> {
    this.calls.push(`save ${change.access.resident}`);
    return this.write(change);
  }

  async saveAll(changes: readonly AccessChange[]): Promise<SaveResult[]> {
    this.calls.push(`saveAll ${changes.map((c) => c.access.resident).join(',')}`);
    return changes.map((c) => this.write(c));
  }

  async findDue(): Promise<StoredAccess[]> {
    return [];
  }

  async *pages(selection: AccessSelection, pageSize: number): AsyncIterable<StoredAccess[]> {
    if (!('residents' in selection)) throw new Error('only resident selections are kept in memory');
    for (let i = 0; i < selection.residents.length; i += pageSize) {
      this.calls.push(`page ${i / pageSize}`);
      yield selection.residents.slice(i, i + pageSize).map((r) => this.documents.get(r) ?? { access: emptyAccess(selection.clinicId, r), recentRequests: [], revision: 0 });
    }
  }

  private write(change: AccessChange): SaveResult {
    const resident = change.access.resident;
    const left = this.interfering.get(resident) ?? 0;
    if (left > 0) {
      this.interfering.set(resident, left - 1);
      const moved = this.documents.get(resident);
      const base = moved?.access ?? emptyAccess(CLINIC, resident);
      const other = { ...base, approval: base.approval ? null : { actor: 'other', at: NOW, requestId: 'other' }, version: base.version + 1 };
      this.documents.set(resident, { access: other, recentRequests: moved?.recentRequests ?? [], revision: (moved?.revision ?? 0) + 1 });
    }
    const current = this.documents.get(resident);
    if ((current?.revision ?? 0) !== change.stored.revision) return 'conflict';
    this.documents.set(resident, { access: change.access, recentRequests: [...change.stored.recentRequests, change.outcome], revision: change.stored.revision + 1 });
    if (change.event) this.events.push(change.event);
    return 'saved';
  }
}

function setup(maxAttempts = 3) {
  const repository = new MemoryAccesses();
  const reserved: { key: RequestKey; fingerprint: string }[] = [];
  const viewed: string[] = [];
  const signalled: string[] = [];
  const deps: ChangeDeps = {
    repository,
    requests: {
      reserve: async (key, fingerprint) => {
        const earlier = reserved.find((r) => r.key.clinicId === key.clinicId && r.key.caller === key.caller && r.key.requestId === key.requestId);
        if (!earlier) reserved.push({ key, fingerprint });
        return { existingFingerprint: earlier?.fingerprint ?? null, expiresAt: new Date('2026-05-08T10:00:00Z') };
      },
    },
    outboxSignal: { eventsStored: (clinicId, resident) => void signalled.push(`${clinicId} ${resident}`) },
    queue: new KeyedQueue(),
    views: {
      changed: async (access) => void viewed.push(`${access.resident} v${access.version}`),
      changedMany: async (accesses) => void viewed.push(accesses.map((a) => `${a.resident} v${a.version}`).join(',')),
    },
    tuning: { maxAttempts, sweepPageSize: 2, retryConcurrency: 2 },
  };
  return { deps, repository, reserved, viewed, signalled };
}

const request = (resident: string, requestId: string, decide: ChangeRequest['decide'], extra: Partial<ChangeRequest> = {}): ChangeRequest => ({
  clinicId: CLINIC,
  resident,
  requestId,
  fingerprint: `fp-${requestId}`,
  reservedFor: 'staff-1',
  decide,
  ...extra,
});

async function codeAndMessage(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return `${error.code}: ${error.message}`;
}

describe('changeResidentAccess', () => {
  it('stores a change with its event and outcome, then updates the view and signals the relay', async () => {
    const { deps, repository, reserved, viewed, signalled } = setup();
    const result = await changeResidentAccess(deps, request(ALICE, 'r1', approving('r1')), NOW);
    expect(result).toEqual({ changed: true, access: { ...emptyAccess(CLINIC, ALICE), approval: stamp('r1'), version: 1 } });
    expect(repository.documents.get(ALICE)).toEqual({
      access: result.access,
      recentRequests: [{ requestId: 'r1', fingerprint: 'fp-r1', changed: true, version: 1, expiresAt: new Date('2026-05-08T10:00:00Z') }],
      revision: 1,
    });
    expect(repository.events.map((e) => [e.cause, e.version])).toEqual([['APPROVED', 1]]);
    expect(reserved).toEqual([{ key: { clinicId: CLINIC, caller: 'staff-1', requestId: 'r1' }, fingerprint: 'fp-r1' }]);
    expect(viewed).toEqual([`${ALICE} v1`]);
    expect(signalled).toEqual([`${CLINIC} ${ALICE}`]);
  });

  it('stores nothing for a no-op on a resident never stored', async () => {
    const { deps, repository, viewed, signalled } = setup();
    const result = await changeResidentAccess(deps, request(ALICE, 'r1', removing('r1')), NOW);
    expect(result).toEqual({ changed: false, access: emptyAccess(CLINIC, ALICE) });
    expect(repository.documents.size).toBe(0);
    expect([viewed, signalled]).toEqual([[], []]);
  });

  it('records a no-op on a stored access without an event, a view update or a signal', async () => {
    const { deps, repository, viewed, signalled } = setup();
    await changeResidentAccess(deps, request(ALICE, 'r1', approving('r1')), NOW);
    const result = await changeResidentAccess(deps, request(ALICE, 'r2', approving('r2')), NOW);
    expect(result.changed).toBe(false);
    expect(repository.documents.get(ALICE)?.recentRequests.map((r) => [r.requestId, r.changed, r.version])).toEqual([
      ['r1', true, 1],
      ['r2', false, 1],
    ]);
    expect(repository.events).toHaveLength(1);
    expect([viewed, signalled.length]).toEqual([[`${ALICE} v1`], 1]);
  });

  it('replays a repeated request with the access it answered, without reserving for a job', async () => {
    const { deps, repository, reserved } = setup();
    const first = await changeResidentAccess(deps, request(ALICE, 'job-1', approving('job-1'), { reservedFor: null }), NOW);
    await changeResidentAccess(deps, request(ALICE, 'r2', removing('r2')), NOW);
    const again = await changeResidentAccess(deps, request(ALICE, 'job-1', approving('job-1'), { reservedFor: null }), NOW);
    expect(again).toEqual({ changed: true, access: first.access, replayed: true });
    expect(repository.documents.get(ALICE)?.access.version).toBe(2);
    expect(reserved.map((r) => r.key.requestId)).toEqual(['r2']);
    expect(repository.documents.get(ALICE)?.recentRequests[0]).not.toHaveProperty('expiresAt');
  });

  it('decides anew once the recorded outcome has expired, and refuses a reused id with another meaning', async () => {
    const { deps, repository } = setup();
    const outcome = { requestId: 'r1', fingerprint: 'fp-r1', changed: false, version: 0 };
    repository.put(emptyAccess(CLINIC, ALICE), [{ ...outcome, expiresAt: NOW }]);
    expect(await changeResidentAccess(deps, request(ALICE, 'r1', approving('r1'), { reservedFor: null }), NOW)).toMatchObject({ changed: true, access: { version: 1 } });
    repository.put(emptyAccess(CLINIC, BOB), [{ ...outcome, expiresAt: new Date(NOW.getTime() + 1) }]);
    expect(await changeResidentAccess(deps, request(BOB, 'r1', approving('r1'), { reservedFor: null }), NOW)).toEqual({ changed: false, access: emptyAccess(CLINIC, BOB), replayed: true });
    // The same id under another fingerprint (another caller's, or a job's) is not this request's outcome.
    repository.put(emptyAccess(CLINIC, CAROL), [{ ...outcome, fingerprint: 'fp-another-caller', expiresAt: new Date(NOW.getTime() + 1) }]);
    expect(await changeResidentAccess(deps, request(CAROL, 'r1', approving('r1'), { reservedFor: null }), NOW)).toMatchObject({ changed: true, access: { version: 1 } });
    // Another request id with the same meaning is a new request.
    expect(await changeResidentAccess(deps, request(BOB, 'r9', approving('r9'), { reservedFor: null, fingerprint: 'fp-r1' }), NOW)).toMatchObject({ changed: true, access: { version: 1 } });
    await changeResidentAccess(deps, request(CAROL, 'r3', approving('r3')), NOW);
    expect(await codeAndMessage(changeResidentAccess(deps, request(CAROL, 'r3', removing('r3'), { fingerprint: 'fp-other' }), NOW))).toBe(
      'REQUEST_ID_REUSED: request_id was already used for a different request',
    );
  });

  it("checks the caller's etag against the stored access", async () => {
    const { deps } = setup();
    await changeResidentAccess(deps, request(ALICE, 'r1', approving('r1')), NOW);
    expect(await codeAndMessage(changeResidentAccess(deps, request(ALICE, 'r2', removing('r2'), { etag: 'W/"0"' }), NOW))).toBe(
      'STALE_ETAG: etag does not match the current access; read it again',
    );
    expect((await changeResidentAccess(deps, request(ALICE, 'r3', removing('r3'), { etag: 'W/"1"' }), NOW)).changed).toBe(true);
  });

  it('decides again on what another writer stored, and gives up after the last attempt', async () => {
    const { deps, repository } = setup(2);
    repository.put({ ...emptyAccess(CLINIC, ALICE), version: 4 });
    repository.interfere(ALICE);
    // The other writer approved first: approving again changes nothing.
    expect(await changeResidentAccess(deps, request(ALICE, 'r1', approving('r1')), NOW)).toMatchObject({ changed: false, access: { version: 5 } });
    repository.interfere(ALICE, 2);
    expect(await codeAndMessage(changeResidentAccess(deps, request(ALICE, 'r2', approving('r2')), NOW))).toBe('CONCURRENT_MODIFICATION: too many concurrent changes to this resident; retry');
  });

  it('queues changes per resident only: one resident waiting does not hold up another', async () => {
    const { deps, repository } = setup();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const find = repository.find.bind(repository);
    repository.find = async (clinicId, resident) => {
      if (resident === ALICE) await held;
      return find(clinicId, resident);
    };
    const alice = changeResidentAccess(deps, request(ALICE, 'r1', approving('r1')), NOW);
    expect((await changeResidentAccess(deps, request(BOB, 'r2', approving('r2')), NOW)).changed).toBe(true);
    release();
    expect((await alice).changed).toBe(true);
  });
});

describe('changeManyAccesses', () => {
  it('decides a batch on one read and stores its changes together, in the order given', async () => {
    const { deps, repository, viewed, signalled } = setup();
    repository.put({ ...emptyAccess(CLINIC, ALICE), approval: stamp('r0'), version: 1 });
    repository.put({ ...emptyAccess(CLINIC, BOB), approval: stamp('r0'), version: 1 });
    repository.put({ ...emptyAccess(CLINIC, CAROL), version: 3 });
    const batch = [ALICE, CAROL, BOB].map((r) => repository.documents.get(r)!);
    const results = await changeManyAccesses(deps, batch, { requestId: 'job-1', fingerprint: 'removal:job-1', decide: removing('job-1') }, NOW);
    expect(results.map((r) => [r.access.resident, r.changed, r.access.version])).toEqual([
      [ALICE, true, 2],
      [CAROL, false, 3],
      [BOB, true, 2],
    ]);
    expect(repository.calls).toEqual([`saveAll ${ALICE},${BOB}`]);
    expect(repository.documents.get(ALICE)?.recentRequests).toEqual([{ requestId: 'job-1', fingerprint: 'removal:job-1', changed: true, version: 2 }]);
    expect(repository.events.map((e) => [e.access.resident, e.cause])).toEqual([
      [ALICE, 'APPROVAL_REMOVED'],
      [BOB, 'APPROVAL_REMOVED'],
    ]);
    expect(viewed).toEqual([`${ALICE} v2,${BOB} v2`]);
    expect(signalled).toEqual([`${CLINIC} ${ALICE}`, `${CLINIC} ${BOB}`]);
  });

  it('writes nothing for a batch of no-ops', async () => {
    const { deps, repository, viewed } = setup();
    repository.put({ ...emptyAccess(CLINIC, ALICE), version: 2 });
    const results = await changeManyAccesses(deps, [repository.documents.get(ALICE)!], { requestId: 'job-1', fingerprint: 'f', decide: removing('job-1') }, NOW);
    expect(results).toEqual([{ changed: false, access: repository.documents.get(ALICE)!.access }]);
    expect([repository.calls, viewed]).toEqual([[], []]);
  });

  it('creates a document never stored with the batch (an insert), and retries a lost race singly on a fresh read', async () => {
    const { deps, repository, viewed } = setup();
    repository.put({ ...emptyAccess(CLINIC, BOB), version: 1 });
    repository.interfere(BOB);
    const batch: StoredAccess[] = [{ access: emptyAccess(CLINIC, ALICE), recentRequests: [], revision: 0 }, repository.documents.get(BOB)!];
    const results = await changeManyAccesses(deps, batch, { requestId: 'job-1', fingerprint: 'f', decide: approving('job-1') }, NOW);
    // Bob was approved by the other writer meanwhile: deciding again on that changes nothing.
    expect(results.map((r) => [r.access.resident, r.changed, r.access.version])).toEqual([
      [ALICE, true, 1],
      [BOB, false, 2],
    ]);
    // Only what was stored reaches the view: not Bob's lost write.
    expect(viewed).toEqual([`${ALICE} v1`]);
    expect(repository.calls).toEqual([`saveAll ${ALICE},${BOB}`, `find ${BOB}`, `save ${BOB}`]);
  });

  it('replays a document that recorded the batch, with the access it answered then', async () => {
    const { deps, repository } = setup();
    repository.put({ ...emptyAccess(CLINIC, ALICE), approval: stamp('r0'), version: 1 });
    const request = { requestId: 'job-1', fingerprint: 'f', decide: removing('job-1') };
    const [first] = await changeManyAccesses(deps, [repository.documents.get(ALICE)!], request, NOW);
    await changeResidentAccess(deps, { ...requestFor(ALICE, 'r2'), decide: approving('r2') }, NOW);
    const [again] = await changeManyAccesses(deps, [repository.documents.get(ALICE)!], request, NOW);
    expect(again).toEqual({ changed: true, access: first!.access, replayed: true });
    expect(repository.documents.get(ALICE)?.access.version).toBe(3);
  });
});

describe('changeEachAccess', () => {
  it('stores each item under its own request id in one batch; a second item of one document follows it on its own (the writes of a batch may apply in any order); a repeat replays each', async () => {
    const { deps, repository } = setup();
    repository.put({ ...emptyAccess(CLINIC, BOB), version: 1 });
    const notStored: StoredAccess = { access: emptyAccess(CLINIC, ALICE), recentRequests: [], revision: 0 };
    const items = () => [
      { stored: notStored, request: { requestId: 'import-1:1', fingerprint: 'f1', decide: approving('import-1:1') } },
      { stored: repository.documents.get(BOB)!, request: { requestId: 'import-1:2', fingerprint: 'f2', decide: approving('import-1:2') } },
      // The same resident again (another line): kept out of the batch, decided after line 1 on its own.
      { stored: notStored, request: { requestId: 'import-1:3', fingerprint: 'f3', decide: approving('import-1:3') } },
    ];
    const results = await changeEachAccess(deps, items(), NOW);
    expect(results.map((r) => [r.access.resident, r.changed, r.access.version])).toEqual([
      [ALICE, true, 1],
      [BOB, true, 2],
      // Alice was approved by line 1 meanwhile: nothing to do.
      [ALICE, false, 1],
    ]);
    expect(repository.calls).toEqual([`saveAll ${ALICE},${BOB}`, `find ${ALICE}`, `save ${ALICE}`]);
    expect(repository.documents.get(BOB)?.recentRequests).toEqual([{ requestId: 'import-1:2', fingerprint: 'f2', changed: true, version: 2 }]);

    const again = await changeEachAccess(
      deps,
      [items()[0]!, items()[1]!].map((item, i) => ({ ...item, stored: repository.documents.get(i === 0 ? ALICE : BOB)! })),
      NOW,
    );
    expect(again.map((r) => [r.changed, r.replayed])).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(repository.events).toHaveLength(2);
  });

  it("applies one document's items in their order, each after the one before (approve, remove, approve: versions 1, 2, 3)", async () => {
    const { deps, repository } = setup();
    const notStored: StoredAccess = { access: emptyAccess(CLINIC, ALICE), recentRequests: [], revision: 0 };
    const results = await changeEachAccess(
      deps,
      [
        { stored: notStored, request: { requestId: 'import-2:1', fingerprint: 'f1', decide: approving('import-2:1') } },
        { stored: notStored, request: { requestId: 'import-2:2', fingerprint: 'f2', decide: removing('import-2:2') } },
        { stored: notStored, request: { requestId: 'import-2:3', fingerprint: 'f3', decide: approving('import-2:3') } },
      ],
      NOW,
    );
    expect(results.map((r) => [r.changed, r.access.version])).toEqual([
      [true, 1],
      [true, 2],
      [true, 3],
    ]);
    expect(repository.events.map((e) => [e.cause, e.access.version])).toEqual([
      ['APPROVED', 1],
      ['APPROVAL_REMOVED', 2],
      ['APPROVED', 3],
    ]);
  });
});

function requestFor(resident: string, requestId: string): Omit<ChangeRequest, 'decide'> {
  return { clinicId: CLINIC, resident, requestId, fingerprint: `fp-${requestId}`, reservedFor: 'staff-1' };
}

describe('sweepResidents', () => {
  const job = { id: 'job-7', operation: 'BulkRemoval' };
  const selection = { clinicId: CLINIC, residents: [ALICE, BOB, CAROL] };

  it('changes the selection a page at a time, reporting each result, under the job id', async () => {
    const { deps, repository } = setup();
    repository.put({ ...emptyAccess(CLINIC, ALICE), approval: stamp('r0'), version: 1 });
    repository.put({ ...emptyAccess(CLINIC, CAROL), approval: stamp('r0'), version: 1 });
    const results: boolean[] = [];
    await sweepResidents(
      deps,
      job,
      selection,
      removing(job.id),
      (changed) => results.push(changed),
      () => NOW,
    );
    expect(results).toEqual([true, false, true]);
    expect(repository.calls).toEqual(['page 0', `saveAll ${ALICE}`, 'page 1', `saveAll ${CAROL}`]);
    expect(repository.documents.get(CAROL)?.recentRequests).toEqual([{ requestId: 'job-7', fingerprint: 'BulkRemoval:job-7', changed: true, version: 2 }]);
  });

  it('run again after a crash, replays instead of changing twice', async () => {
    const { deps, repository } = setup();
    repository.put({ ...emptyAccess(CLINIC, ALICE), approval: stamp('r0'), version: 1 });
    const sweep = () =>
      sweepResidents(
        deps,
        job,
        selection,
        removing(job.id),
        () => undefined,
        () => NOW,
      );
    await sweep();
    await changeResidentAccess(deps, { ...requestFor(ALICE, 'r2'), decide: approving('r2') }, NOW);
    await sweep();
    expect(repository.documents.get(ALICE)?.access).toMatchObject({ approval: stamp('r2'), version: 3 });
  });

  it('stops between pages when aborted, and says so', async () => {
    const { deps, repository } = setup();
    const controller = new AbortController();
    const pages: number[] = [];
    const sweep = sweepResidents(
      deps,
      job,
      selection,
      approving(job.id),
      () => pages.push(repository.calls.filter((c) => c.startsWith('page')).length) && controller.abort(),
      () => NOW,
      controller.signal,
    );
    await expect(sweep).rejects.toBeInstanceOf(SweepInterrupted);
    await expect(sweep).rejects.toThrow('sweep interrupted by shutdown');
    await expect(sweep).rejects.toHaveProperty('name', 'SweepInterrupted');
    expect(repository.calls.filter((c) => c.startsWith('page'))).toEqual(['page 0', 'page 1']);
    expect([...repository.documents.keys()]).toEqual([ALICE, BOB]);
    expect(pages).toEqual([1, 1]);
  });

  it('finishes without complaint when not aborted', async () => {
    const { deps } = setup();
    await expect(
      sweepResidents(
        deps,
        job,
        selection,
        approving(job.id),
        () => undefined,
        () => NOW,
        new AbortController().signal,
      ),
    ).resolves.toBeUndefined();
  });
});
