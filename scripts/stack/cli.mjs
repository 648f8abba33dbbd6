#!/usr/bin/env node
// `npm run stack -- up|down|status|install`. Progress goes to stderr; stdout carries only
// the final summary (for `up`: KEY=value lines usable by other scripts).
import { down, install, status, up } from './index.mjs';

const USAGE = `usage: node scripts/stack/cli.mjs <command>
  up        install if needed, start FerretDB and Kafka, wait until both answer
  down      stop what up started, PostgreSQL too (add --all to stop named test instances too)
  status    show whether each server runs and answers (exit 3 if not all do)
  install   only install FerretDB and the Kafka jars (and PostgreSQL for its backend)
env: MONGODB_URI + KAFKA_BROKERS set => up starts nothing and uses them;
     STACK_MONGO_PORT, STACK_KAFKA_PORT, STACK_KAFKA_CONTROLLER_PORT, STACK_POSTGRES_PORT change
       the default ports (27017, 9092, 9093, 5433);
     STACK_FERRETDB_BACKEND=sqlite|postgresql picks FerretDB's backend (default sqlite); with
       postgresql, up starts a PostgreSQL 15 server of the stack's own first (data in
       .local/data/postgresql), and named test instances (fault tests) each get their own;
       STACK_POSTGRES_BIN_DIR names its programs' directory (default /usr/lib/postgresql/15/bin,
       else Debian's packages fetched into the cache with apt-get download).
     Give down and status the same port and backend env as up.`;

const out = (line) => process.stdout.write(`${line}\n`);
const pad = (s) => s.padEnd(10);

async function main(argv) {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up': {
      const t0 = Date.now();
      const r = await up();
      process.stderr.write(`[stack] up in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      out(`MONGODB_URI=${r.mongoUri}`);
      out(`KAFKA_BROKERS=${r.kafkaBrokers}`);
      return 0;
    }
    case 'down': {
      const r = await down({ instances: rest.includes('--all') });
      for (const [name, how] of Object.entries(r)) out(`${pad(name)} ${how}`);
      return 0;
    }
    case 'status': {
      const s = await status();
      let healthy = true;
      for (const name of ['postgresql', 'ferretdb', 'kafka']) {
        const st = s[name];
        if (!st) continue; // postgresql: not chosen and not running
        healthy &&= st.answering;
        const state = !st.running ? 'not running' : `running (pid ${st.pid}), ${st.answering ? 'answering' : 'NOT answering'}`;
        out(`${pad(name)} ${state}  ${st.address}`);
      }
      for (const [name, inst] of Object.entries(s.instances)) out(`${pad('instance')} ${name} running (pid ${inst.pid})`);
      return healthy ? 0 : 3;
    }
    case 'install':
      await install();
      out('installed');
      return 0;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stderr.write(`${USAGE}\n`);
      return command ? 0 : 2;
    default:
      process.stderr.write(`unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`[stack] error: ${err.message}\n`);
    process.exitCode = 1;
  },
);
