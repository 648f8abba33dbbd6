import { ConfigError, loadConfig } from './config/config';
import { systemClock } from './domain/ports/clock';
import { createLogger } from './observability/logger';
import { connectMongo } from './storage-mongo/connect';
import { MongoResidentViews } from './storage-mongo/mongo-resident-views';
import { rebuildResidentViews } from './views/rebuild-resident-views';

/**
 * `npm run rebuild-views` (in the image: `node dist/rebuild-views.js`): brings every resident's
 * view up to the access documents, with the service's own configuration. Safe while the service runs.
 */
async function rebuild(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`rebuild-views: ${error.message}\n`);
    process.exit(78);
  }
  const logger = createLogger(config.logLevel);
  const mongo = await connectMongo(config.mongo, 'resident-access-rebuild-views');
  try {
    const db = mongo.db(config.mongo.database);
    await rebuildResidentViews(MongoResidentViews.in(db, config.tuning.residentViewWrites), systemClock, logger, config.tuning.residentViews.rebuildBatch);
  } finally {
    await mongo.close();
  }
}

rebuild().catch((error: unknown) => {
  createLogger('error').fatal({ err: error }, 'rebuilding the resident views failed');
  process.exit(1);
});
