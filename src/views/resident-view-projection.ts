import type { AccessChanged, ResidentAccess } from '../domain/access/resident-access';
import type { ResidentViews } from '../domain/ports/resident-views';

/**
 * Keeps the per-resident views current without multi-document transactions:
 * - a command applies its change to the view right after storing it, before it answers, so the
 *   instance that acknowledged a change already serves it;
 * - the relay, before publishing a document's events, applies what no command here confirmed (a
 *   crash between the two writes, a failed view write, another instance's change), so every
 *   stored change reaches the view at least once, and at latest with its event.
 * Entries only move to newer versions, so repeats and any order are harmless.
 */
export class ResidentViewProjection {
  /** `clinic|resident` → the newest version this instance wrote to the view. */
  private readonly confirmed = new Map<string, number>();

  constructor(
    private readonly views: ResidentViews,
    private readonly onFailure: (error: unknown) => void,
    /** Confirmations kept for the relay; past this, the oldest go and the relay re-applies (idempotent). */
    private readonly maxConfirmations: number,
  ) {}

  /** After a command stored `access`. A failure is reported, not thrown: the change is stored, and the relay catches the view up. */
  changed(access: ResidentAccess): Promise<void> {
    return this.changedMany([access]);
  }

  /** After a batch of changes was stored (expiry, sweeps); as `changed`. */
  async changedMany(accesses: readonly ResidentAccess[]): Promise<void> {
    try {
      await this.views.apply(accesses);
      for (const access of accesses) this.confirm(keyOf(access), access.version);
    } catch (error) {
      this.onFailure(error);
    }
  }

  /** The relay's step before publishing: the view reflects every event it is about to send. */
  async catchUp(events: readonly AccessChanged[]): Promise<void> {
    const newest = new Map<string, ResidentAccess>();
    for (const event of events) {
      const key = keyOf(event.access);
      if ((newest.get(key)?.version ?? -1) < event.access.version) newest.set(key, event.access);
    }
    const behind = [...newest.values()].filter((access) => (this.confirmed.get(keyOf(access)) ?? -1) < access.version);
    if (behind.length > 0) await this.views.apply(behind);
    // Published from here on: the confirmations are no longer needed.
    for (const [key, access] of newest) if ((this.confirmed.get(key) ?? -1) <= access.version) this.confirmed.delete(key);
  }

  private confirm(key: string, version: number): void {
    if ((this.confirmed.get(key) ?? -1) >= version) return;
    this.confirmed.delete(key);
    this.confirmed.set(key, version);
    if (this.confirmed.size > this.maxConfirmations) this.confirmed.delete(this.confirmed.keys().next().value!);
  }
}

function keyOf(access: ResidentAccess): string {
  return `${access.clinicId}|${access.resident}`;
}
