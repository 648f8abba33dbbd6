import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ApproveResident } from '../commands/approve-resident/approve-resident';
import { ResidentAccessServiceService, type ResidentAccessServiceServer } from '../gen/residentaccess/v1/resident_access_service';
import { approveResidentHandler } from './handlers/approve-resident';
import { addHealthAndReflection, type HealthEntries } from './health-and-reflection';
import { unary } from './unary';

export interface UseCases {
  approveResident: ApproveResident;
}

export interface GrpcServer {
  port: number;
  health: HealthEntries;
  /** Stops taking calls, lets calls in flight finish within `graceMs`, then cuts the rest. */
  shutdown(graceMs: number): Promise<void>;
}

export async function startGrpcServer(host: string, port: number, useCases: UseCases, logger: Logger): Promise<GrpcServer> {
  const server = new Server();
  const pending = new Set<Promise<unknown>>();
  const deps = {
    logger,
    inFlight: {
      add(p: Promise<unknown>) {
        pending.add(p);
        void p.finally(() => pending.delete(p));
      },
    },
  };
  const implementation: ResidentAccessServiceServer = {
    approveResident: unary('ApproveResident', approveResidentHandler(useCases.approveResident), deps),
  };
  server.addService(ResidentAccessServiceService, implementation);
  const health = addHealthAndReflection(server);

  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
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
