import { Server, ServerCredentials, type ChannelOptions, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { AdminServiceService } from '../gen/residentaccess/v1/admin_service';
import { AuditServiceService } from '../gen/residentaccess/v1/audit_service';
import { ClinicSettingsServiceService } from '../gen/residentaccess/v1/clinic_settings_service';
import { EntitlementServiceService } from '../gen/residentaccess/v1/entitlement_service';
import { ResidentAccessServiceService } from '../gen/residentaccess/v1/resident_access_service';
import type { GrpcLimits, GrpcTls } from '../config/config';
import type { Authenticate } from './call-context';
import type { AdminHandlers } from './handlers/admin-handlers';
import type { AuditHandlers } from './handlers/audit-handlers';
import type { ClinicSettingsHandlers } from './handlers/clinic-settings-handlers';
import type { EntitlementHandlers } from './handlers/entitlement-handlers';
import type { ResidentAccessHandlers } from './handlers/resident-access-handlers';
import { addHealthAndReflection, type HealthEntries } from './health-and-reflection';
import { serverCredentials } from './server-credentials';
import { rateLimits, type RateLimitSettings } from './rate-limits';
import { rejectUndecodable, withTolerantDeserializers } from './undecodable-request';
import { unary, type UnaryDeps, type UnaryHandler } from './unary';

export interface ServiceHandlers {
  residentAccess: ResidentAccessHandlers;
  clinicSettings: ClinicSettingsHandlers;
  entitlements: EntitlementHandlers;
  audit: AuditHandlers;
  admin: AdminHandlers;
}

export interface GrpcServer {
  port: number;
  health: HealthEntries;
  /** Stops taking calls, lets calls in flight finish within `graceMs`, then cuts the rest. */
  shutdown(graceMs: number): Promise<void>;
}

/** Wraps every handler of one service in the shared unary adapter (auth, logging, errors). */
function implement(definition: Record<string, { path: string }>, handlers: object, deps: UnaryDeps): UntypedServiceImplementation {
  const table = handlers as Record<string, UnaryHandler<unknown, unknown>>;
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => {
      const handler = table[name];
      if (!handler) throw new Error(`no handler for ${method.path}`);
      const decodedOnly: UnaryHandler<unknown, unknown> = (request, context) => {
        rejectUndecodable(request);
        return handler(request, context);
      };
      // A path is `/<package>.<Service>/<Method>`.
      const [service, methodName] = method.path.slice(1).split('/') as [string, string];
      return [name, unary({ service, method: methodName }, decodedOnly, deps)];
    }),
  );
}

/**
 * Limits per connection. A message over the size limit fails with RESOURCE_EXHAUSTED; a connection
 * older than its maximum age is told to go away (GOAWAY), so clients spread over new instances, and
 * is cut after the grace; an idle one is closed; a peer that does not answer keepalive pings is dropped.
 */
function serverOptions(limits: GrpcLimits): ChannelOptions {
  return {
    'grpc.max_receive_message_length': limits.maxReceiveMessageBytes,
    'grpc.max_send_message_length': limits.maxSendMessageBytes,
    'grpc.max_concurrent_streams': limits.maxConcurrentStreams,
    'grpc.keepalive_time_ms': limits.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': limits.keepaliveTimeoutMs,
    'grpc.max_connection_idle_ms': limits.maxConnectionIdleMs,
    'grpc.max_connection_age_ms': limits.maxConnectionAgeMs,
    'grpc.max_connection_age_grace_ms': limits.maxConnectionAgeGraceMs,
  };
}

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.bindAsync(address, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
}

export async function startGrpcServer(
  address: { host: string; port: number; healthPort?: number; tls: GrpcTls | null; limits: GrpcLimits },
  handlers: ServiceHandlers,
  authenticate: Authenticate,
  logger: Logger,
  limits: RateLimitSettings,
  observer?: UnaryDeps['observer'],
): Promise<GrpcServer> {
  const server = new Server(serverOptions(address.limits));
  const pending = new Set<Promise<unknown>>();
  const deps: UnaryDeps = {
    logger,
    authenticate,
    limit: rateLimits(limits),
    observer,
    inFlight: {
      add(p: Promise<unknown>) {
        pending.add(p);
        void p.finally(() => pending.delete(p));
      },
    },
  };
  server.addService(withTolerantDeserializers(ResidentAccessServiceService), implement(ResidentAccessServiceService, handlers.residentAccess, deps));
  server.addService(withTolerantDeserializers(ClinicSettingsServiceService), implement(ClinicSettingsServiceService, handlers.clinicSettings, deps));
  server.addService(withTolerantDeserializers(EntitlementServiceService), implement(EntitlementServiceService, handlers.entitlements, deps));
  server.addService(withTolerantDeserializers(AuditServiceService), implement(AuditServiceService, handlers.audit, deps));
  server.addService(withTolerantDeserializers(AdminServiceService), implement(AdminServiceService, handlers.admin, deps));
  const health = addHealthAndReflection(server);

  const { credentials, loaded } = serverCredentials(address.tls);
  const boundPort = await bind(server, `${address.host}:${address.port}`, credentials);
  await loaded();
  // Kubernetes' gRPC probes speak plaintext only: with TLS on the main port, they ask here. Health states only, no data.
  const healthServer = address.healthPort === undefined ? null : new Server(serverOptions(address.limits));
  if (healthServer) {
    health.alsoOn(healthServer);
    await bind(healthServer, `${address.host}:${address.healthPort}`, ServerCredentials.createInsecure());
  }

  return {
    port: boundPort,
    health,
    async shutdown(graceMs) {
      const graceful = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
      if ((await Promise.race([graceful, timeout])) === 'timeout') server.forceShutdown();
      healthServer?.forceShutdown();
      await Promise.allSettled([...pending]);
    },
  };
}
