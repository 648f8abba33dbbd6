import { SpanKind, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-node';

/** What the gRPC instrumentation puts before `<package>.<service>/<method>` in its span names. */
const INSTRUMENTATION_PREFIX = 'grpc.';

/**
 * Names each served call's span as OpenTelemetry's RPC conventions do, `<package>.<service>/<method>`
 * (`residentaccess.v1.ResidentAccessService/ApproveResident`), where the gRPC instrumentation writes
 * `grpc.` before it; its attributes (`rpc.system`, `rpc.service`, `rpc.method`,
 * `rpc.grpc.status_code`) already follow them. Only that instrumentation makes server spans here.
 */
export class RpcSpanNaming implements SpanProcessor {
  onStart(span: Span, _parentContext: Context): void {
    if (span.kind === SpanKind.SERVER && span.name.startsWith(INSTRUMENTATION_PREFIX)) span.updateName(span.name.slice(INSTRUMENTATION_PREFIX.length));
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
