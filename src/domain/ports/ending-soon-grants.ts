import type { StoredAccess } from './access-repository';

/** Clinics that want reminders, by their days before a grant's end. */
export type ReminderDays = ReadonlyMap<string, number>;

/** The reminder scan's reads: its own due-time query beside the expiry's. */
export interface EndingSoonGrants {
  /**
   * Up to `limit` accesses at those clinics with a grant whose last day is from `today` to `today`
   * + the clinic's days and whose end date has not been reminded, in one read.
   */
  findDue(days: ReminderDays, today: string, limit: number): Promise<StoredAccess[]>;
}
