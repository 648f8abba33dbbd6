// The `faults` project's runner: jest's own, with one worker, so its test files run one at a time.
// Each fault test starts Kafka JVMs or FerretDBs of its own; two at once on a small machine slow
// each other past what they wait for. Jest runs one runner's files after another's, so these also
// never overlap the other projects' files. (jest 29 has no per-project maxWorkers.) A worker
// process rather than jest's own (`isSerial`): a handle a fault test leaves open ends with the
// worker instead of keeping jest from exiting.
const TestRunner = require('jest-runner').default;

class OneAtATimeRunner extends TestRunner {
  constructor(globalConfig, context) {
    super({ ...globalConfig, maxWorkers: 1 }, context);
  }
}

module.exports = OneAtATimeRunner;
