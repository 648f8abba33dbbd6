import { MongoClient, type MongoClientOptions } from 'mongodb';
import type { StorageSettings } from './settings';

/**
 * The service's MongoDB client. Short server selection: a command fails fast with UNAVAILABLE
 * rather than hanging while the database is down. A connect timeout below the driver's 30 s
 * bounds each server-monitor check too.
 *
 * TLS and credentials come from their own settings (a password kept out of the URI can come from a
 * mounted file); options written in the URI itself still apply where these leave them unset.
 */
export async function connectMongo(settings: StorageSettings['mongo'], appName: string): Promise<MongoClient> {
  const client = new MongoClient(settings.uri, {
    serverSelectionTimeoutMS: settings.client.serverSelectionTimeoutMs,
    connectTimeoutMS: settings.client.connectTimeoutMs,
    heartbeatFrequencyMS: settings.client.heartbeatFrequencyMs,
    appName,
    maxPoolSize: settings.client.maxPoolSize,
    ...securityOptions(settings),
  });
  await client.connect();
  return client;
}

function securityOptions({ tls, credentials }: StorageSettings['mongo']): MongoClientOptions {
  return {
    ...(tls.enabled ? { tls: true } : {}),
    ...(tls.caFile ? { tlsCAFile: tls.caFile } : {}),
    ...(tls.certKeyFile ? { tlsCertificateKeyFile: tls.certKeyFile } : {}),
    ...(credentials ? { auth: { username: credentials.username, password: credentials.password }, authSource: credentials.authSource } : {}),
  };
}
