import { Counter, Histogram, type Registry } from 'prom-client';

/** Every RPC this service serves is unary. */
const GRPC_TYPE = 'unary';

/**
 * The gRPC server metrics under the names and labels of go-grpc-prometheus (grpc-ecosystem), so
 * dashboards and alerts written for any gRPC service work here. Labels: the full service name, the
 * method, the status code's name; never anything from the request.
 */
export class GrpcServerMetrics {
  private readonly startedTotal: Counter<'grpc_service' | 'grpc_method' | 'grpc_type'>;
  private readonly handledTotal: Counter<'grpc_service' | 'grpc_method' | 'grpc_type' | 'grpc_code'>;
  private readonly handlingSeconds: Histogram<'grpc_service' | 'grpc_method' | 'grpc_type'>;

  constructor(registry: Registry) {
    this.startedTotal = new Counter({
      name: 'grpc_server_started_total',
      help: 'Total number of RPCs started on the server.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_type'],
      registers: [registry],
    });
    this.handledTotal = new Counter({
      name: 'grpc_server_handled_total',
      help: 'Total number of RPCs completed on the server, regardless of success or failure.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_type', 'grpc_code'],
      registers: [registry],
    });
    this.handlingSeconds = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Response latency (seconds) of RPCs handled by the server, until the answer is sent.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  started(service: string, method: string): void {
    this.startedTotal.inc({ grpc_service: service, grpc_method: method, grpc_type: GRPC_TYPE });
  }

  /** `code` is the status name: `OK`, `INVALID_ARGUMENT`, ... */
  handled(service: string, method: string, code: string, seconds: number): void {
    const labels = { grpc_service: service, grpc_method: method, grpc_type: GRPC_TYPE };
    this.handledTotal.inc({ ...labels, grpc_code: code });
    this.handlingSeconds.observe(labels, seconds);
  }
}
