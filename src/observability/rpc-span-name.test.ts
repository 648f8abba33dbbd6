import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { RpcSpanNaming } from './rpc-span-name';

// The gRPC instrumentation patches grpc-js through Node's module loading, which Jest bypasses: its
// spans are made here as it makes them (name, kind); test/process/tracing.test.ts sees the real ones.
describe('the span of a served call', () => {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new RpcSpanNaming(), new SimpleSpanProcessor(exporter)] }).getTracer('test');

  it("is named `<package>.<service>/<method>`, without the instrumentation's `grpc.` prefix", () => {
    tracer.startSpan('grpc.residentaccess.v1.ResidentAccessService/ApproveResident', { kind: SpanKind.SERVER }).end();

    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['residentaccess.v1.ResidentAccessService/ApproveResident']);
  });

  it('leaves every other span its name', () => {
    exporter.reset();
    tracer.startSpan('grpc.example', { kind: SpanKind.CLIENT }).end();
    tracer.startSpan('find access', { kind: SpanKind.CLIENT }).end();

    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['grpc.example', 'find access']);
  });
});
