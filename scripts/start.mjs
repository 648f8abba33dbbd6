// `npm start`: on a developer machine, brings up the local servers (unless MONGODB_URI and
// KAFKA_BROKERS name others), prepares local tokens and demo data, builds, and runs the service in
// the foreground until Ctrl-C.
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDevAuth, localAuthEnv, operatorCliExample } from './dev-tokens.mjs';
import { DEMO_CLINIC_ID, seedDemoClinic } from './seed/demo-clinic.mjs';
import { examples, publishResidents } from './seed/publish-residents.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' };
const say = (line) => process.stderr.write(`npm start: ${line}\n`);
const localStack = !env.MONGODB_URI || !env.KAFKA_BROKERS;

if (localStack) {
  const { up } = await import('./stack/index.mjs');
  const servers = await up();
  env.MONGODB_URI ??= servers.mongoUri;
  env.KAFKA_BROKERS ??= servers.kafkaBrokers;
}
if (!env.RESIDENT_PSEUDONYM_SECRET && !env.RESIDENT_PSEUDONYM_KEYRING_FILE) {
  // A fixed secret for local use only; deployments must set their own (see README).
  env.RESIDENT_PSEUDONYM_SECRET = 'local-development-only-pseudonym-secret-0000';
  say('using the local development RESIDENT_PSEUDONYM_SECRET');
}
let devAuth = null;
if (!env.AUTH_MODE) {
  devAuth = await ensureDevAuth({ root, clinicId: DEMO_CLINIC_ID });
  Object.assign(env, localAuthEnv(devAuth));
}
if (localStack) {
  const residents = await publishResidents({ brokers: env.KAFKA_BROKERS, topic: env.REGISTER_TOPIC, count: 200 });
  const shown = Object.entries(examples(residents)).filter(([, r]) => r);
  say(`published ${residents.length} synthetic residents to the register topic; for example:`);
  for (const [kind, r] of shown) say(`  ${kind.padEnd(12)} ${r.personalIdentityNumber} (region ${r.regionCode}, municipality ${r.municipalityCode})`);
}

execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
const service = spawn(process.execPath, [join(root, 'dist/main.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => service.kill(signal));
service.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

let seeded = false;
service.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (seeded || !devAuth || !String(chunk).includes('"resident-access started"')) return;
  seeded = true;
  const address = `${env.GRPC_HOST ?? '127.0.0.1'}:${env.GRPC_PORT ?? '50051'}`;
  seedDemoClinic({ root, address, adminToken: devAuth.tokens.admin }).then(
    () => {
      say(`demo clinic ${DEMO_CLINIC_ID} is ready (case types and a service area)`);
      say(
        `tokens (valid 30 days) are in ${devAuth.tokensFile}: staff, admin, eservice, eserviceForResident (the e-service acting for the README's example resident; node scripts/dev-tokens.mjs <clinic> <number> for another), operator (also alone in ${devAuth.operatorTokenFile}, for the CLI)`,
      );
      say(`try: grpcurl -plaintext -H "authorization: Bearer $(node -p "require('${devAuth.tokensFile}').staff")" ${address} list`);
      const here = (file) => relative(process.cwd(), file);
      say(`try the operator CLI: ${operatorCliExample({ address, operatorTokenFile: here(devAuth.operatorTokenFile), residentNumberFile: here(devAuth.residentNumberFile) })}`);
    },
    (error) => say(`could not set up the demo clinic: ${error.message}`),
  );
});
