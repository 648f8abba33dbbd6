import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, type ChannelCredentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ConnectionOptions } from './connection-options';

// Loaded from proto/ at run time, so the CLI needs no generated code: it is a plain gRPC client.
const PROTO_ROOT = join(__dirname, '..', '..', 'proto');

type Callback = (error: ServiceError | null, response: unknown) => void;
type UnaryMethod = (request: unknown, metadata: Metadata, options: { deadline: Date }, callback: Callback) => void;

export interface AdminClient {
  call<T>(method: 'InspectResident' | 'Republish' | 'GetRepublishJob' | 'ListJobs' | 'GetOutboxStatus', request: object): Promise<T>;
  close(): void;
}

const CALL_TIMEOUT_MS = 30_000;

function channelCredentials(o: ConnectionOptions): ChannelCredentials {
  if (o.insecure) return credentials.createInsecure();
  const read = (path: string | undefined) => (path ? readFileSync(path) : null);
  return credentials.createSsl(read(o.ca), read(o.key), read(o.cert));
}

export function connectAdmin(o: ConnectionOptions): AdminClient {
  const definition = loadSync('residentaccess/v1/admin_service.proto', {
    includeDirs: [PROTO_ROOT],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
  });
  const pkg = loadPackageDefinition(definition) as unknown as { residentaccess: { v1: { AdminService: new (address: string, creds: ChannelCredentials) => Client } } };
  const client = new pkg.residentaccess.v1.AdminService(o.address, channelCredentials(o));
  return {
    call<T>(method: string, request: object): Promise<T> {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${o.token}`);
      const rpc = (client as unknown as Record<string, UnaryMethod>)[method]!;
      return new Promise<T>((resolve, reject) =>
        rpc.call(client, request, metadata, { deadline: new Date(Date.now() + CALL_TIMEOUT_MS) }, (error, response) => (error ? reject(error) : resolve(response as T))),
      );
    },
    close: () => client.close(),
  };
}
