/**
 * OpenTelemetry for the service process. Importing this module registers the instrumentations
 * (gRPC server calls, MongoDB commands, kafkajs consumers, pino's trace ids on log lines); it must
 * be imported before @grpc/grpc-js, mongodb, kafkajs and pino are first loaded, which is why it
 * is the first import of src/main.ts. Nothing else in the code knows of it: the only trace
 * context carried by hand is the one stored with outbox events (trace-context.ts).
 */
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { queryTextShape } from './db-query-text';
import { REDACTED } from './personal-data-scrub';
import { RpcSpanNaming } from './rpc-span-name';
import { ScrubbingSpanExporter } from './scrubbing-span-exporter';

/** Register-topic keys are personal identity numbers: never a span attribute. */
const KAFKA_MESSAGE_KEY = 'messaging.kafka.message.key';

// Only inside a traced call: background polls (relay scans, settings refresh, probes) would each be a trace.
const mongodb = new MongoDBInstrumentation({ requireParentSpan: true, dbStatementSerializer: queryTextShape });

/**
 * OpenTelemetry's own switch, read at import since instrumentations must be in place before the
 * modules they patch load: with it, no span is made and log lines and events carry no trace ids.
 */
const disabled = process.env.OTEL_SDK_DISABLED === 'true';

if (!disabled)
  registerInstrumentations({
    instrumentations: [
      // Probes and reflection are not calls anyone traces; they would only crowd the traces out.
      // (Matched on the method's name alone; no service of ours has methods so named.)
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch', 'ServerReflectionInfo'] }),
      mongodb,
      new KafkaJsInstrumentation({
        consumerHook: (span) => span.setAttribute(KAFKA_MESSAGE_KEY, REDACTED),
        producerHook: (span) => span.setAttribute(KAFKA_MESSAGE_KEY, REDACTED),
      }),
      // Trace ids on log lines only; the OpenTelemetry logs pipeline is not used.
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });

export interface TracingSettings {
  serviceName: string;
  /** OTLP/HTTP base URL (`v1/traces` is added); null: no exporter. */
  otlpEndpoint: string | null;
}

export interface Tracing {
  /** Exports what is buffered (a no-op without an exporter). */
  flush(): Promise<void>;
}

let started: Tracing | null = null;

/**
 * Registers the process's tracer provider, once: a second service in the same process (tests)
 * shares the first one's. Without an endpoint the RPC and publish spans are still made, so log
 * lines and Kafka headers carry trace ids, but no processor or exporter works on them.
 */
export function startTracing(settings: TracingSettings): Tracing {
  if (started) return started;
  if (disabled) return (started = { flush: () => Promise.resolve() });
  // Nothing exports them: MongoDB spans would cost every command a statement and a span for nothing
  // (log lines and event headers take their ids from the call's and the publication's spans).
  if (!settings.otlpEndpoint) mongodb.disable();
  const spanProcessors: SpanProcessor[] = settings.otlpEndpoint
    ? [new RpcSpanNaming(), new BatchSpanProcessor(new ScrubbingSpanExporter(new OTLPTraceExporter({ url: new URL('v1/traces', withSlash(settings.otlpEndpoint)).href })))]
    : [];
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    spanProcessors,
  });
  provider.register();
  started = { flush: () => provider.forceFlush() };
  return started;
}

/** The traces path goes after the endpoint's own path (`http://collector:4318/base` → `/base/v1/traces`). */
function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
