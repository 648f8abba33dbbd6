// `npm start`: on a developer machine, brings up the local servers (unless MONGODB_URI and
// KAFKA_BROKERS name others), builds, and runs the service in the foreground until Ctrl-C.
import { spawn, execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };

if (!env.MONGODB_URI || !env.KAFKA_BROKERS) {
  const { up } = await import('./stack/index.mjs');
  const servers = await up();
  env.MONGODB_URI ??= servers.mongoUri;
  env.KAFKA_BROKERS ??= servers.kafkaBrokers;
}
if (!env.RESIDENT_PSEUDONYM_SECRET) {
  // A fixed secret for the local stack only; deployments must set their own (see README).
  env.RESIDENT_PSEUDONYM_SECRET = 'local-development-only-pseudonym-secret-0000';
  process.stderr.write('npm start: using the local development RESIDENT_PSEUDONYM_SECRET\n');
}

execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
const service = spawn(process.execPath, [join(root, 'dist/main.js')], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => service.kill(signal));
service.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
