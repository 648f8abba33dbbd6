import { APPLICATION_TUNING } from '../application/settings';
import { AUTH_TUNING, authEnv, authSettings, type AuthSettings } from '../auth/settings';
import { BACKGROUND_TUNING, backgroundEnv, backgroundSettings, type BackgroundSettings } from '../background/settings';
import { OBSERVABILITY_TUNING, observabilityEnv, observabilitySettings, type ObservabilitySettings } from '../observability/settings';
import { PUBLISHING_TUNING, publishingEnv, publishingSettings, type PublishingSettings } from '../publishing-kafka/settings';
import { REGISTER_TUNING, registerEnv, registerSettings, type RegisterSettings } from '../register/settings';
import { RELAY_TUNING, relayEnv, relaySettings, type RelaySettings } from '../relay/settings';
import { STORAGE_TUNING, storageEnv, storageSettings, type StorageSettings } from '../storage-mongo/settings';
import { TRANSPORT_TUNING, transportEnv, transportSettings, type TransportSettings } from '../transport-grpc/settings';
import { VIEWS_TUNING, viewsEnv, viewsSettings, type ViewsSettings } from '../views/settings';
import { crossFieldProblems, retentionProblems } from './cross-field-checks';
import type { PseudonymKeyRing } from './pseudonym-key-ring';
import { pseudonymKeys, secret } from './secret-files';
import { serviceEnv } from './settings';
import { transportFindings } from './transport-security';

export { isLoopbackHost } from './loopback';

/**
 * Every setting the service reads, from environment variables. Each part declares its own beside
 * its code (`src/<part>/settings.ts`: schema, descriptions, defaults, fixed numbers); this index
 * validates them all once at start-up, checks the rules between them, and hands the rest of the
 * code the typed `Config` (nothing else reads `process.env`). The README's settings table and the
 * chart's `env` documentation are generated from the same schemas (scripts/settings-docs.ts).
 */
export const settingsParts = [
  { title: 'The service', module: 'src/config/settings.ts', env: serviceEnv },
  { title: 'gRPC', module: 'src/transport-grpc/settings.ts', env: transportEnv },
  { title: 'MongoDB and the stores', module: 'src/storage-mongo/settings.ts', env: storageEnv },
  { title: 'Kafka', module: 'src/publishing-kafka/settings.ts', env: publishingEnv },
  { title: 'The relays', module: 'src/relay/settings.ts', env: relayEnv },
  { title: 'The population register', module: 'src/register/settings.ts', env: registerEnv },
  { title: 'Background work', module: 'src/background/settings.ts', env: backgroundEnv },
  { title: 'Entitlement reads', module: 'src/views/settings.ts', env: viewsEnv },
  { title: 'Tokens', module: 'src/auth/settings.ts', env: authEnv },
  { title: 'Logs, metrics and traces', module: 'src/observability/settings.ts', env: observabilityEnv },
] as const;

export const configSchema = serviceEnv
  .extend(transportEnv.shape)
  .extend(storageEnv.shape)
  .extend(publishingEnv.shape)
  .extend(relayEnv.shape)
  .extend(registerEnv.shape)
  .extend(backgroundEnv.shape)
  .extend(viewsEnv.shape)
  .extend(authEnv.shape)
  .extend(observabilityEnv.shape);

/** The service's fixed numbers, each declared beside the code it tunes; gathered here for the wiring (src/composition). */
export const TUNING = {
  ...APPLICATION_TUNING,
  ...TRANSPORT_TUNING,
  ...STORAGE_TUNING,
  ...PUBLISHING_TUNING,
  ...RELAY_TUNING,
  ...REGISTER_TUNING,
  ...BACKGROUND_TUNING,
  ...VIEWS_TUNING,
  ...AUTH_TUNING,
  ...OBSERVABILITY_TUNING,
};

export type Tuning = typeof TUNING;

export interface Config extends TransportSettings, StorageSettings, PublishingSettings, RelaySettings, RegisterSettings, BackgroundSettings, ViewsSettings, ObservabilitySettings {
  auth: AuthSettings;
  events: { source: string; pseudonymKeys: PseudonymKeyRing };
  shutdownGraceMs: number;
  tuning: Tuning;
  /** Test-only: `exit-after-publish` kills the process once Kafka has acknowledged the access relay's first batch, before it is marked published. */
  failpoint: 'exit-after-publish' | null;
  /** Links to Kafka or MongoDB off loopback without (verified) TLS that KAFKA_/MONGODB_ALLOW_INSECURE=true let through: logged as warnings at start-up. */
  insecureTransportWarnings: string[];
}

/** The names of every variable the configuration knows, for deploy-file checks. */
export const knownVariables = Object.keys(configSchema.shape);

/** The variables with no default: every deployment must set them. */
export const requiredVariables = knownVariables.filter((name) => configSchema.shape[name as keyof typeof configSchema.shape].safeParse(undefined).success === false);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates every variable at once; throws one ConfigError naming all offenders. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  // Name the variable and the rule, never the value: a value may be a secret.
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(unknown)');
        const reason = issue.code === 'invalid_type' && present[variable] === undefined ? 'is required' : issue.message;
        return `${variable} ${reason}`;
      });
  const transport = transportFindings(present);
  problems.push(...crossFieldProblems(present), ...transport.refused);
  const kafkaPassword = secret(present, 'KAFKA_SASL_PASSWORD', problems);
  const mongoPassword = secret(present, 'MONGODB_PASSWORD', problems);
  if (parsed.success) problems.push(...retentionProblems(parsed.data));
  const keyRing = pseudonymKeys(present, problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    ...transportSettings(e),
    ...storageSettings(e, mongoPassword),
    ...publishingSettings(e, kafkaPassword),
    ...relaySettings(e),
    ...registerSettings(e),
    ...backgroundSettings(e),
    ...viewsSettings(e),
    ...authSettings(e),
    ...observabilitySettings(e),
    events: { source: e.CLOUDEVENTS_SOURCE, pseudonymKeys: keyRing! },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    tuning: TUNING,
    failpoint: e.RESIDENT_ACCESS_FAILPOINT ?? null,
    insecureTransportWarnings: transport.allowed,
  };
}
