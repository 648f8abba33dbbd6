import { loadConfig } from '../../src/config/config';
import type { Clock } from '../../src/domain/ports/clock';
import { startService, type RunningService } from '../../src/main';
import { apiOf, connectClients, type Api, type Clients } from './grpc-client';
import { LogCapture } from './log-capture';

/** One service instance in this process, for tests where several share a database and topic. */
export interface ServiceInstance {
  service: RunningService;
  clients: Clients;
  api: Api;
  logs: LogCapture;
  stop(): Promise<void>;
}

export async function startInstance(env: Record<string, string>, token: string, clock?: Clock): Promise<ServiceInstance> {
  const logs = new LogCapture();
  const service = await startService(loadConfig(env), { logDestination: logs, clock });
  const clients = connectClients(service.port);
  return {
    service,
    clients,
    api: apiOf(clients, token),
    logs,
    async stop() {
      clients.close();
      await service.stop();
    },
  };
}
