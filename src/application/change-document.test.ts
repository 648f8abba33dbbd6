import { DomainError } from '../domain/errors/domain-error';
import type { SaveResult } from '../domain/ports/access-repository';
import { KeyedQueue } from '../shared/keyed-queue';
import { changeDocument, type DocumentPort, type RecordedRequest, type StoredDocument } from './change-document';

type Counter = { value: number };
type Outcome = RecordedRequest & { counter: Counter };
type Decision = { changed: boolean; state: Counter };

/** One counter document in memory; `conflicts` writes are lost to another writer first. */
function counterDocument(conflicts = 0) {
  let stored: StoredDocument<Counter, Outcome> | null = null;
  const changes: Counter[] = [];
  let lost = conflicts;
  const port: DocumentPort<Counter, Decision, Outcome, StoredDocument<Counter, Outcome>> = {
    key: 'counter|1',
    find: async () => stored,
    empty: () => ({ value: 0 }),
    etag: (state) => `v${state.value}`,
    replayedState: (outcome) => outcome.counter,
    save: async (decision, read, outcome): Promise<SaveResult> => {
      if (lost > 0 && lost--) return 'conflict';
      stored = { state: decision.state, recentRequests: [...(read?.recentRequests ?? []), { ...outcome, counter: decision.state }], revision: (read?.revision ?? 0) + 1 };
      return 'saved';
    },
    changed: async (decision) => void changes.push(decision.state),
    messages: { staleEtag: 'stale counter', contended: 'busy counter' },
  };
  return { port, changes };
}

const reservations = new Map<string, string>();
const deps = {
  queue: new KeyedQueue(),
  requests: {
    reserve: async (key: { clinicId: string; caller: string; requestId: string }, fingerprint: string) => {
      const id = `${key.clinicId}|${key.caller}|${key.requestId}`;
      const existing = reservations.get(id) ?? null;
      if (!existing) reservations.set(id, fingerprint);
      return { existingFingerprint: existing, expiresAt: new Date('2030-01-01') };
    },
  },
};
const now = new Date('2025-01-01T12:00:00Z');
const request = (requestId: string, fingerprint = 'add-one', etag?: string) => ({ requestId, fingerprint, etag, reserveFor: { clinicId: 'c', caller: 'staff' }, now });
const addOne = (current: Counter): Decision => ({ changed: true, state: { value: current.value + 1 } });

async function codeOf(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  return error instanceof DomainError ? error.code : String(error);
}

describe('changeDocument', () => {
  it('stores the decision and tells the hooks once', async () => {
    const { port, changes } = counterDocument();
    const result = await changeDocument(deps, port, request('r1'), addOne);
    expect(result).toEqual({ changed: true, state: { value: 1 } });
    expect(changes).toEqual([{ value: 1 }]);
  });

  it('replays a request id it recorded instead of deciding again', async () => {
    const { port, changes } = counterDocument();
    await changeDocument(deps, port, request('r2'), addOne);
    const again = await changeDocument(deps, port, request('r2'), addOne);
    expect(again).toEqual({ changed: true, state: { value: 1 }, replayed: true });
    expect(changes).toHaveLength(1);
  });

  it('refuses a request id used for another request', async () => {
    const { port } = counterDocument();
    await changeDocument(deps, port, request('r3'), addOne);
    expect(await codeOf(changeDocument(deps, port, request('r3', 'add-two'), addOne))).toBe('REQUEST_ID_REUSED');
  });

  it('refuses a stale etag before deciding', async () => {
    const { port } = counterDocument();
    await changeDocument(deps, port, request('r4'), addOne);
    expect(await codeOf(changeDocument(deps, port, request('r5', 'add-one', 'v0'), addOne))).toBe('STALE_ETAG');
    expect(await changeDocument(deps, port, request('r6', 'add-one', 'v1'), addOne)).toEqual({ changed: true, state: { value: 2 } });
  });

  it('checks an etag given for a document never stored against the empty state, storing nothing when it differs', async () => {
    const { port, changes } = counterDocument();
    expect(await codeOf(changeDocument(deps, port, request('r10', 'add-one', 'v4'), addOne))).toBe('STALE_ETAG');
    expect(await port.find()).toBeNull();
    expect(changes).toEqual([]);
    expect(await changeDocument(deps, port, request('r11', 'add-one', 'v0'), addOne)).toEqual({ changed: true, state: { value: 1 } });
  });

  it('re-reads and decides again after a lost race, up to eight attempts', async () => {
    const sevenLost = counterDocument(7);
    expect(await changeDocument(deps, sevenLost.port, request('r7'), addOne)).toEqual({ changed: true, state: { value: 1 } });
    const eightLost = counterDocument(8);
    expect(await codeOf(changeDocument(deps, eightLost.port, request('r8'), addOne))).toBe('CONCURRENT_MODIFICATION');
    expect(eightLost.changes).toEqual([]);
  });

  it('creates no document for a no-op', async () => {
    const { port, changes } = counterDocument();
    const result = await changeDocument(deps, port, request('r9'), (current) => ({ changed: false, state: current }));
    expect(result).toEqual({ changed: false, state: { value: 0 } });
    expect(await port.find()).toBeNull();
    expect(changes).toEqual([]);
  });
});
