// A FerretDB server (MongoDB wire protocol) on the SQLite backend.
import fs from 'node:fs';
import path from 'node:path';
import { installFerretDB, ferretdbBinary } from './install-ferretdb.mjs';
import { instanceDirs, mainDirs } from './paths.mjs';
import { HOST } from './ports.mjs';
import { createServer } from './server.mjs';
import { mongoAnswers } from './wait.mjs';

/**
 * @param {object} opts
 * @param {string} opts.name            instance name; data in .local/instances/<name>
 * @param {number} [opts.port=27017]
 * @param {number|null} [opts.debugPort] FerretDB's HTTP debug/metrics listener; off unless given
 * @param {string} [opts.root]          repository root
 * @param {number} [opts.startTimeoutMs=90000]
 * @param {Function|false} [opts.log]
 * @param {boolean} [opts.main]         internal: the default stack's flat .local layout
 */
export function createFerretInstance(opts) {
  const { name, root, port = 27017, debugPort = null } = opts;
  const dirs = opts.main ? mainDirs(root, 'ferretdb') : instanceDirs(root, name);
  const sqliteDir = `${dirs.dataDir}${path.sep}`;
  const uri = `mongodb://${HOST}:${port}`;

  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${sqliteDir}`,
    `--state-dir=${dirs.home}`,
    `--listen-addr=${HOST}:${port}`,
    // "-" switches the debug HTTP server off; several instances would clash on one port.
    `--debug-addr=${debugPort ? `${HOST}:${debugPort}` : '-'}`,
    '--telemetry=disable',
    '--log-level=info',
  ];

  const server = createServer({
    label: opts.main ? 'ferretdb' : `ferretdb[${name}]`,
    dirs,
    marker: `--sqlite-url=file:${sqliteDir}`,
    ports: debugPort ? [port, debugPort] : [port],
    startTimeoutMs: opts.startTimeoutMs,
    stopGraceMs: 10_000,
    log: opts.log,
    prepare: async () => {
      await installFerretDB({ root, log: opts.log });
      fs.mkdirSync(dirs.dataDir, { recursive: true });
      fs.mkdirSync(dirs.home, { recursive: true });
    },
    command: () => ({ cmd: ferretdbBinary(root), args, cwd: dirs.home, env: process.env }),
    probe: () => mongoAnswers(uri),
  });

  return {
    ...server,
    name,
    kind: 'ferretdb',
    port,
    uri,
    dataDir: dirs.dataDir,
    install: () => installFerretDB({ root, log: opts.log }),
  };
}
