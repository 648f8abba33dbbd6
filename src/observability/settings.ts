import { z } from 'zod';
import { flag, port } from '../shared/settings';

/** Logs, metrics and traces: their environment variables. */
export const observabilityEnv = z.object({
  METRICS_HOST: z.string().min(1).default('127.0.0.1').describe('address of the Prometheus endpoint'),
  METRICS_PORT: port.default(9464).describe('port of `GET /metrics` (`0` picks a free one)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('`fatal` … `trace`, or `silent`'),
  // Unset: spans are made (log lines carry trace ids) but none is exported.
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'must be an http(s):// URL')
    .optional()
    .meta({
      description: 'OTLP/HTTP base URL of a trace collector, e.g. `http://otel-collector:4318` (`/v1/traces` is added); unset, spans are made for log and event correlation but not exported',
      shownDefault: 'unset (no export)',
    }),
  OTEL_SERVICE_NAME: z.string().min(1).default('resident-access').describe('the `service.name` of exported spans'),
  // Read by src/observability/tracing.ts before the configuration loads (tracing starts first); validated here with the rest.
  OTEL_SDK_DISABLED: flag.describe('`true`: no tracing at all (no spans, no trace ids on log lines or events)'),
});

type ObservabilityEnv = z.infer<typeof observabilityEnv>;

export interface ObservabilitySettings {
  metrics: { host: string; port: number };
  logLevel: ObservabilityEnv['LOG_LEVEL'];
  /** otlpEndpoint null: no exporter (spans only for log correlation and the Kafka traceparent header). */
  tracing: { serviceName: string; otlpEndpoint: string | null };
}

export function observabilitySettings(e: ObservabilityEnv): ObservabilitySettings {
  return {
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT },
    logLevel: e.LOG_LEVEL,
    tracing: { serviceName: e.OTEL_SERVICE_NAME, otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT ?? null },
  };
}

/** Observability's fixed numbers (not read from the environment). */
export const OBSERVABILITY_TUNING = {
  /** One scrape's read of an outbox's backlog serves the next scrapes this long (several Prometheus servers). */
  outboxBacklogCacheMs: 1000,
};
