/**
 * A gRPC client of SpiceDB's v1 API over @grpc/grpc-js (the same library as the service's client),
 * with the API's message definitions read from the running server by gRPC reflection (SpiceDB
 * serves it without the key): no Authzed package, no .proto file copied into the project. The
 * reflection service's own definition comes with @grpc/reflection, a dependency already.
 */
import { credentials, loadPackageDefinition, Metadata, type Client, type ClientDuplexStream, type CallOptions, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer, loadSync, type Options } from '@grpc/proto-loader';
import path from 'node:path';

const API = 'authzed.api.v1';
const SERVICES = [`${API}.PermissionsService`, `${API}.SchemaService`];
/** Field names as the .proto files spell them (descriptors loaded from reflection keep them so anyway). */
const LOADER_OPTIONS: Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
const REFLECTION_PROTO = path.join(path.dirname(require.resolve('@grpc/reflection')), '..', 'proto', 'grpc', 'reflection', 'v1alpha', 'reflection.proto');

export interface ObjectRef {
  object_type: string;
  object_id: string;
}
export interface Relationship {
  resource: ObjectRef;
  relation: string;
  /** optional_relation: a subject set ("clinic:C#approved"); '' for the object itself. */
  subject: { object: ObjectRef; optional_relation: string };
  optional_caveat?: { caveat_name: string; context: Struct };
}
/** google.protobuf.Struct of string values; a map field loaded from descriptors is a list of its entries. */
export interface Struct {
  fields: Array<{ key: string; value: { string_value: string } }>;
}
/** No ZedToken: the freshest revision SpiceDB already holds (its cache), like the service's calls without a consistency token. */
const MINIMIZE_LATENCY = { minimize_latency: true };
const LOADING_DEADLINE_MS = 60_000;

type Callback<T> = (error: ServiceError | null, response: T) => void;
type Unary = (request: object, metadata: Metadata, options: CallOptions, callback: Callback<Record<string, unknown>>) => void;
interface ReflectionResponse {
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_message: string };
}
type Streaming = (request: object, metadata: Metadata) => ClientReadableStream<Record<string, unknown>>;

export interface SpicedbClient {
  writeSchema(schema: string): Promise<void>;
  /** TOUCH of every relationship, in one call (SpiceDB takes at most 1000 by default). */
  touchRelationships(relationships: Relationship[]): Promise<void>;
  /** True when HAS_PERMISSION; CONDITIONAL (context missing) is an error. */
  checkPermission(resource: ObjectRef, permission: string, subject: ObjectRef, context: Struct): Promise<boolean>;
  /** Every resource of `resourceType` the subject has `permission` on (the stream read to its end). */
  lookupResources(resourceType: string, permission: string, subject: ObjectRef, context: Struct): Promise<string[]>;
  close(): void;
}

export async function connectSpicedb(address: string, presharedKey: string): Promise<SpicedbClient> {
  const definitions = loadPackageDefinition(loadFileDescriptorSetFromBuffer(await reflectedFiles(address, SERVICES), LOADER_OPTIONS));
  const api = definitions.authzed as unknown as { api: { v1: Record<string, new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client> } };
  const permissions = new api.api.v1.PermissionsService!(address, credentials.createInsecure());
  const schemas = new api.api.v1.SchemaService!(address, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${presharedKey}`);
  /** The measured calls have no deadline, as the service's client's; loading has one (a refused batch of 1 000 answers with a very long error). */
  const unary = (client: Client, method: string, request: object, deadlineMs?: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const options = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
      (client as unknown as Record<string, Unary>)[method]!.call(client, request, metadata, options, (error, response) => (error ? reject(error) : resolve(response)));
    });
  return {
    writeSchema: async (schema) => void (await unary(schemas, 'writeSchema', { schema }, LOADING_DEADLINE_MS)),
    touchRelationships: async (relationships) =>
      void (await unary(permissions, 'writeRelationships', { updates: relationships.map((relationship) => ({ operation: 'OPERATION_TOUCH', relationship })) }, LOADING_DEADLINE_MS)),
    checkPermission: async (resource, permission, subject, context) => {
      const answer = await unary(permissions, 'checkPermission', { consistency: MINIMIZE_LATENCY, resource, permission, subject: { object: subject }, context });
      if (answer.permissionship === 'PERMISSIONSHIP_HAS_PERMISSION') return true;
      if (answer.permissionship === 'PERMISSIONSHIP_NO_PERMISSION') return false;
      throw new Error(`CheckPermission answered ${String(answer.permissionship)}`);
    },
    lookupResources: (resourceType, permission, subject, context) =>
      new Promise<string[]>((resolve, reject) => {
        const ids: string[] = [];
        const request = { consistency: MINIMIZE_LATENCY, resource_object_type: resourceType, permission, subject: { object: subject }, context };
        const stream = (permissions as unknown as Record<string, Streaming>).lookupResources!.call(permissions, request, metadata);
        stream.on('data', (found: { resource_object_id: string; permissionship: string }) => {
          if (found.permissionship === 'LOOKUP_PERMISSIONSHIP_HAS_PERMISSION') return void ids.push(found.resource_object_id);
          reject(new Error(`LookupResources answered ${found.permissionship} for one resource`));
          stream.cancel();
        });
        stream.once('error', reject);
        stream.once('end', () => resolve(ids));
      }),
    close: () => {
      permissions.close();
      schemas.close();
    },
  };
}

/**
 * The serialized FileDescriptorSet of the files defining `symbols` and everything they import, as
 * the server's reflection service hands them out (each file once per stream).
 */
async function reflectedFiles(address: string, symbols: string[]): Promise<Buffer> {
  const reflection = loadPackageDefinition(loadSync(REFLECTION_PROTO, LOADER_OPTIONS)) as unknown as {
    grpc: { reflection: { v1alpha: { ServerReflection: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client } } };
  };
  const client = new reflection.grpc.reflection.v1alpha.ServerReflection(address, credentials.createInsecure());
  try {
    const files = await new Promise<Buffer[]>((resolve, reject) => {
      const found: Buffer[] = [];
      let answered = 0;
      const stream = (client as unknown as { serverReflectionInfo(): ClientDuplexStream<object, ReflectionResponse> }).serverReflectionInfo();
      stream.on('data', (response: ReflectionResponse) => {
        if (response.error_response) return void stream.emit('error', new Error(`reflection: ${response.error_response.error_message}`));
        found.push(...(response.file_descriptor_response?.file_descriptor_proto ?? []));
        if (++answered === symbols.length) stream.end();
      });
      stream.once('error', reject);
      stream.once('end', () => resolve(found));
      for (const symbol of symbols) stream.write({ file_containing_symbol: symbol });
    });
    // FileDescriptorSet { repeated FileDescriptorProto file = 1; }: each file as field 1, length-delimited.
    return Buffer.concat(files.flatMap((file) => [Buffer.from([0x0a]), varint(file.length), file]));
  } finally {
    client.close();
  }
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; ; v >>>= 7) {
    if (v < 0x80) {
      bytes.push(v);
      return Buffer.from(bytes);
    }
    bytes.push((v & 0x7f) | 0x80);
  }
}
