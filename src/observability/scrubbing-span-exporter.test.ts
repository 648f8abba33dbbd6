import { SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';
import { ScrubbingSpanExporter } from './scrubbing-span-exporter';

const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
const duplicateKey = 'E11000 duplicate key error collection: access index: _id_ dup key: { _id: "SE2321000016-1234|191212121212" }';

/** What an instrumentation leaves on a failed MongoDB command's span (only the fields read here). */
const failedInsert = {
  name: 'insert access',
  spanContext: () => spanContext,
  status: { code: SpanStatusCode.ERROR, message: duplicateKey },
  attributes: { 'db.collection.name': 'access', 'db.operation.name': 'insert', 'error.keys': ['121212-1212', 'x'], 'db.response.returned_rows': 0 },
  events: [{ name: 'exception', time: [0, 0], attributes: { 'exception.message': duplicateKey, 'exception.type': 'MongoServerError' } }],
} as unknown as ReadableSpan;

class Recorder implements SpanExporter {
  exported: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.exported.push(...spans);
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown = () => Promise.resolve();
}

describe('spans leaving the process', () => {
  it('carry no identity number in their status, attributes or recorded exceptions; ids and other values stay', () => {
    const recorder = new Recorder();
    new ScrubbingSpanExporter(recorder).export([failedInsert], () => undefined);

    const [span] = recorder.exported;
    expect(JSON.stringify({ ...span, status: span!.status, attributes: span!.attributes, events: span!.events })).not.toMatch(/191212121212|121212-1212/);
    expect(span!.status.message).toContain('SE2321000016-1234|[redacted]');
    expect(span!.attributes).toEqual({ 'db.collection.name': 'access', 'db.operation.name': 'insert', 'error.keys': ['[redacted]', 'x'], 'db.response.returned_rows': 0 });
    expect(span!.events[0]!.attributes!['exception.type']).toBe('MongoServerError');
    expect(span!.spanContext()).toBe(spanContext);
    expect(span!.name).toBe('insert access');
  });
});
