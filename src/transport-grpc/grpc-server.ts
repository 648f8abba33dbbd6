import { Server, ServerCredentials, type ChannelOptions } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { AdminServiceService } from '../gen/residentaccess/v1/admin_service';
import { AuditServiceService } from '../gen/residentaccess/v1/audit_service';
import { ClinicSettingsServiceService } from '../gen/residentaccess/v1/clinic_settings_service';
import { EntitlementServiceService } from '../gen/residentaccess/v1/entitlement_service';
import { ResidentAccessServiceService } from '../gen/residentaccess/v1/resident_access_service';
import type { GrpcLimits, GrpcTls } from './settings';
import type { Authenticate } from './call-context';
import type { AdminHandlers } from './handlers/admin-handlers';
import type { AuditHandlers } from './handlers/audit-handlers';
import type { ClinicSettingsHandlers } from './handlers/clinic-settings-handlers';
import type { EntitlementHandlers } from './handlers/entitlement-handlers';
import type { ResidentAccessHandlers } from './handlers/resident-access-handlers';
import { addHealthAndReflection, type HealthEntries } from './health-and-reflection';
import { serverCredentials } from './server-credentials';
import type { CallerLimit } from './rate-limits';
import { withTolerantDeserializers } from './undecodable-request';
import { implement } from './implement-service';
import { authenticateCaller } from './middleware/authentication';
import { endAtDeadlineOrCancel, stopIfEnded, type InFlight } from './middleware/call-ending';
import { mapErrors } from './middleware/error-mapping';
import type { Middleware } from './middleware/pipeline';
import { limitPerCaller } from './middleware/rate-limit';
import { logEachCall, noteRequestId } from './middleware/rpc-log';
import { observeEachCall, type RpcObserver } from './middleware/rpc-metrics';
import { refuseUndecodable } from './middleware/undecodable';

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

/**
 * What every call goes through, outermost first: each middleware sees the call before the ones
 * below it and its answer after them. The use case runs after the last.
 */
function callMiddleware(deps: { logger: Logger; authenticate: Authenticate; limitCaller: CallerLimit; deadlineSlackMs: number; observer?: RpcObserver; inFlight: InFlight }): Middleware[] {
  return [
    logEachCall(deps.logger),
    ...(deps.observer ? [observeEachCall(deps.observer)] : []),
    // Inside the log and metrics, so that a call ended early is counted with its end's status.
    endAtDeadlineOrCancel(deps.inFlight, deps.logger, deps.deadlineSlackMs),
    mapErrors(deps.logger),
    authenticateCaller(deps.authenticate),
    // Only an authenticated caller's request id reaches the logs.
    noteRequestId(),
    limitPerCaller(deps.limitCaller),
    stopIfEnded(),
    refuseUndecodable(),
  ];
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
  /** Refuses a caller over its rate limit for the method (see rate-limits.ts). */
  limitCaller: CallerLimit,
  /** A cancel this close to the call's deadline counts as DEADLINE_EXCEEDED. */
  deadlineSlackMs: number,
  observer?: RpcObserver,
): Promise<GrpcServer> {
  const server = new Server(serverOptions(address.limits));
  const pending = new Set<Promise<unknown>>();
  const inFlight: InFlight = {
    add(p: Promise<unknown>) {
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
  };
  const middleware = callMiddleware({ logger, authenticate, limitCaller, deadlineSlackMs, observer, inFlight });
  server.addService(withTolerantDeserializers(ResidentAccessServiceService), implement(ResidentAccessServiceService, handlers.residentAccess, middleware));
  server.addService(withTolerantDeserializers(ClinicSettingsServiceService), implement(ClinicSettingsServiceService, handlers.clinicSettings, middleware));
  server.addService(withTolerantDeserializers(EntitlementServiceService), implement(EntitlementServiceService, handlers.entitlements, middleware));
  server.addService(withTolerantDeserializers(AuditServiceService), implement(AuditServiceService, handlers.audit, middleware));
  server.addService(withTolerantDeserializers(AdminServiceService), implement(AdminServiceService, handlers.admin, middleware));
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
