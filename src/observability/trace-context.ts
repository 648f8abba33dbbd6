import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * A W3C trace context as plain strings: how an outbox event remembers the call that produced it,
 * so its publication (and its consumers) join that call's trace. Plain strings keep OpenTelemetry
 * types out of storage documents and of the domain.
 */
export interface TraceContextFields {
  traceparent?: string;
  tracestate?: string;
}

// W3C trace context only, whatever global propagator is set: the fields and the Kafka header are named after it.
const w3c = new W3CTraceContextPropagator();

/** The active span's context (none outside a span, or with tracing suppressed). */
export function activeTraceContext(active: Context = context.active()): TraceContextFields {
  const carrier: Record<string, string> = {};
  w3c.inject(active, carrier, defaultTextMapSetter);
  return fieldsOf(carrier);
}

/** `event` with the active trace context, to be stored with it; unchanged when there is none. */
export function withTraceContext<E extends object>(event: E, active: Context = context.active()): E & TraceContextFields {
  const fields = activeTraceContext(active);
  return fields.traceparent ? { ...event, ...fields } : event;
}

/** The context stored fields name, for a span to continue; the root context when they name none (or are malformed). */
export function contextFrom(fields: TraceContextFields): Context {
  return w3c.extract(ROOT_CONTEXT, fieldsOf(fields), defaultTextMapGetter);
}

function fieldsOf(carrier: { traceparent?: unknown; tracestate?: unknown }): TraceContextFields {
  const { traceparent, tracestate } = carrier;
  return {
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
    ...(typeof tracestate === 'string' && tracestate !== '' ? { tracestate } : {}),
  };
}
