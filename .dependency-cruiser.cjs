/** Layer rules: imports point inwards; the domain knows nothing of transport, storage or messaging. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain depends on nothing outside itself (test data helpers may use fast-check).',
      severity: 'error',
      from: { path: '^src/domain', pathNot: '\\.(test|arbitrary)\\.ts$' },
      to: { pathNot: '^src/domain' },
    },
    {
      name: 'config-stands-alone',
      severity: 'error',
      from: { path: '^src/config' },
      to: { path: '^src/', pathNot: '^src/config' },
    },
    {
      name: 'use-cases-know-no-adapters',
      comment: 'Commands, queries and the read views use domain ports, never an adapter or a driver.',
      severity: 'error',
      from: { path: '^src/(application|commands|queries|views)' },
      to: { path: ['^src/(transport-grpc|storage-mongo|publishing-kafka|relay|gen|main)', 'node_modules/(mongodb|kafkajs|@grpc)'] },
    },
    {
      name: 'relay-knows-no-drivers',
      severity: 'error',
      from: { path: '^src/relay' },
      to: { path: ['^src/(transport-grpc|storage-mongo|publishing-kafka)', 'node_modules/(mongodb|kafkajs|@grpc)'] },
    },
    {
      name: 'adapters-stay-apart',
      comment: 'Each adapter is its own folder; only main.ts and src/composition wire them together.',
      severity: 'error',
      from: { path: '^src/(transport-grpc|storage-mongo|publishing-kafka)/' },
      to: { path: '^src/(transport-grpc|storage-mongo|publishing-kafka)/', pathNot: '^src/$1/' },
    },
    {
      name: 'metrics-only-through-ports',
      comment: 'Adapters and use cases report through observer ports; only main.ts and src/composition hand them the metrics.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/main\\.ts$', '^src/composition/', '^src/observability/'] },
      to: { path: '^src/observability/(metrics|grpc-server-metrics|metrics-server)' },
    },
    {
      name: 'adapters-observe-through-ports',
      comment: 'Adapters get tracing and metrics through ports (domain/ports/trace-context, observer interfaces), never from src/observability.',
      severity: 'error',
      from: { path: '^src/(transport-grpc|storage-mongo|publishing-kafka)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/observability/' },
    },
    {
      name: 'only-main-wires',
      severity: 'error',
      from: { pathNot: '^(src/main\\.ts|test/)' },
      to: { path: '^src/main\\.ts$' },
    },
    {
      name: 'only-main-composes',
      comment: 'src/composition builds the service for main.ts; nothing else reaches into it.',
      severity: 'error',
      from: { pathNot: '^(src/main\\.ts|src/composition/|test/)' },
      to: { path: '^src/composition/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^src/gen/' },
  },
};
