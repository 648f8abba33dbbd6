import { context, defaultTextMapSetter, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { TraceContextFields, TraceContextSource } from '../domain/ports/trace-context';

// W3C trace context only, whatever global propagator is set: the fields and the Kafka header are named after it.
const w3c = new W3CTraceContextPropagator();

/** The active span's context (none outside a span, or with tracing suppressed). */
export function activeTraceContext(active: Context = context.active()): TraceContextFields {
  const carrier: Record<string, string> = {};
  w3c.inject(active, carrier, defaultTextMapSetter);
  return fieldsOf(carrier);
}

/** OpenTelemetry's active context, as the storage adapters' trace-context port. */
export const openTelemetryTraceContext: TraceContextSource = { active: () => activeTraceContext() };

function fieldsOf(carrier: { traceparent?: unknown; tracestate?: unknown }): TraceContextFields {
  const { traceparent, tracestate } = carrier;
  return {
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
    ...(typeof tracestate === 'string' && tracestate !== '' ? { tracestate } : {}),
  };
}
