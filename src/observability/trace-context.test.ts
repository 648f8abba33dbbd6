import { ROOT_CONTEXT, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { withTraceContext } from '../domain/ports/trace-context';
import { contextFrom } from '../publishing-kafka/publish-spans';
import { activeTraceContext } from './trace-context';

const within = (active: Context) => ({ active: () => activeTraceContext(active) });

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';

describe('the trace context stored with an outbox event', () => {
  it('is the active span context as W3C traceparent and tracestate strings', () => {
    const active = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, traceState: new TraceState('vendor=abc') });
    const event = { eventId: 'e-1', version: 3 };

    expect(withTraceContext(event, within(active))).toEqual({ eventId: 'e-1', version: 3, traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'vendor=abc' });
  });

  it('is absent outside any span: the event is stored as it is', () => {
    const event = { eventId: 'e-1', version: 3 };

    expect(withTraceContext(event, within(ROOT_CONTEXT))).toBe(event);
    expect(withTraceContext(event, within(ROOT_CONTEXT))).not.toHaveProperty('traceparent');
  });

  it('reads back as the context a publication continues, unsampled flag included', () => {
    const parent = trace.getSpanContext(contextFrom({ traceparent: `00-${traceId}-${spanId}-00`, tracestate: 'vendor=abc' }));

    expect(parent).toMatchObject({ traceId, spanId, traceFlags: TraceFlags.NONE, isRemote: true });
    expect(parent?.traceState?.serialize()).toBe('vendor=abc');
  });

  it('reads back as no parent when absent or malformed, so the publication starts a trace of its own', () => {
    expect(trace.getSpanContext(contextFrom({}))).toBeUndefined();
    expect(trace.getSpanContext(contextFrom({ traceparent: 'not-a-traceparent' }))).toBeUndefined();
  });
});
