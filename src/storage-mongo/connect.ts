import { MongoClient } from 'mongodb';

/**
 * The service's MongoDB client. Short server selection: a command fails fast with UNAVAILABLE
 * rather than hanging while the database is down. At most 32 operations in flight: plenty for
 * MongoDB, and the most FerretDB 1.x takes safely, since it holds two SQLite connections per update
 * (the open query and the write) out of 100 per database and deadlocks that database for good
 * beyond (docs/ferretdb.md).
 */
export async function connectMongo(uri: string, appName: string): Promise<MongoClient> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, appName, maxPoolSize: 32 });
  await client.connect();
  return client;
}
