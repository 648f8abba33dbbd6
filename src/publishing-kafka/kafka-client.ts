import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { PublishingSettings } from './settings';
import { kafkaLogCreator } from './kafka-logging';

/**
 * The service's one Kafka client: TLS when configured (certificate files read once, at start),
 * SASL (SCRAM or, only inside TLS, PLAIN) when configured. The password goes to kafkajs only.
 */
export function buildKafka(settings: PublishingSettings['kafka'], logger: Logger): Kafka {
  const ssl = settings.ssl;
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    ...(ssl
      ? {
          ssl: {
            rejectUnauthorized: true,
            ...(ssl.caFile ? { ca: [readFileSync(ssl.caFile)] } : {}),
            ...(ssl.certFile && ssl.keyFile ? { cert: readFileSync(ssl.certFile), key: readFileSync(ssl.keyFile) } : {}),
          },
        }
      : {}),
    ...(settings.sasl ? { sasl: settings.sasl as SASLOptions } : {}),
  });
}
