// Where the local stack keeps things. Everything lives under <repo>/.local/ (gitignored)
// so a `rm -rf .local` is a full reset. Installed programs (FerretDB binary, Kafka jars, Maven
// downloads) go to .local/cache, or to RESIDENT_ACCESS_CACHE_DIR when set, so that CI's fresh
// clones can share one cache outside the clone.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function layout(root = DEFAULT_ROOT) {
  const local = path.join(root, '.local');
  const cache = process.env.RESIDENT_ACCESS_CACHE_DIR ? path.resolve(process.env.RESIDENT_ACCESS_CACHE_DIR) : path.join(local, 'cache');
  return {
    root,
    local,
    cache,
    bin: path.join(cache, 'bin'),
    src: path.join(cache, 'src'),
    m2: path.join(cache, 'm2'), // Maven repository, kept here rather than in ~/.m2
    logs: path.join(local, 'logs'),
    run: path.join(local, 'run'), // pid and lock files
    instances: path.join(local, 'instances'),
  };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// Names become directory names, so keep them to a safe alphabet.
export function checkName(name) {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new Error(`invalid instance name ${JSON.stringify(name)} (use letters, digits, . _ -)`);
  }
  return name;
}

// The default stack uses the flat layout .local/{data,state,logs,run}/<service>.
export function mainDirs(root, service) {
  const L = layout(root);
  return {
    home: path.join(L.local, 'state', service),
    dataDir: path.join(L.local, 'data', service),
    logFile: path.join(L.logs, `${service}.log`),
    pidFile: path.join(L.run, `${service}.pid`),
  };
}

// Extra instances (fault tests) each get one self-contained directory.
export function instanceDirs(root, name) {
  const home = path.join(layout(root).instances, checkName(name));
  return {
    home,
    dataDir: path.join(home, 'data'),
    logFile: path.join(home, 'server.log'),
    pidFile: path.join(home, 'server.pid'),
  };
}

// The PostgreSQL server of a FerretDB instance on the postgresql backend (one per instance), inside
// the instance's directory: `destroy` removes it with the instance.
export function instancePostgresDirs(root, name) {
  const home = path.join(instanceDirs(root, name).home, 'postgresql');
  return {
    home,
    dataDir: path.join(home, 'data'),
    logFile: path.join(home, 'server.log'),
    pidFile: path.join(home, 'server.pid'),
  };
}
