import type { Logger } from 'pino';
import type { Clock } from '../domain/ports/clock';
import type { ResidentViews } from '../domain/ports/resident-views';
import { VIEWS_TUNING } from './settings';

/**
 * Brings every resident's view up to the access documents and the register read model, and leaves
 * the built marker. Safe while commands run (entries only move to newer versions) and safe to
 * repeat; a register change that lands while the homes are rebuilt may be overwritten by the state
 * read just before it, so run it again after a register load.
 */
export async function rebuildResidentViews(
  views: ResidentViews,
  clock: Clock,
  logger: Logger,
  batchSize = VIEWS_TUNING.residentViews.rebuildBatch,
): Promise<{ accesses: number; homes: number }> {
  let accesses = 0;
  for await (const batch of views.scanAccesses(batchSize)) {
    await views.apply(batch);
    accesses += batch.length;
    if (accesses % (batchSize * 20) === 0) logger.info({ accesses }, 'rebuilding resident views: access');
  }
  let homes = 0;
  for await (const batch of views.scanHomes(batchSize)) {
    await views.applyHomes(batch);
    homes += batch.length;
    if (homes % (batchSize * 20) === 0) logger.info({ homes }, 'rebuilding resident views: register');
  }
  await views.markBuilt(clock.now());
  logger.info({ accesses, homes }, 'resident views rebuilt');
  return { accesses, homes };
}

/** The start-up check: builds the views when they were never built (a new database, or an upgrade). */
export async function ensureResidentViewsBuilt(views: ResidentViews, clock: Clock, logger: Logger, batchSize: number): Promise<void> {
  if (await views.isBuilt()) return;
  logger.info('resident views not built yet: building them from the access documents');
  await rebuildResidentViews(views, clock, logger, batchSize);
}
