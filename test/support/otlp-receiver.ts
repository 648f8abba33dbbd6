import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventuallyFound } from './eventually';

/** A span as OTLP/JSON carries it (ids in hex), with its attributes flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpSpan extends Omit<ReceivedSpan, 'attributes'> {
  attributes?: OtlpAttribute[];
}
interface OtlpTraces {
  resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

/**
 * The test's own trace collector: an OTLP/HTTP (JSON) endpoint on loopback that keeps every span
 * the service under test exports, and the raw bodies (to search them for personal data).
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly bodies: string[] = [];
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (request.url === '/v1/traces' && request.headers['content-type']?.startsWith('application/json')) {
          this.bodies.push(body);
          this.spans.push(...spansOf(JSON.parse(body) as OtlpTraces));
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Polls until a span matches; fails with the names seen after `timeoutMs`. */
  async waitFor(predicate: (span: ReceivedSpan) => boolean, timeoutMs = 30000): Promise<ReceivedSpan> {
    return eventuallyFound(() => this.spans.find(predicate), { what: 'a matching span', timeoutMs, intervalMs: 50 }).catch((error: Error) => {
      throw new Error(`${error.message}; saw ${[...new Set(this.spans.map((s) => s.name))].join(', ')}`);
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function spansOf(traces: OtlpTraces): ReceivedSpan[] {
  return (traces.resourceSpans ?? []).flatMap((r) =>
    (r.scopeSpans ?? []).flatMap((s) =>
      (s.spans ?? []).map((span) => ({
        ...span,
        attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]])),
      })),
    ),
  );
}
