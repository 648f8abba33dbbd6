import { credentials, loadPackageDefinition, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { BinaryReader } from '@bufbuild/protobuf/wire';

const reflectionProto = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');

type ReflectionResponse = {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
};
type ReflectionClient = Client & { serverReflectionInfo(): ClientDuplexStream<Record<string, string>, ReflectionResponse> };

const pkg = loadPackageDefinition(loadSync(reflectionProto, { keepCase: false })) as unknown as {
  grpc: { reflection: { v1: { ServerReflection: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => ReflectionClient } } };
};

/** Asks the server's reflection service one question, as grpcurl does. */
export function askReflection(port: number, request: Record<string, string>): Promise<ReflectionResponse> {
  const client = new pkg.grpc.reflection.v1.ServerReflection(`127.0.0.1:${port}`, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const stream = client.serverReflectionInfo();
    stream.on('data', (response: ReflectionResponse) => {
      resolve(response);
      stream.end();
      client.close();
    });
    stream.on('error', reject);
    stream.write(request);
  });
}

/** Name (field 1) and imports (field 3) of each FileDescriptorProto in a reflection answer. */
export function describedFiles(response: ReflectionResponse): { name: string; dependencies: string[] }[] {
  return (response.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) => {
    const reader = new BinaryReader(bytes);
    const file = { name: '', dependencies: [] as string[] };
    while (reader.pos < reader.len) {
      const [field, wireType] = reader.tag();
      if (field === 1) file.name = reader.string();
      else if (field === 3) file.dependencies.push(reader.string());
      else reader.skip(wireType);
    }
    return file;
  });
}
