// `node scripts/with-node24.mjs <command> [args...]`: runs the command on production's Node (the
// major version of the Dockerfile's `FROM node:`), whatever Node started this script. `npm start`,
// `npm test`, `npm run test:mutation`, `npm run bench` and `npm run rebuild-views` go through it;
// `npm ci` and the other scripts run on the machine's Node. When this Node is not of that major version, the image's exact
// version is fetched once into the install cache (scripts/tools/node24.mjs) and put first on the
// command's PATH, so `node`, `tsx`, `npx` and every process.execPath beneath it are that Node.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { imageNodeVersion, installImageNode } from './tools/node24.mjs';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node scripts/with-node24.mjs <command> [args...]\n');
  process.exit(2);
}

let node;
try {
  const major = imageNodeVersion().split('.')[0];
  node = process.versions.node.split('.')[0] === major ? process.execPath : await installImageNode();
} catch (error) {
  process.stderr.write(`with-node24: no production Node to run ${command} on: ${error.message}\n`);
  process.exit(1);
}

const child = spawn(command, args, {
  stdio: 'inherit',
  env: { ...process.env, PATH: [path.dirname(node), process.env.PATH].filter(Boolean).join(path.delimiter) },
});
// Ctrl-C reaches the whole foreground process group, the command included: this script only waits
// for it to stop. A SIGTERM is sent to one process (by npm, timeout, kill): it is passed on.
const waitForChild = () => undefined;
const passOnTerm = () => child.kill('SIGTERM');
process.on('SIGINT', waitForChild);
process.on('SIGTERM', passOnTerm);
child.on('error', (error) => {
  process.stderr.write(`with-node24: cannot run ${command}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  if (signal === null) process.exit(code ?? 1);
  // End the same way, so that the caller sees the signal.
  process.off('SIGINT', waitForChild);
  process.off('SIGTERM', passOnTerm);
  process.kill(process.pid, signal);
});
