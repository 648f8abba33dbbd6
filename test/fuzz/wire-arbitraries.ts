import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { personalIdentityNumberArbitrary } from '../../src/domain/identity/personal-identity-number.arbitrary';
import { tenDigitForm } from '../builders/identity';
import { recordIdentityNumbers } from '../support/test-logs';

/** What the generated values are built from: ids the service knows, so calls get past the first checks. */
export interface FuzzContext {
  clinicId: string;
  caseTypeIds: string[];
}

type Write = (writer: BinaryWriter) => void;

/** Valid numbers, recorded for the test run's log scan as they are made. */
const identityNumber: fc.Arbitrary<string> = personalIdentityNumberArbitrary({ today: new Date().toISOString().slice(0, 10) }).map(({ value }) => {
  recordIdentityNumbers([value]);
  return value;
});

function stringValue(context: FuzzContext, huge: boolean): fc.Arbitrary<string> {
  const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
  return fc.oneof(
    { arbitrary: fc.constantFrom(context.clinicId, ...context.caseTypeIds, ''), weight: 3 },
    { arbitrary: identityNumber, weight: 3 },
    { arbitrary: identityNumber.map(tenDigitForm), weight: 2 },
    { arbitrary: fc.tuple(fc.string({ maxLength: 8 }), identityNumber, fc.string({ maxLength: 8 })).map((parts) => parts.join('')), weight: 2 },
    { arbitrary: fc.uuid(), weight: 1 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 2 },
    { arbitrary: fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), loneSurrogate), maxLength: 40 }), weight: 1 },
    { arbitrary: fc.constantFrom('2026-02-30', '9999-12-31', '0000-00-00', '-1', 'NaN', '{"$gt":""}', '$where', 'a.b', '\u0000', ' '), weight: 1 },
    // Huge: past any sane field length, some past gRPC's default 4 MB message limit.
    { arbitrary: fc.tuple(fc.constantFrom('x', 'å', '1'), fc.integer({ min: 1_000, max: huge ? 3_000_000 : 2_000 })).map(([c, n]) => c.repeat(n)), weight: 1 },
  );
}

const int32 = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 2 ** 31 - 1, -(2 ** 31)));
const int64 = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(0n, -1n, 253402300800n, -62135596801n));
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

function scalarWrite(type: ScalarType, no: number, context: FuzzContext, huge: boolean): fc.Arbitrary<Write> {
  switch (type) {
    case ScalarType.STRING:
      return stringValue(context, huge).map((v) => (w) => w.tag(no, WireType.LengthDelimited).string(v));
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 64 }).map((v) => (w) => w.tag(no, WireType.LengthDelimited).bytes(v));
    case ScalarType.BOOL:
      return fc.boolean().map((v) => (w) => w.tag(no, WireType.Varint).bool(v));
    case ScalarType.INT32:
      return int32.map((v) => (w) => w.tag(no, WireType.Varint).int32(v));
    case ScalarType.SINT32:
      return int32.map((v) => (w) => w.tag(no, WireType.Varint).sint32(v));
    case ScalarType.UINT32:
      return fc.nat({ max: 2 ** 32 - 1 }).map((v) => (w) => w.tag(no, WireType.Varint).uint32(v));
    case ScalarType.FIXED32:
      return fc.nat({ max: 2 ** 32 - 1 }).map((v) => (w) => w.tag(no, WireType.Bit32).fixed32(v));
    case ScalarType.SFIXED32:
      return int32.map((v) => (w) => w.tag(no, WireType.Bit32).sfixed32(v));
    case ScalarType.INT64:
      return int64.map((v) => (w) => w.tag(no, WireType.Varint).int64(v));
    case ScalarType.SINT64:
      return int64.map((v) => (w) => w.tag(no, WireType.Varint).sint64(v));
    case ScalarType.SFIXED64:
      return int64.map((v) => (w) => w.tag(no, WireType.Bit64).sfixed64(v));
    case ScalarType.UINT64:
      return uint64.map((v) => (w) => w.tag(no, WireType.Varint).uint64(v));
    case ScalarType.FIXED64:
      return uint64.map((v) => (w) => w.tag(no, WireType.Bit64).fixed64(v));
    case ScalarType.DOUBLE:
      return fc.double().map((v) => (w) => w.tag(no, WireType.Bit64).double(v));
    case ScalarType.FLOAT:
      return fc.float().map((v) => (w) => w.tag(no, WireType.Bit32).float(v));
  }
}

