import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';
import { scrubString } from './personal-data-scrub';

/**
 * The last guard before spans leave the process, as the log formatter is for log lines: every
 * string a span carries (name, attributes, status message, event attributes such as a recorded
 * exception's message) is scrubbed of identity-number shapes. A driver's error can quote a key
 * (MongoDB's duplicate-key message names the `_id`, which holds the number) and the
 * instrumentations record error messages as they are.
 */
export class ScrubbingSpanExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans.map(scrubbedSpan), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** A view of the span with its strings scrubbed; the rest (ids, times, resource) reads through to it. */
export function scrubbedSpan(span: ReadableSpan): ReadableSpan {
  const { status } = span;
  const own = (value: unknown): PropertyDescriptor => ({ value, enumerable: true });
  return Object.create(span, {
    name: own(scrubString(span.name)),
    status: own(status.message === undefined ? status : { ...status, message: scrubString(status.message) }),
    attributes: own(scrubAttributes(span.attributes)),
    events: own(span.events.map((event) => (event.attributes ? { ...event, attributes: scrubAttributes(event.attributes) } : event))),
  }) as ReadableSpan;
}

function scrubAttributes(attributes: Attributes): Attributes {
  const scrubbed: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) scrubbed[scrubString(key)] = scrubValue(value);
  return scrubbed;
}

function scrubValue(value: AttributeValue | undefined): AttributeValue | undefined {
  if (typeof value === 'string') return scrubString(value);
  if (Array.isArray(value)) return value.map((v: unknown) => (typeof v === 'string' ? scrubString(v) : v)) as AttributeValue;
  return value;
}
