import { testAuthEnv } from '../test/support/tokens';
import { exitWhenDone, servers } from './common';

/** What a phase run on its own gets: the servers, the bench's auth, its size and its bounds. */
export interface AloneOptions {
  mongoUri: string;
  kafkaBrokers: string;
  authEnv: Record<string, string>;
  count: number;
  /** How long to wait for the phase's events (BENCH_MAX_MINUTES, default 40). */
  waitMs: number;
  rawMaxMs: number;
}

/**
 * One phase of `npm run bench` on its own (`npx tsx bench/<file>.ts [count]`, default 100 000,
 * after `npm run generate`): measured on the servers `servers()` finds, printed as JSON with its
 * ratio against the raw baseline.
 */
export function runAlone<R extends object>(file: string, measure: (options: AloneOptions) => Promise<R>, ratios: (result: R) => Record<string, number | null>): void {
  const run = async () => {
    const count = Number(process.argv[2] ?? 100_000);
    if (!Number.isInteger(count) || count < 2) throw new Error(`usage: npx tsx ${file} [count, at least 2]`);
    const { mongoUri, kafkaBrokers } = await servers();
    const waitMs = Number(process.env.BENCH_MAX_MINUTES ?? 40) * 60_000;
    const result = await measure({ mongoUri, kafkaBrokers, authEnv: await testAuthEnv(), count, waitMs, rawMaxMs: 300_000 });
    process.stdout.write(`${JSON.stringify({ ...result, ...ratios(result) }, null, 2)}\n`);
  };
  exitWhenDone(run());
}
