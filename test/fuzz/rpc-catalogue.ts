import { createFileRegistry, fromBinary, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { descriptorSetBase64 } from '../../src/gen/descriptor-set';

export interface UnaryRpc {
  /** The gRPC path, e.g. /residentaccess.v1.ResidentAccessService/LookupResident. */
  path: string;
  input: DescMessage;
}

/**
 * Every unary RPC of our own API, read from the descriptor set the service itself serves (so an
 * RPC added to proto/ is fuzzed without anyone touching the fuzz tests).
 */
export function everyUnaryRpc(packagePrefix = 'residentaccess.'): UnaryRpc[] {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, Buffer.from(descriptorSetBase64, 'base64')));
  const rpcs: UnaryRpc[] = [];
  for (const desc of registry) {
    if (desc.kind !== 'service' || !desc.typeName.startsWith(packagePrefix)) continue;
    for (const method of desc.methods) {
      if (method.methodKind === 'unary') rpcs.push({ path: `/${desc.typeName}/${method.name}`, input: method.input });
    }
  }
  return rpcs;
}
