import { parseArgs } from 'node:util';
import { connectAdmin } from './admin-client';
import { inspect } from './commands/inspect';
import { jobs } from './commands/jobs';
import { outbox } from './commands/outbox';
import { republish } from './commands/republish';
import { connectionOptions } from './connection-options';
import { describeFailure } from './errors';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './exit-codes';
import type { Output } from './output';
import { ProgressBar } from './progress-bar';
import { USAGE } from './usage';

const OPTIONS = {
  address: { type: 'string' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean' },
  'allow-insecure-remote': { type: 'boolean' },
  'token-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  resident: { type: 'string' },
  clinic: { type: 'string' },
  all: { type: 'boolean' },
  'request-id': { type: 'string' },
  'no-wait': { type: 'boolean' },
  watch: { type: 'boolean' },
  'audit-entries': { type: 'string' },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function auditEntries(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--audit-entries must be a whole number from 1');
  return n;
}

/** Runs one command; answers the exit code. Failures are one line on stderr. */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      process.stdout.write(USAGE);
      return values.help ? EXIT_OK : EXIT_USAGE;
    }
    const expectArgs = (n: number) => {
      if (rest.length !== n) throw new UsageError(`${command} takes ${n === 0 ? 'no' : n} argument${n === 1 ? '' : 's'}`);
    };
    const known = ['inspect', 'republish', 'jobs', 'outbox'];
    if (!known.includes(command)) throw new UsageError(`unknown command ${command}`);
    expectArgs(command === 'inspect' ? 1 : 0);
    const count = auditEntries(values['audit-entries']);
    const client = connectAdmin(connectionOptions(values, env));
    const out: Output = { json: values.json === true, write: (text) => process.stdout.write(text) };
    try {
      if (command === 'inspect') await inspect(client, out, rest[0]!, count);
      else if (command === 'republish') await republish(client, out, values, new ProgressBar(process.stderr));
      else if (command === 'jobs') await jobs(client, out, values.watch === true);
      else await outbox(client, out);
    } finally {
      client.close();
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`resident-access: ${error.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    process.stderr.write(`resident-access: ${describeFailure(error)}\n`);
    return EXIT_FAILED;
  }
}
