import type { Server } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { join } from 'node:path';
import type { Health } from '../health/health-monitor';

export const SERVICE_NAME = 'residentaccess.v1.ResidentAccessService';
/** A separately named health entry: Kafka's state, which does not stop commands being accepted. */
export const PUBLISHING_HEALTH_NAME = 'residentaccess.v1.EventPublishing';

const PROTO_ROOT = join(__dirname, '..', '..', 'proto');

export interface HealthEntries {
  setService(health: Health): void;
  setPublishing(health: Health): void;
}

/** Adds grpc.health.v1 and server reflection, so generic clients such as grpcurl can list and call. */
export function addHealthAndReflection(server: Server): HealthEntries {
  const health = new HealthImplementation({ '': 'NOT_SERVING', [SERVICE_NAME]: 'NOT_SERVING', [PUBLISHING_HEALTH_NAME]: 'NOT_SERVING' });
  health.addToServer(server);

  const definitions = loadSync(['residentaccess/v1/resident_access_service.proto', healthProtoPath], {
    includeDirs: [PROTO_ROOT],
  });
  new ReflectionService(definitions).addToServer(server);

  return {
    setService(status) {
      health.setStatus('', status);
      health.setStatus(SERVICE_NAME, status);
    },
    setPublishing(status) {
      health.setStatus(PUBLISHING_HEALTH_NAME, status);
    },
  };
}