const enumNumber = fc.oneof(fc.integer({ min: -2, max: 8 }), int32);

function nestedWrite(message: DescMessage, no: number, context: FuzzContext, depth: number): fc.Arbitrary<Write> {
  return messageBytes(message, context, depth + 1).map((bytes) => (w) => w.tag(no, WireType.LengthDelimited).bytes(bytes));
}

/** One occurrence of a field (for a list: one element), correctly typed. */
function elementWrite(field: DescField, context: FuzzContext, depth: number): fc.Arbitrary<Write> | null {
  const no = field.number;
  switch (field.fieldKind) {
    case 'scalar':
      // Huge strings only once per message, never in lists: a list of huge strings would be gigabytes.
      return scalarWrite(field.scalar, no, context, depth === 0);
    case 'enum':
      return enumNumber.map((v) => (w) => w.tag(no, WireType.Varint).int32(v));
    case 'message':
      return depth >= 4 ? null : nestedWrite(field.message, no, context, depth);
    case 'list':
      if (field.listKind === 'scalar') return scalarWrite(field.scalar, no, context, false);
      if (field.listKind === 'enum') return enumNumber.map((v) => (w) => w.tag(no, WireType.Varint).int32(v));
      return depth >= 4 ? null : nestedWrite(field.message, no, context, depth);
    case 'map': {
      const key = scalarWrite(field.mapKey, 1, context, false);
      const value =
        field.mapKind === 'scalar'
          ? scalarWrite(field.scalar, 2, context, false)
          : field.mapKind === 'enum'
            ? enumNumber.map(
                (v): Write =>
                  (w) =>
                    w.tag(2, WireType.Varint).int32(v),
              )
            : depth >= 4
              ? fc.constant<Write>(() => undefined)
              : nestedWrite(field.message, 2, context, depth);
      return fc.tuple(key, value).map(
        ([k, v]) =>
          (w) =>
            w.tag(no, WireType.LengthDelimited).bytes(encode([k, v])),
      );
    }
  }
}

function fieldWrites(field: DescField, context: FuzzContext, depth: number): fc.Arbitrary<Write[]> {
  const element = elementWrite(field, context, depth);
  if (!element) return fc.constant([]);
  const repeated = field.fieldKind === 'list' || field.fieldKind === 'map';
  if (!repeated) return fc.option(element, { nil: undefined }).map((w) => (w ? [w] : []));
  return fc.oneof(
    { arbitrary: fc.array(element, { maxLength: 5 }), weight: 5 },
    // Many of the same element: cheap to make, long for the service. Copies of a large element are
    // fewer, so a list of lists (an import's rows of grants) stays within MAX_REPEATED_BYTES; 2 000
    // rows of 2 000 grants with long strings would be gigabytes, and the test process dies of it.
    { arbitrary: fc.tuple(element, fc.integer({ min: 100, max: 2_000 })).map(([w, n]) => Array<Write>(copiesWithinBound(w, n)).fill(w)), weight: 1 },
  );
}

/** Past gRPC's 4 MB message limit, so lists too long for the server are still sent. */
export const MAX_REPEATED_BYTES = 8 << 20;

function copiesWithinBound(write: Write, wanted: number): number {
  return Math.max(1, Math.min(wanted, Math.floor(MAX_REPEATED_BYTES / encode([write]).length)));
}

function encode(writes: Write[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const write of writes) write(writer);
  return writer.finish();
}

/** A well-typed message of this kind whose field values are arbitrary. */
export function messageBytes(message: DescMessage, context: FuzzContext, depth = 0): fc.Arbitrary<Uint8Array> {
  return fc.tuple(...message.fields.map((f) => fieldWrites(f, context, depth))).map((perField) => encode(perField.flat()));
}

const varint = (n: number | bigint): Uint8Array => new BinaryWriter().uint64(n).finish();
const tag = (no: number, wireType: WireType): Uint8Array => new BinaryWriter().tag(no, wireType).finish();
const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

