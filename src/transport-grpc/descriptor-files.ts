import { BinaryReader } from '@bufbuild/protobuf/wire';
import { descriptorSetBase64 } from '../gen/descriptor-set';

/**
 * The FileDescriptorProtos of our API, the health service and every import (well-known types
 * included), exactly as buf compiled them. A FileDescriptorSet is `repeated FileDescriptorProto
 * file = 1`, so splitting it needs no descriptor decoding.
 */
export function descriptorFiles(): Buffer[] {
  const reader = new BinaryReader(Buffer.from(descriptorSetBase64, 'base64'));
  const files: Buffer[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) files.push(Buffer.from(reader.bytes()));
    else reader.skip(wireType);
  }
  return files;
}
