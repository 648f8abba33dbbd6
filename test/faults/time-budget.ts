/**
 * The fault tests' own time limit, for each test and each hook: above the sum of the bounds one of
 * them waits for in a row, so a slow machine fails on the wait that is late (naming what it waited
 * for, after the accounting it could print) instead of on jest's "Exceeded timeout". The largest
 * sums (Kafka and FerretDB actions are bounded at 120 s each by the stack scripts):
 * - kafka-proxy: health 60 s, four load phases before the cuts 4 × 30 s, five cuts 5 × 2 × 30 s,
 *   refusal and recovery 60 + 30 + 60 + 30 s, the last call's deadline 30 s, outbox drain 60 s,
 *   reading the topic 60 s: 750 s;
 * - mongodb-outage: FerretDB kill and start 2 × 120 s, health 30 + 20 + 60 s, load phases
 *   30 + 30 + 30 s, calls 4 × 30 s, drain and topic 2 × 60 s: 680 s;
 * - kafka-leader-killed: the three-node cluster's start and one node's kill 2 × 180 s, load phases
 *   2 × 60 s, publishing 30 s, the new leader 60 s, drain 90 s, reading the topic 60 s: 720 s;
 * - kafka-outage: Kafka kill and start 2 × 120 s, health 30 + 30 + 30 + 60 s, metrics and audit
 *   30 + 20 + 30 s, events and drain 2 × 60 s: 590 s.
 * jest 29 takes testTimeout only for the whole run, so the faults project sets it here.
 */
const FAULT_TEST_TIMEOUT_MS = 15 * 60_000;

jest.setTimeout(FAULT_TEST_TIMEOUT_MS);
