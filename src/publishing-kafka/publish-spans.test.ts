import type { Message } from 'kafkajs';
import { startPublishSpan, withTraceHeaders } from './publish-spans';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const event: Message = { key: 'k', value: '{}', headers: { ce_id: 'e-1' } };
const tombstone: Message = { key: 'k', value: null, headers: { 'access-version': '2' } };

// No tracer provider here: the publish span is the API's no-op one, which carries its parent's context.
describe('the traceparent header of a published event', () => {
  it('continues the trace context stored with the event, on the CloudEvent and not on its tombstone', () => {
    const stored = { eventId: 'e-1', traceparent, tracestate: 'vendor=abc' };
    const span = startPublishSpan('topic', [stored, { eventId: 'e-2' }]);

    const [sent, after] = withTraceHeaders([event, tombstone], stored, span);

    expect(sent!.headers).toEqual({ ce_id: 'e-1', traceparent, tracestate: 'vendor=abc' });
    expect(after).toBe(tombstone);
  });

  it('is absent when the event has no stored context and nothing traces the publication', () => {
    const span = startPublishSpan('topic', [{ eventId: 'e-1' }]);

    expect(withTraceHeaders([event], {}, span)[0]!.headers).toEqual({ ce_id: 'e-1' });
  });
});
