import { MongoClient, type MongoClientOptions } from 'mongodb';
import type { Config } from '../config/config';

/**
 * The service's MongoDB client. Short server selection: a command fails fast with UNAVAILABLE
 * rather than hanging while the database is down. At most 32 operations in flight: plenty for
 * MongoDB, and the most FerretDB 1.x takes safely, since it holds two SQLite connections per update
 * (the open query and the write) out of 100 per database and deadlocks that database for good
 * beyond (docs/ferretdb.md).
 *
 * TLS and credentials come from their own settings (a password kept out of the URI can come from a
 * mounted file); options written in the URI itself still apply where these leave them unset.
 */
/** Bounds a connection attempt and each server-monitor check (the driver's default is 30 s). */
const CONNECT_TIMEOUT_MS = 10_000;
const HEARTBEAT_FREQUENCY_MS = 10_000;
/**
 * A monitor check legitimately lasts at most a connect plus a handshake (each bounded by the
 * connect timeout), or an awaited hello of one heartbeat period; one far beyond is stalled
 * (stalled-monitor-watchdog.ts).
 */
export const MONITOR_CHECK_STALLED_AFTER_MS = 2 * CONNECT_TIMEOUT_MS + HEARTBEAT_FREQUENCY_MS + 5000;

export async function connectMongo(settings: Config['mongo'], appName: string): Promise<MongoClient> {
  const client = new MongoClient(settings.uri, {
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    heartbeatFrequencyMS: HEARTBEAT_FREQUENCY_MS,
    appName,
    maxPoolSize: 32,
    ...securityOptions(settings),
  });
  await client.connect();
  return client;
}

function securityOptions({ tls, credentials }: Config['mongo']): MongoClientOptions {
  return {
    ...(tls.enabled ? { tls: true } : {}),
    ...(tls.caFile ? { tlsCAFile: tls.caFile } : {}),
    ...(tls.certKeyFile ? { tlsCertificateKeyFile: tls.certKeyFile } : {}),
    ...(credentials ? { auth: { username: credentials.username, password: credentials.password }, authSource: credentials.authSource } : {}),
  };
}
