import type { Logger } from 'pino';
import { createTokenVerifier } from '../auth/token-verifier';
import type { Config } from '../config/config';
import type { ServiceMetrics } from '../observability/metrics';
import { startGrpcServer, type GrpcServer, type ServiceHandlers } from '../transport-grpc/grpc-server';
import { adminHandlers } from '../transport-grpc/handlers/admin-handlers';
import { auditHandlers } from '../transport-grpc/handlers/audit-handlers';
import { clinicSettingsHandlers } from '../transport-grpc/handlers/clinic-settings-handlers';
import { entitlementHandlers } from '../transport-grpc/handlers/entitlement-handlers';
import { residentAccessHandlers } from '../transport-grpc/handlers/resident-access-handlers';
import { rateLimits } from '../transport-grpc/rate-limits';
import type { SharedBucketStore } from '../shared/shared-token-buckets';
import type { UseCases } from './build-use-cases';

/** The gRPC handlers of every service, each over its use cases. */
export function buildHandlers(config: Config, u: UseCases): ServiceHandlers {
  return {
    residentAccess: residentAccessHandlers(u.residentAccess, u.tokens, config.tuning.bulkRemovalAnswerWaitMs),
    clinicSettings: clinicSettingsHandlers(u.settingsCommands, u.settingsQueries, u.tokens),
    entitlements: entitlementHandlers(u.entitlementQueries),
    audit: auditHandlers(u.auditQueries, u.accessLogQueries),
    admin: adminHandlers(u.admin),
  };
}

/** Starts serving gRPC: calls are authenticated, rate-limited, logged and counted. */
export async function startTransport(config: Config, handlers: ServiceHandlers, rateLimitBuckets: SharedBucketStore, metrics: ServiceMetrics, logger: Logger): Promise<GrpcServer> {
  if (config.auth.mode === 'development') {
    logger.warn('AUTH_MODE=development: calls are NOT authenticated and act for every clinic. Never use this outside a developer machine.');
  }
  if (config.grpc.tls === null && config.grpc.allowInsecure) {
    logger.warn({ host: config.grpc.host }, 'GRPC_ALLOW_INSECURE=true: gRPC is served WITHOUT TLS; tokens and personal data cross the network in clear unless something else encrypts them.');
  }
  const verifier = createTokenVerifier(config.auth, config.tuning.tokens);
  return startGrpcServer(
    config.grpc,
    handlers,
    (header, clientCertificate) => verifier.verify(header, clientCertificate),
    logger,
    rateLimits(
      { ...config.rateLimits, maxCallersRemembered: config.tuning.rateLimitCallersRemembered },
      rateLimitBuckets,
      warnEvery(10_000, (error) => logger.warn({ err: error }, 'the shared rate-limit buckets failed; each instance limits callers on its own until they answer again')),
    ),
    config.tuning.deadlineSlackMs,
    {
      started: (rpc) => metrics.grpc.started(rpc.service, rpc.method),
      finished: (rpc, code, seconds) => metrics.grpc.handled(rpc.service, rpc.method, code, seconds),
    },
  );
}

/** `warn` at most once per `intervalMs`: a failing store fails every call, its log line once. */
function warnEvery(intervalMs: number, warn: (error: unknown) => void): (error: unknown) => void {
  let last = -Infinity;
  return (error) => {
    if (Date.now() - last < intervalMs) return;
    last = Date.now();
    warn(error);
  };
}
