/** Records kept for a retention period carry their own end (`expiresAt`); this removes those past it. */
export interface ExpiredRecords {
  /** Deletes every record whose end is at or before `now`; answers the count per collection. */
  purge(now: Date): Promise<{ collection: string; deleted: number }[]>;
}
