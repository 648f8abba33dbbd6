import type { MongoClient } from 'mongodb';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { personalIdentityNumberFor } from '../src/domain/identity/personal-identity-number.arbitrary';
import type { LoadResult } from './load';

/** Small helpers shared by the bench's steps. Progress goes to stderr: the table owns stdout. */

const processStart = Date.now();
export const log = (message: string): void => void process.stderr.write(`[bench +${Math.round((Date.now() - processStart) / 1000)}s] ${message}\n`);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The stack scripts are ES modules; a real dynamic import loads them. */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
export const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

/**
 * MONGODB_URI and KAFKA_BROKERS when both are set, otherwise the local stack (started if needed,
 * left running). Also handed to the test support the bench reuses (TEST_MONGODB_URI, TEST_KAFKA_BROKERS).
 */
export async function servers(): Promise<{ mongoUri: string; kafkaBrokers: string }> {
  const found = await findServers();
  process.env.TEST_MONGODB_URI = found.mongoUri;
  process.env.TEST_KAFKA_BROKERS = found.kafkaBrokers;
  return found;
}

async function findServers(): Promise<{ mongoUri: string; kafkaBrokers: string }> {
  if (process.env.MONGODB_URI && process.env.KAFKA_BROKERS) {
    return { mongoUri: process.env.MONGODB_URI, kafkaBrokers: process.env.KAFKA_BROKERS };
  }
  const stack = (await nativeImport(pathToFileURL(path.join(__dirname, '..', 'scripts', 'stack', 'index.mjs')).href)) as {
    up(opts: { log?: (m: string) => void }): Promise<{ mongoUri: string; kafkaBrokers: string; started: string[] }>;
  };
  const up = await stack.up({ log: (m) => log(`stack: ${m}`) });
  if (up.started.length > 0) log(`started ${up.started.join(', ')} (left running; \`npm run stack -- down\` stops them)`);
  return { mongoUri: up.mongoUri, kafkaBrokers: up.kafkaBrokers };
}

/** The database server measured, for the report: every figure depends on it. */
export interface DatabaseServer {
  /** 'FerretDB' when buildInfo names a FerretDB version, else 'MongoDB'. */
  product: 'FerretDB' | 'MongoDB';
  /** buildInfo's version: MongoDB's own, or the MongoDB version FerretDB answers as. */
  version: string | null;
  /** buildInfo's ferretdbVersion; null on MongoDB. */
  ferretdbVersion: string | null;
  /**
   * FerretDB's backend and its version, as its start-up notice names them ("SQLite 3.46.0"); null
   * when not known (FerretDB names it only once it has opened a database).
   */
  ferretdbBackend: string | null;
}

/** What `mongo` is connected to: buildInfo, and on FerretDB its backend (getLog startupWarnings). */
export async function databaseServer(mongo: MongoClient): Promise<DatabaseServer> {
  const admin = mongo.db('admin');
  const info = await admin.command({ buildInfo: 1 });
  const version = typeof info.version === 'string' ? info.version : null;
  if (typeof info.ferretdbVersion !== 'string') return { product: 'MongoDB', version, ferretdbVersion: null, ferretdbBackend: null };
  // "Powered by FerretDB v1.24.2 and SQLite 3.46.0." once FerretDB has opened a database.
  const warnings = await admin.command({ getLog: 'startupWarnings' }).catch(() => null);
  const lines: unknown[] = Array.isArray(warnings?.log) ? warnings.log : [];
  let backend: string | null = null;
  for (const line of lines) {
    const text = typeof line === 'string' ? line : JSON.stringify(line);
    const match = /Powered by FerretDB \S+ and ([^."]+(?:\.\d+)*)/.exec(text);
    if (match) backend = match[1]!.trim();
  }
  return { product: 'FerretDB', version, ferretdbVersion: info.ferretdbVersion, ferretdbBackend: backend };
}

/** One line naming the server: "FerretDB v1.24.2 on SQLite 3.46.0" or "MongoDB 7.0.14". */
export const describeServer = (s: DatabaseServer): string =>
  s.product === 'FerretDB' ? `FerretDB ${s.ferretdbVersion} on ${s.ferretdbBackend ?? 'a backend it has not named yet'}` : `MongoDB ${s.version ?? '(version unknown)'}`;

/**
 * Unique, valid personal identity numbers: a birth date per 999 serials, from 1940 on. Each step
 * uses its own `block` of 1 000 000 numbers (about 2.7 years of birth dates), so steps never share
 * a resident. Made-up numbers are still personal data in form: never print them.
 */
export function residentNumber(i: number, block = 0): string {
  const n = block * 1_000_000 + i;
  const day = new Date(Date.UTC(1940, 0, 1) + Math.floor(n / 999) * 86_400_000);
  return personalIdentityNumberFor(day.toISOString().slice(0, 10), (n % 999) + 1);
}

export async function until(condition: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

export const best = (results: LoadResult[]): LoadResult => results.reduce((a, b) => (b.opsPerS > a.opsPerS ? b : a));

export const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100);

export const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Today's date in Europe/Stockholm (YYYY-MM-DD) at instant `at`: grants' dates are Stockholm dates. */
export function stockholmDateOf(at: Date): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The date `days` after a YYYY-MM-DD date. */
export function addDaysTo(date: string, days: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const abortCleanups = new Set<() => Promise<unknown>>();

/**
 * Registers a best-effort clean-up (drop a database, delete topics) for when the run is cut off by
 * its time bound or stopped by a signal; returns the function that unregisters it once done normally.
 */
export function cleanUpOnAbort(cleanUp: () => Promise<unknown>): () => void {
  abortCleanups.add(cleanUp);
  return () => abortCleanups.delete(cleanUp);
}

const abortStops = new Set<() => Promise<unknown>>();

/** Registers what must end before the clean-ups run: a service process would recreate what they drop. */
export function stopFirstOnAbort(stop: () => Promise<unknown>): () => void {
  abortStops.add(stop);
  return () => abortStops.delete(stop);
}

/** Ends the registered processes, then runs the registered clean-ups, for at most `ms` in all. */
export async function abortCleanUp(ms: number): Promise<void> {
  const all = async () => {
    await Promise.allSettled([...abortStops].map((stop) => stop()));
    await Promise.allSettled([...abortCleanups].map((c) => c()));
    // The bench's own load loops run on until exit and may recreate a dropped database: once more.
    await sleep(500);
    await Promise.allSettled([...abortCleanups].map((c) => c()));
  };
  await Promise.race([all(), sleep(ms)]);
}

/** For a step run on its own (`npx tsx bench/<step>.ts`): exits 0 when `run` ends, 1 with its error. */
export function exitWhenDone(run: Promise<void>): void {
  run.then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
