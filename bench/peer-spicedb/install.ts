/**
 * The peer's programs: SpiceDB built from the Go module proxy into the tools' cache
 * (scripts/tools/go-tool.mjs: RESIDENT_ACCESS_CACHE_DIR or .local/cache, once per version), and
 * PostgreSQL 15 found or fetched as the stack does for FerretDB's postgresql backend
 * (scripts/stack/install-postgresql.mjs).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { log, nativeImport } from '../common';

/** The version the issue names; the Go module proxy serves it and it builds with this machine's Go. */
export const SPICEDB_VERSION = 'v1.56.2';
const SPICEDB_PACKAGE = 'github.com/authzed/spicedb/cmd/spicedb';

export const REPO_ROOT = path.join(__dirname, '..', '..');
const run = promisify(execFile);

/** An ES module of scripts/ (the stack and tools scripts are plain .mjs). */
export const scriptModule = <T>(relative: string): Promise<T> => nativeImport(pathToFileURL(path.join(REPO_ROOT, 'scripts', relative)).href) as Promise<T>;

/** The spicedb binary, built first when the cache has none of SPICEDB_VERSION. */
export async function installSpicedb(): Promise<string> {
  const tools = await scriptModule<{ installGoTool(opts: object): Promise<string> }>('tools/go-tool.mjs');
  return tools.installGoTool({
    name: 'spicedb',
    pkg: SPICEDB_PACKAGE,
    version: SPICEDB_VERSION,
    about: 'ten minutes or more on a busy machine',
    root: REPO_ROOT,
    log: (message: string) => log(`peer: ${message}`),
  });
}

/** PostgreSQL's version ("15.18"), from the server program the stack would run. */
export async function postgresVersion(): Promise<string> {
  const install = await scriptModule<{ installPostgres(opts: object): Promise<{ binDir: string; env: Record<string, string> }> }>('stack/install-postgresql.mjs');
  const pg = await install.installPostgres({ root: REPO_ROOT, log: (message: string) => log(`peer: ${message}`) });
  const { stdout } = await run(path.join(pg.binDir, 'postgres'), ['--version'], { env: { ...process.env, ...pg.env } });
  return /(\d+(?:\.\d+)+)/.exec(stdout)?.[1] ?? stdout.trim();
}
