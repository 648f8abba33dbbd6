/**
 * A W3C trace context as plain strings: how an outbox event remembers the call that produced it,
 * so its publication (and its consumers) join that call's trace. Plain strings keep tracing
 * libraries' types out of the domain and of stored documents.
 */
export interface TraceContextFields {
  traceparent?: string;
  tracestate?: string;
}

/** The trace context of the work in progress (empty outside a traced call). */
export interface TraceContextSource {
  active(): TraceContextFields;
}

export const noTraceContext: TraceContextSource = { active: () => ({}) };

/** `event` with the active trace context, to be stored with it; unchanged when there is none. */
export function withTraceContext<E extends object>(event: E, source: TraceContextSource): E & TraceContextFields {
  const fields = source.active();
  return fields.traceparent ? { ...event, ...fields } : event;
}
