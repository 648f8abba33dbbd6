import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { AuditServiceService } from '../gen/residentaccess/v1/audit_service';
import { ClinicSettingsServiceService } from '../gen/residentaccess/v1/clinic_settings_service';
import { EntitlementServiceService } from '../gen/residentaccess/v1/entitlement_service';
import { ResidentAccessServiceService } from '../gen/residentaccess/v1/resident_access_service';
import type { Authenticate } from './call-context';
import type { AuditHandlers } from './handlers/audit-handlers';
import type { ClinicSettingsHandlers } from './handlers/clinic-settings-handlers';
import type { EntitlementHandlers } from './handlers/entitlement-handlers';
import type { ResidentAccessHandlers } from './handlers/resident-access-handlers';
import { addHealthAndReflection, type HealthEntries } from './health-and-reflection';
import { rejectUndecodable, withTolerantDeserializers } from './undecodable-request';
import { unary, type UnaryDeps, type UnaryHandler } from './unary';

export interface ServiceHandlers {
  residentAccess: ResidentAccessHandlers;
  clinicSettings: ClinicSettingsHandlers;
  entitlements: EntitlementHandlers;
  audit: AuditHandlers;
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
      return [name, unary(method.path.split('/').pop()!, decodedOnly, deps)];
    }),
  );
}

export async function startGrpcServer(
  address: { host: string; port: number },
  handlers: ServiceHandlers,
  authenticate: Authenticate,
  logger: Logger,
  onFinished?: UnaryDeps['onFinished'],
): Promise<GrpcServer> {
  const server = new Server();
  const pending = new Set<Promise<unknown>>();
  const deps: UnaryDeps = {
    logger,
    authenticate,
    onFinished,
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
  const health = addHealthAndReflection(server);

  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${address.host}:${address.port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });

  return {
    port: boundPort,
    health,
    async shutdown(graceMs) {
      const graceful = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
      if ((await Promise.race([graceful, timeout])) === 'timeout') server.forceShutdown();
      await Promise.allSettled([...pending]);
    },
  };
}
