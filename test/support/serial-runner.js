// The `faults` project's runner: jest's own, with its test files run one at a time. Each fault test
// starts Kafka JVMs or FerretDBs of its own; two at once on a small machine slow each other past
// what they wait for. Jest runs one runner's files after the other's, so these also never overlap
// the other projects' files. (jest 29 has no per-project maxWorkers; `isSerial` is its hook.)
const TestRunner = require('jest-runner').default;

class SerialRunner extends TestRunner {
  isSerial = true;
}

module.exports = SerialRunner;
