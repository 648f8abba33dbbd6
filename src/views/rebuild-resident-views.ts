import type { Logger } from 'pino';
import type { Clock } from '../domain/ports/clock';
import type { ResidentViews } from '../domain/ports/resident-views';

const BATCH = 500;

/**
 * Brings every resident's view up to the access documents and leaves the built marker. Safe while
 * commands run (entries only move to newer versions) and safe to repeat.
 */
export async function rebuildResidentViews(views: ResidentViews, clock: Clock, logger: Logger): Promise<{ accesses: number }> {
  let accesses = 0;
  for await (const batch of views.scanAccesses(BATCH)) {
    await views.apply(batch);
    accesses += batch.length;
    if (accesses % (BATCH * 20) === 0) logger.info({ accesses }, 'rebuilding resident views');
  }
  await views.markBuilt(clock.now());
  logger.info({ accesses }, 'resident views rebuilt');
  return { accesses };
}

/** The start-up check: builds the views when they were never built (a new database, or an upgrade). */
export async function ensureResidentViewsBuilt(views: ResidentViews, clock: Clock, logger: Logger): Promise<void> {
  if (await views.isBuilt()) return;
  logger.info('resident views not built yet: building them from the access documents');
  await rebuildResidentViews(views, clock, logger);
}
