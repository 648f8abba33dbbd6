import type { JobPosition } from '../domain/ports/republish-job-store';

/** Jobs started at or before the position (the use case drops the position's own and later ties). */
export function startedBefore(before: JobPosition | null): { startedAt?: { $lte: Date } } {
  return before ? { startedAt: { $lte: before.startedAt } } : {};
}
