import type { ResidentAccess } from '../access/resident-access';
import type { ResidentView } from '../access/resident-view';
import type { ResidentHome } from '../identity/registered-resident';

/** Storage of the per-resident views (one document per resident). */
export interface ResidentViews {
  find(resident: string): Promise<ResidentView | null>;
  /**
   * Brings the views up to these accesses: an entry is replaced only by a newer version, so
   * applying the same or an older access again changes nothing (any order, any number of writers).
   */
  apply(accesses: readonly ResidentAccess[]): Promise<void>;
  /** Sets where the register has each resident (null: not registered), as the register read model says now. */
  applyHomes(homes: readonly ResidentHomeUpdate[]): Promise<void>;
  /** Every stored access, in batches, for a rebuild. */
  scanAccesses(batchSize: number): AsyncIterable<ResidentAccess[]>;
  /**
   * For a rebuild: every resident's home as the register read model has it, and null for each
   * resident whose view holds a home the register no longer has.
   */
  scanHomes(batchSize: number): AsyncIterable<ResidentHomeUpdate[]>;
  /** Whether the views were ever built completely (the marker a rebuild leaves). */
  isBuilt(): Promise<boolean>;
  markBuilt(at: Date): Promise<void>;
}

export interface ResidentHomeUpdate {
  resident: string;
  home: ResidentHome | null;
}
