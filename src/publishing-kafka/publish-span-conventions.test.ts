import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { Message } from 'kafkajs';
import { endPublishSpan, startPublishSpan, withTraceHeaders } from './publish-spans';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** A failed send as kafkajs reports it: an Error subclass whose name is its type. */
class KafkaJSNumberOfRetriesExceeded extends Error {
  override name = 'KafkaJSNumberOfRetriesExceeded';
}

// OpenTelemetry's messaging conventions (Kafka producer): what a trace backend groups and filters publications by.
describe('the span of a published event', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })));
  afterAll(() => trace.disable());
  afterEach(() => exporter.reset());

  it('is, for a batch of one event, a producer span named `send <topic>` with the messaging attributes, continuing the stored trace', () => {
    endPublishSpan(startPublishSpan('resident-access.access-changed.v1', [{ eventId: 'e-1', traceparent }]));

    const [span] = exporter.getFinishedSpans();
    expect({ name: span!.name, kind: span!.kind, traceId: span!.spanContext().traceId, parent: span!.parentSpanContext?.spanId }).toEqual({
      name: 'send resident-access.access-changed.v1',
      kind: SpanKind.PRODUCER,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parent: '00f067aa0ba902b7',
    });
    expect(span!.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'resident-access.access-changed.v1',
      'messaging.message.id': 'e-1',
    });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("is one span for a batch, linked to each event's stored context; each message names its own event's context, an untraced one the span", () => {
    const other = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const events = [{ eventId: 'e-1', traceparent }, { eventId: 'e-2', traceparent: other }, { eventId: 'e-3' }];
    const span = startPublishSpan('topic', events);
    const message = (id: string): Message => ({ key: 'k', value: '{}', headers: { ce_id: id } });
    const headers = events.map((e) => withTraceHeaders([message(e.eventId)], e, span)[0]!.headers!.traceparent);
    endPublishSpan(span);

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['send topic']);
    expect(spans[0]!.parentSpanContext).toBeUndefined();
    expect(spans[0]!.links.map((l) => `${l.context.traceId}-${l.context.spanId}`)).toEqual([
      '4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7',
      '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331',
    ]);
    expect(spans[0]!.attributes['messaging.batch.message_count']).toBe(3);
    expect(headers).toEqual([traceparent, other, `00-${spans[0]!.spanContext().traceId}-${spans[0]!.spanContext().spanId}-01`]);
  });

  it("records a failed send as an error with the error's type", () => {
    endPublishSpan(startPublishSpan('topic', [{ eventId: 'e-2' }]), new KafkaJSNumberOfRetriesExceeded('broker gone'));

    const [span] = exporter.getFinishedSpans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'publish failed' });
    expect(span!.attributes['error.type']).toBe('KafkaJSNumberOfRetriesExceeded');
    expect(span!.events.map((e) => e.name)).toEqual(['exception']);
  });
});
