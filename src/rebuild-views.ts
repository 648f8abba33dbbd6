import { MongoClient } from 'mongodb';
import { ConfigError, loadConfig } from './config/config';
import { systemClock } from './domain/ports/clock';
import { createLogger } from './observability/logger';
import { DocumentWriter } from './storage-mongo/document-writer';
import { MongoResidentViews } from './storage-mongo/mongo-resident-views';
import { DEFAULT_CLAIM_OPTIONS, REVISION_CLAIMS_COLLECTION, RevisionClaims, type RevisionClaimDocument } from './storage-mongo/revision-claims';
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
  const mongo = await new MongoClient(config.mongo.uri, { serverSelectionTimeoutMS: 5000, appName: 'resident-access-rebuild-views', maxPoolSize: 32 }).connect();
  try {
    const db = mongo.db(config.mongo.database);
    const claims = new RevisionClaims(db.collection<RevisionClaimDocument>(REVISION_CLAIMS_COLLECTION), {
      ...DEFAULT_CLAIM_OPTIONS,
      abandonAfterMs: config.storage.claimTimeoutMs,
    });
    await rebuildResidentViews(MongoResidentViews.in(db, new DocumentWriter(claims)), systemClock, logger);
  } finally {
    await mongo.close();
  }
}

rebuild().catch((error: unknown) => {
  createLogger('error').fatal({ err: error }, 'rebuilding the resident views failed');
  process.exit(1);
});
