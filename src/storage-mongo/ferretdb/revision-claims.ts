import type { Collection } from 'mongodb';
import { insertNew } from '../insert-new';
import { isDuplicateKey } from '../mongo-errors';
import { TUNING } from '../../config/config';

export const REVISION_CLAIMS_COLLECTION = 'revision_claims';

export interface RevisionClaimDocument {
  /** `<collection>|<document id>|r<revision>#<generation>` */
  _id: string;
  at: Date;
}

export interface RevisionClaimOptions {
  /** A claim older than this whose revision never got written is taken over (its writer died). */
  abandonAfterMs: number;
  /** How long a writer waits for another's claimed write to land before reporting a conflict, looking every `pollMs`. */
  waitForClaimantMs: number;
  pollMs: number;
  /** Claims older than this are deleted, in the background, at most once per `sweepEveryMs`. */
  keepMs: number;
  sweepEveryMs: number;
}

/** The service's claim options, with STORAGE_CLAIM_TIMEOUT_MS's default (for tests and tools). */
export const DEFAULT_CLAIM_OPTIONS: RevisionClaimOptions = { ...TUNING.ferretdb.claims, abandonAfterMs: 30_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The compare-and-set of every document write, made of an insert: whoever inserts the claim for
 * revision n+1 of a document is the one writer allowed to move it from n to n+1, in any process.
 * An insert against the unique `_id` is atomic on MongoDB and on FerretDB 1.x, whose conditional
 * updates are not (docs/ferretdb.md). Claims are timed with the wall clock, never the service's
 * injectable clock: they are about processes being alive, not about business time.
 */
export class RevisionClaims {
  private lastSweep = Date.now();

  constructor(
    private readonly collection: Collection<RevisionClaimDocument>,
    private readonly options: RevisionClaimOptions = DEFAULT_CLAIM_OPTIONS,
  ) {}

  /**
   * A revision read less than this long ago needs no re-read under its claim: had another writer
   * moved the document since, that writer's claim would still exist (claims live `keepMs`), so
   * this caller's claim would have failed.
   */
  get observationFreshForMs(): number {
    return this.options.keepMs / 2;
  }

  /**
   * True if this caller now owns the move of `documentKey` to `revision`. False when another
   * writer made (or is making) that move: the caller re-reads and decides again.
   * `currentRevision` reads the document's stored revision (null when it is gone).
   */
  async claim(documentKey: string, revision: number, currentRevision: () => Promise<number | null>): Promise<boolean> {
    this.sweepNowAndThen();
    // Generations exist only for take-overs of claims whose writer died before writing.
    for (let generation = 0; ; generation++) {
      const id = `${documentKey}|r${revision}#${generation}`;
      if (await this.insert(id)) return true;
      const existing = await this.collection.findOne({ _id: id });
      const stored = await currentRevision();
      if (stored === null || stored >= revision) return false;
      const age = existing ? Date.now() - existing.at.getTime() : Infinity;
      if (age < this.options.abandonAfterMs) {
        await this.waitForRevision(revision, currentRevision);
        return false;
      }
      // Abandoned: its revision was never written. The next generation decides who takes over.
    }
  }

  /**
   * Claims many moves in one `insertMany` (one SQL statement on FerretDB). No waiting and no
   * take-over here: a claim that is taken answers false, and the caller goes the one-by-one way.
   */
  async claimAll(moves: readonly { documentKey: string; revision: number }[]): Promise<boolean[]> {
    this.sweepNowAndThen();
    const claimed = moves.map(() => true);
    if (moves.length === 0) return claimed;
    const at = new Date();
    const taken = await insertNew(
      this.collection,
      moves.map((m) => ({ _id: `${m.documentKey}|r${m.revision}#0`, at })),
    );
    for (const index of taken) claimed[index] = false;
    return claimed;
  }

  private async insert(id: string): Promise<boolean> {
    try {
      await this.collection.insertOne({ _id: id, at: new Date() });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** Gives a live claimant a moment to land its write, so the caller's re-read sees it. */
  private async waitForRevision(revision: number, currentRevision: () => Promise<number | null>): Promise<void> {
    const deadline = Date.now() + this.options.waitForClaimantMs;
    while (Date.now() < deadline) {
      await sleep(this.options.pollMs);
      const stored = await currentRevision();
      if (stored === null || stored >= revision) return;
    }
  }

  /** Claims are useless once their write landed; old ones go, without holding up the writer. */
  private sweepNowAndThen(): void {
    const now = Date.now();
    if (now - this.lastSweep < this.options.sweepEveryMs) return;
    this.lastSweep = now;
    this.collection.deleteMany({ at: { $lt: new Date(now - this.options.keepMs) } }).catch(() => {
      // Best effort: the next sweep tries again, and a left-over claim only takes space.
    });
  }
}
