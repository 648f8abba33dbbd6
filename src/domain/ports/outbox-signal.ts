/** Told after a change with an event was stored, so publishing starts at once instead of at the next poll. */
export interface OutboxSignal {
  eventsStored(clinicId: string, resident: string): void;
}
