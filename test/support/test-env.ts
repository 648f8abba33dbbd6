import { randomBytes } from 'node:crypto';

/** The servers global setup provided; integration tests fail (never skip) when they are missing. */
export function integrationServers(): { mongoUri: string; kafkaBrokers: string } {
  const mongoUri = process.env.TEST_MONGODB_URI;
  const kafkaBrokers = process.env.TEST_KAFKA_BROKERS;
  if (!mongoUri || !kafkaBrokers) throw new Error('integration servers missing: global setup did not provide MongoDB and Kafka');
  return { mongoUri, kafkaBrokers };
}

export const TEST_PSEUDONYM_SECRET = 'test-secret-for-resident-pseudonyms-0123456789';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Environment for a service under test: real servers, port 0, and its own database and topic, so
 * that no other service's relay (in another test file) publishes its events elsewhere.
 */
export function serviceEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const { mongoUri, kafkaBrokers } = integrationServers();
  return {
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    METRICS_PORT: '0',
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: uniqueName('test').replace(/-/g, '_'),
    KAFKA_BROKERS: kafkaBrokers,
    KAFKA_ACCESS_TOPIC: uniqueName('access-changed'),
    KAFKA_SETTINGS_TOPIC: uniqueName('settings-changed'),
    REGISTER_TOPIC: uniqueName('register'),
    REGISTER_CONSUMER_GROUP: uniqueName('register-group'),
    KAFKA_TOPIC_PARTITIONS: '3',
    RESIDENT_PSEUDONYM_SECRET: TEST_PSEUDONYM_SECRET,
    RELAY_POLL_INTERVAL_MS: '500',
    HEALTH_CHECK_INTERVAL_MS: '300',
    SHUTDOWN_GRACE_MS: '3000',
    LOG_LEVEL: 'info',
    // Tests send far more commands per caller than one staff member would; rate-limit tests set their own.
    RATE_LIMIT_RESIDENT_CALLS_PER_SECOND: '1000000',
    RATE_LIMIT_RESIDENT_CALLS_BURST: '1000000',
    RATE_LIMIT_RESIDENT_LOGS_PER_SECOND: '1000000',
    RATE_LIMIT_RESIDENT_LOGS_BURST: '1000000',
    ...overrides,
  };
}
