import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { suppressTracing, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Message } from 'kafkajs';
import type { TraceContextFields } from '../domain/ports/trace-context';

const tracer = trace.getTracer('resident-access/publishing-kafka');
const w3c = new W3CTraceContextPropagator();

/**
 * One `send <topic>` span per event (OpenTelemetry's messaging conventions for a Kafka producer),
 * a child of the trace context stored with the event (the call that produced it). An event stored
 * without one (written before tracing, or by the expiry worker outside any call) starts a trace of
 * its own.
 */
export function startPublishSpan(topic: string, event: TraceContextFields & { eventId: string }): Span {
  return tracer.startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.message.id': event.eventId,
      },
    },
    contextFrom(event),
  );
}

/** The context stored fields name, for a span to continue; the root context when they name none (or are malformed). */
export function contextFrom(fields: TraceContextFields): Context {
  const carrier: Record<string, string> = {};
  if (typeof fields.traceparent === 'string') carrier.traceparent = fields.traceparent;
  if (typeof fields.tracestate === 'string' && fields.tracestate !== '') carrier.tracestate = fields.tracestate;
  return w3c.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

/**
 * The event's message with the span's context as the CloudEvents distributed-tracing `traceparent`
 * (and `tracestate`) header, so a consumer continuing from it joins the event's trace.
 */
export function withTraceHeaders(messages: Message[], span: Span): Message[] {
  const headers: Record<string, string> = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  if (Object.keys(headers).length === 0) return messages;
  // Only the CloudEvent: a tombstone after it is no event and keeps its own headers.
  return messages.map((m) => (m.value === null ? m : { ...m, headers: { ...m.headers, ...headers } }));
}

export function endPublishSpans(spans: readonly Span[], error?: unknown): void {
  for (const span of spans) {
    if (error !== undefined) {
      span.recordException(error instanceof Error ? error : 'publish failed');
      // The conventions' error.type: the error's class (kafkajs names each, e.g. KafkaJSNumberOfRetriesExceeded).
      span.setAttribute('error.type', error instanceof Error ? error.name : '_OTHER');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'publish failed' });
    }
    span.end();
  }
}

/**
 * Runs the Kafka send with tracing suppressed: the kafkajs instrumentation would make one `send`
 * span per message under the relay's context and overwrite each message's `traceparent` with it,
 * putting every event of a batch into one trace instead of its own.
 */
export function sendUntraced<T>(send: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), send);
}
