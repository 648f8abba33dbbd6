/** The use cases' fixed numbers (none is read from the environment). */
export const APPLICATION_TUNING = {
  /** A failed bulk removal, withdrawal or republish run is tried again after a delay growing from initialMs to maxMs. */
  backgroundRunBackoff: { initialMs: 1000, maxMs: 60_000 },
  /**
   * The change loop. maxAttempts: compare-and-set attempts per change, enough for any realistic
   * contention on one document (beyond it: CONCURRENT_MODIFICATION, the caller retries);
   * sweepPageSize: accesses a sweep reads and changes together (one read, a few writes);
   * retryConcurrency: a batch's lost races are retried one by one, this many at a time.
   */
  changes: { maxAttempts: 8, sweepPageSize: 200, retryConcurrency: 8 },
  /**
   * Bulk jobs save their progress every so many residents (a crash repeats at most this many, as
   * replays). A bulk removal's hold on its clinic whose job was never stored (its instance died
   * between the two writes) is let go after `unstoredJobGraceMs`; holding is tried `holdAttempts` times.
   */
  bulkJobs: { removalProgressEvery: 500, republishProgressEvery: 200, unstoredJobGraceMs: 60_000, holdAttempts: 3 },
};