const invalidUtf8 = fc.constantFrom(
  [0xff],
  [0xc0, 0xaf], // overlong '/'
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate half
  [0xe2, 0x82], // truncated sequence
  [0xf8, 0x88, 0x80, 0x80, 0x80], // five-byte form
  [0x80],
);

/** Bytes that are not a valid message of this kind, in the ways a parser is most likely to trip on. */
export function malformedBytes(message: DescMessage, context: FuzzContext): fc.Arbitrary<Uint8Array> {
  const numbers = message.fields.length > 0 ? message.fields.map((f) => f.number) : [1];
  const known = fc.constantFrom(...numbers);
  const stringFields = message.fields.filter((f) => f.scalar === ScalarType.STRING).map((f) => f.number);
  const valid = messageBytes(message, context);
  const anyWireType = fc.constantFrom(WireType.Varint, WireType.Bit64, WireType.LengthDelimited, WireType.StartGroup, WireType.EndGroup, WireType.Bit32);
  return fc.oneof(
    fc.uint8Array({ maxLength: 256 }),
    // A known field with every wire type (mostly the wrong one), with a plausible payload.
    fc
      .tuple(valid, known, anyWireType, fc.uint8Array({ minLength: 0, maxLength: 16 }))
      .map(([prefix, no, wireType, payload]) => concat(prefix, tag(no, wireType), wireType === WireType.LengthDelimited ? varint(payload.length) : new Uint8Array(), payload)),
    // Length-delimited fields nested far deeper than any of our messages.
    fc.tuple(known, fc.integer({ min: 10, max: 3_000 })).map(([no, depth]) => {
      let inner: Uint8Array = new Uint8Array();
      for (let i = 0; i < depth; i++) inner = concat(tag(no, WireType.LengthDelimited), varint(inner.length), inner);
      return inner;
    }),
    // Groups nested deep, closed or not.
    fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 10, max: 20_000 }), fc.boolean()).map(([no, depth, closed]) => {
      const open = tag(no, WireType.StartGroup);
      const close = tag(no, WireType.EndGroup);
      return concat(...Array<Uint8Array>(depth).fill(open), ...(closed ? Array<Uint8Array>(depth).fill(close) : []));
    }),
    // Invalid UTF-8 in a string field (the wire allows any bytes there), around a number or not.
    fc.tuple(fc.constantFrom(...(stringFields.length > 0 ? stringFields : numbers)), invalidUtf8, fc.oneof(identityNumber, fc.string({ maxLength: 10 }))).map(([no, bad, text]) => {
      const bytes = concat(Buffer.from(text), Uint8Array.from(bad), Buffer.from(text));
      return concat(tag(no, WireType.LengthDelimited), varint(bytes.length), bytes);
    }),
    // A valid message cut short.
    // (A message with no fields encodes to nothing: a lone tag stands for it cut short, instead of a
    // filter that never passes and keeps fast-check generating for ever.)
    fc.tuple(valid, fc.nat()).map(([bytes, cut]) => (bytes.length > 1 ? bytes.subarray(0, cut % bytes.length) : Uint8Array.from([0x0a]))),
    // A length prefix past the end, an endless varint, field number 0, a field number past 2^29.
    fc.tuple(known, fc.integer({ min: 1, max: 2 ** 31 - 1 })).map(([no, length]) => concat(tag(no, WireType.LengthDelimited), varint(length), Buffer.from('x'))),
    fc.constant(Uint8Array.from([0x08, ...Array<number>(11).fill(0xff)])),
    fc.constant(Uint8Array.from([0x00, 0x01])),
    fc.constant(Uint8Array.from([0xf8, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])),
  );
}

/** Every 12-digit run in a request (its numbers in any field), and the 10-digit forms of each. */
export function identityNumbersIn(request: Uint8Array): string[] {
  const text = Buffer.from(request).toString('latin1');
  const twelve = [...new Set(text.match(/(?<!\d)\d{12}(?!\d)/g) ?? [])];
  return twelve.flatMap((n) => [n, tenDigitForm(n), n.slice(2)]);
}
