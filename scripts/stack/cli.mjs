#!/usr/bin/env node
// `npm run stack -- up|down|status|install`. Progress goes to stderr; stdout carries only
// the final summary (for `up`: KEY=value lines usable by other scripts).
import { down, install, status, up } from './index.mjs';

const USAGE = `usage: node scripts/stack/cli.mjs <command>
  up        install if needed, start FerretDB and Kafka, wait until both answer
  down      stop what up started (add --all to stop named test instances too)
  status    show whether each server runs and answers (exit 3 if not all do)
  install   only install FerretDB and the Kafka jars
env: MONGODB_URI + KAFKA_BROKERS set => up starts nothing and uses them;
     STACK_MONGO_PORT, STACK_KAFKA_PORT, STACK_KAFKA_CONTROLLER_PORT change the default ports.`;

const out = (line) => process.stdout.write(`${line}\n`);
const pad = (s) => s.padEnd(9);

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
      for (const name of ['ferretdb', 'kafka']) {
        const st = s[name];
        healthy &&= st.answering;
        const state = !st.running
          ? 'not running'
          : `running (pid ${st.pid}), ${st.answering ? 'answering' : 'NOT answering'}`;
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
