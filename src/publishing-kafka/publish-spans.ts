import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { suppressTracing, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Message } from 'kafkajs';
import type { TraceContextFields } from '../domain/ports/trace-context';

const tracer = trace.getTracer('resident-access/publishing-kafka');
const w3c = new W3CTraceContextPropagator();

/**
 * One `send <topic>` span per published batch (OpenTelemetry's messaging conventions for a Kafka
 * producer), linked to each event's stored trace context (the call that produced it). A batch of
 * one event with a stored context is that context's child, so a lone change stays one trace; a
 * larger batch starts a trace of its own, its links leading to every call.
 */
export function startPublishSpan(topic: string, events: readonly (TraceContextFields & { eventId: string })[]): Span {
  const contexts = events.map(contextFrom);
  const links = contexts.flatMap((c) => {
    const spanContext = trace.getSpanContext(c);
    return spanContext ? [{ context: spanContext }] : [];
  });
  const attributes: Attributes = {
    'messaging.system': 'kafka',
    'messaging.destination.name': topic,
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'send',
  };
  if (events.length === 1) attributes['messaging.message.id'] = events[0]!.eventId;
  else attributes['messaging.batch.message_count'] = events.length;
  const parent = events.length === 1 ? contexts[0]! : ROOT_CONTEXT;
  return tracer.startSpan(`send ${topic}`, { kind: SpanKind.PRODUCER, attributes, links: events.length === 1 ? [] : links }, parent);
}

/** The context stored fields name, for a span to continue; the root context when they name none (or are malformed). */
export function contextFrom(fields: TraceContextFields): Context {
  const carrier: Record<string, string> = {};
  if (typeof fields.traceparent === 'string') carrier.traceparent = fields.traceparent;
  if (typeof fields.tracestate === 'string' && fields.tracestate !== '') carrier.tracestate = fields.tracestate;
  return w3c.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

/**
 * The event's messages with its trace context as the CloudEvents distributed-tracing `traceparent`
 * (and `tracestate`) header: the context stored with the event, so a consumer continuing from it
 * joins the trace of the call that made the change; an event stored without one names the send
 * span. Only the CloudEvent: a tombstone after it is no event and keeps its own headers.
 */
export function withTraceHeaders(messages: Message[], event: TraceContextFields, span: Span): Message[] {
  const stored = contextFrom(event);
  const headers: Record<string, string> = {};
  w3c.inject(trace.getSpanContext(stored) ? stored : trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  if (Object.keys(headers).length === 0) return messages;
  return messages.map((m) => (m.value === null ? m : { ...m, headers: { ...m.headers, ...headers } }));
}

export function endPublishSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : 'publish failed');
    // The conventions' error.type: the error's class (kafkajs names each, e.g. KafkaJSNumberOfRetriesExceeded).
    span.setAttribute('error.type', error instanceof Error ? error.name : '_OTHER');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'publish failed' });
  }
  span.end();
}

/**
 * Runs the Kafka send with tracing suppressed: the kafkajs instrumentation would make one `send`
 * span per message under the relay's context and overwrite each message's `traceparent` with it,
 * putting every event of a batch into one trace instead of its own.
 */
export function sendUntraced<T>(send: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), send);
}
