/**
 * A service process whose clock the test moves (test harness only; production has no such
 * entry): `startService(loadConfig(process.env), { clock })`, as src/main.ts runs it, with a clock
 * that reads "now" as TEST_CLOCK_AT at the start and runs on in real time. Started by
 * `spawnService(env, { movableClock: at })` (service-process.ts), whose `setClock` sends
 * `{ type: 'clock', at }` over the IPC channel; the child answers `{ type: 'clock-set' }` once every
 * later `now()` reads from there on. Stops on SIGTERM like src/main.ts; exits when the test
 * process goes away.
 */
import { startService } from '../../src/main';
import { loadConfig } from '../../src/config/config';

const offsetTo = (at: string | undefined) => (at ? Date.parse(at) - Date.now() : 0);
let offsetMs = offsetTo(process.env.TEST_CLOCK_AT);
const clock = { now: () => new Date(Date.now() + offsetMs) };

process.on('message', (message: { type?: string; at?: string }) => {
  if (message.type !== 'clock') return;
  offsetMs = offsetTo(message.at);
  process.send?.({ type: 'clock-set', at: message.at });
});
process.on('disconnect', () => process.exit(0));

startService(loadConfig(process.env), { clock }).then(
  (service) => {
    process.once('SIGTERM', () => {
      service.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  },
  (error: unknown) => {
    process.stderr.write(`service-child failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
