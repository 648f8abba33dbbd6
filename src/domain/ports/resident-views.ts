import type { ResidentAccess } from '../access/resident-access';
import type { ResidentView } from '../access/resident-view';

/** Storage of the per-resident views (one document per resident). */
export interface ResidentViews {
  find(resident: string): Promise<ResidentView | null>;
  /**
   * Brings the views up to these accesses: an entry is replaced only by a newer version, so
   * applying the same or an older access again changes nothing (any order, any number of writers).
   */
  apply(accesses: readonly ResidentAccess[]): Promise<void>;
  /** Every stored access, in batches, for a rebuild. */
  scanAccesses(batchSize: number): AsyncIterable<ResidentAccess[]>;
  /** Whether the views were ever built completely (the marker a rebuild leaves). */
  isBuilt(): Promise<boolean>;
  markBuilt(at: Date): Promise<void>;
}
