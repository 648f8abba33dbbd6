import { createFileRegistry, fromBinary, fromJsonString, type DescEnum, type DescField, type DescMessage, type FileRegistry, type Message } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { CloudEvent, Kafka as CloudEventsKafka, type KafkaMessage } from 'cloudevents';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { ConsumedEvent, ConsumedTombstone } from './event-consumer';

/**
 * Checks of the published events against their contract by code that shares nothing with the
 * service: the official CloudEvents SDK reads the Kafka message, and a decoder built now from
 * proto/ by buf (not the service's generated src/gen) reads the payload.
 */

const ROOT = join(__dirname, '..', '..');
let registry: FileRegistry | undefined;

/** Every message of proto/, compiled by buf when first asked for. */
function protoRegistry(): FileRegistry {
  if (!registry) {
    const descriptorSet = execFileSync(join(ROOT, 'node_modules', '.bin', 'buf'), ['build', '--exclude-source-info', '-o', '-#format=binpb'], { cwd: ROOT, maxBuffer: 16 << 20 });
    registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet));
  }
  return registry;
}

/** The message as the CloudEvents SDK's Kafka binding reads it; throws unless it is a valid CloudEvent 1.0. */
export function cloudEventOf(message: ConsumedEvent): CloudEvent<unknown> {
  const kafkaMessage: KafkaMessage<string> = { key: message.key, headers: message.headers, value: message.body, body: message.body };
  const event = CloudEventsKafka.toEvent(kafkaMessage) as CloudEvent<unknown>;
  event.validate();
  return event;
}

/** Whether the CloudEvents SDK takes the record for an event at all (a tombstone must not be one). */
export function isCloudEvent(record: ConsumedTombstone): boolean {
  const kafkaMessage: KafkaMessage<null> = { key: record.key, headers: record.headers, value: null, body: null };
  return Boolean(CloudEventsKafka.isEvent(kafkaMessage)); // the SDK answers undefined for "no"
}

/** A payload decoded by the independent decoder, as plain data: enums by name, int64 as numbers, timestamps as ISO strings. */
export type Decoded = { [field: string]: unknown };

/**
 * Decodes `body` as the protobuf JSON mapping of `typeName`, strictly: an unknown field, an enum
 * name not in the proto or a value of the wrong type fails. (Not a check of the canonical form:
 * the service writes int64 as JSON numbers and timestamps with milliseconds, which the mapping accepts.)
 */
export function decodePayload(typeName: string, body: string): Decoded {
  const reg = protoRegistry();
  const schema = reg.getMessage(typeName);
  if (!schema) throw new Error(`no message ${typeName} in proto/`);
  return plain(schema, fromJsonString(schema, body, { registry: reg }));
}

function plain(schema: DescMessage, message: Message): Decoded {
  const result: Decoded = {};
  const fields = message as unknown as Record<string, unknown>;
  for (const field of schema.fields) {
    const value = fields[field.localName];
    if (field.fieldKind === 'list') result[field.localName] = (value as unknown[]).map((item) => single(field, item));
    else if (field.fieldKind === 'map' || field.oneof) throw new Error(`${schema.typeName}.${field.name}: maps and oneofs are not in the event contract`);
    else if (value !== undefined) result[field.localName] = single(field, value);
  }
  return result;
}

function single(field: DescField, value: unknown): unknown {
  const kind = field.fieldKind === 'list' ? field.listKind : field.fieldKind;
  const message = field.fieldKind === 'list' || field.fieldKind === 'message' ? field.message : undefined;
  const enumDesc = field.fieldKind === 'list' || field.fieldKind === 'enum' ? field.enum : undefined;
  if (kind === 'enum') return enumName(enumDesc!, value as number);
  if (kind === 'message' && message!.typeName === 'google.protobuf.Timestamp') return timestampDate(value as Timestamp).toISOString();
  if (kind === 'message') return plain(message!, value as Message);
  return typeof value === 'bigint' ? Number(value) : value;
}

function enumName(desc: DescEnum, number: number): string {
  const value = desc.values.find((v) => v.number === number);
  if (!value) throw new Error(`${desc.typeName}: no value ${number}`);
  return value.name;
}

/** The names of an enum's values, as proto/ defines them now. */
export function enumValueNames(typeName: string): string[] {
  const desc = protoRegistry().getEnum(typeName);
  if (!desc) throw new Error(`no enum ${typeName} in proto/`);
  return desc.values.map((v) => v.name);
}
