import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';

export type RawOutcome = { ok: true } | { ok: false; error: ServiceError };

const asIs = (bytes: Buffer): Buffer => bytes;

/**
 * A gRPC client that sends exactly the bytes it is given (its serializer is the identity), so a
 * test can put anything on the wire, valid protobuf or not.
 */
export class RawClient {
  private readonly client: Client;

  constructor(port: number) {
    this.client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), {
      'grpc.max_send_message_length': 64 << 20,
      'grpc.max_receive_message_length': 64 << 20,
    });
  }

  call(path: string, request: Uint8Array, token: string): Promise<RawOutcome> {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(path, asIs, asIs, Buffer.from(request), metadata, { deadline: Date.now() + 30_000 }, (error) => resolve(error ? { ok: false, error } : { ok: true }));
    });
  }

  close(): void {
    this.client.close();
  }
}
