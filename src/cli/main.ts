import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectAdmin, connectImport } from './admin-client';
import { exportClinic, exportScope } from './commands/export';
import { importFile } from './commands/import';
import { inspect } from './commands/inspect';
import { jobs } from './commands/jobs';
import { outbox } from './commands/outbox';
import { checkRepublishScope, republish } from './commands/republish';
import { connectionOptions } from './connection-options';
import { describeFailure } from './errors';
import { EXIT_FAILED, EXIT_INPUT, EXIT_OK, EXIT_ROWS_FAILED, EXIT_USAGE, InputError, UsageError } from './exit-codes';
import type { Output } from './output';
import { openOutputFile, type OutputFile } from './output-file';
import { ProgressBar } from './progress-bar';
import { residentNumber } from './resident-number-input';
import { connectStaff } from './staff-client';
import { COMMAND_USAGE, isCommand, USAGE, type Command } from './usage';

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
  version: { type: 'boolean' },
  resident: { type: 'string' },
  'resident-file': { type: 'string' },
  clinic: { type: 'string' },
  all: { type: 'boolean' },
  'request-id': { type: 'string' },
  'no-wait': { type: 'boolean' },
  watch: { type: 'boolean' },
  'audit-entries': { type: 'string' },
  output: { type: 'string', short: 'o' },
  'page-size': { type: 'string' },
  'import-id': { type: 'string' },
} as const;

type Option = keyof typeof OPTIONS;

const GLOBAL_OPTIONS: readonly Option[] = ['address', 'ca', 'cert', 'key', 'insecure', 'allow-insecure-remote', 'token-file', 'json', 'help', 'version'];
const COMMAND_OPTIONS: Record<Command, readonly Option[]> = {
  inspect: ['resident-file', 'audit-entries'],
  republish: ['clinic', 'resident', 'resident-file', 'all', 'request-id', 'no-wait'],
  jobs: ['watch'],
  outbox: [],
  export: ['clinic', 'output', 'page-size'],
  import: ['clinic', 'import-id'],
};
const MAX_ARGUMENTS: Record<Command, number> = { inspect: 1, republish: 0, jobs: 0, outbox: 0, export: 0, import: 1 };

export interface CliStreams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function version(): string {
  // package.json sits two folders up from both src/cli and dist/cli (the image copies it).
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

// A mistyped command is echoed back only when it looks like a word: it may be an identity number.
const quoted = (word: string) => (/^[a-z][a-z-]{0,30}$/i.test(word) ? ` "${word}"` : '');

function checkCommandLine(command: Command, options: readonly string[], args: readonly string[]): void {
  const foreign = options.find((o) => !GLOBAL_OPTIONS.includes(o as Option) && !COMMAND_OPTIONS[command].includes(o as Option));
  if (foreign) throw new UsageError(`--${foreign} is not an option of ${command}`);
  const max = MAX_ARGUMENTS[command];
  if (args.length > max) throw new UsageError(max === 0 ? `${command} takes no arguments` : `${command} takes at most ${max} argument`);
}

function auditEntries(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--audit-entries must be a whole number from 1');
  return n;
}

/** `export`: a staff token (ListResidents), the CSV to --output FILE (complete or not at all) or stdout; a summary on stdout after a file. */
async function runExport(values: ReturnType<typeof parse>['values'], env: NodeJS.ProcessEnv, io: CliStreams): Promise<number> {
  const scope = exportScope(values);
  const connection = connectionOptions(values, env, 'staff');
  const client = connectStaff(connection);
  let file: OutputFile | null = null;
  try {
    file = values.output === undefined ? null : await openOutputFile(values.output);
    const exported = await exportClinic(client, file?.stream ?? io.stdout, scope, new ProgressBar(io.stderr));
    if (file) {
      await file.complete();
      io.stdout.write(`exported ${exported.residents} residents of ${scope.clinicId} to ${values.output}\n`);
    }
    return EXIT_OK;
  } catch (error) {
    await file?.discard();
    throw error;
  } finally {
    client.close();
  }
}

/** Runs one command; answers the exit code. Help goes to stdout; failures are one line on stderr, usage errors add the usage. */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliStreams = process): Promise<number> {
  let command: Command | undefined;
  try {
    const { values, positionals } = parse(argv);
    if (values.version) {
      io.stdout.write(`resident-access ${version()}\n`);
      return EXIT_OK;
    }
    const [first, ...rest] = positionals;
    if (first === 'help') {
      const about = rest[0];
      if (about !== undefined && !isCommand(about)) throw new UsageError(`unknown command${quoted(about)}`);
      io.stdout.write(about === undefined ? USAGE : COMMAND_USAGE[about]);
      return EXIT_OK;
    }
    if (first === undefined) {
      if (!values.help) throw new UsageError('no command given');
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    if (!isCommand(first)) throw new UsageError(`unknown command${quoted(first)}`);
    command = first;
    if (values.help) {
      io.stdout.write(COMMAND_USAGE[command]);
      return EXIT_OK;
    }
    checkCommandLine(command, Object.keys(values), rest);
    if (command === 'export') return await runExport(values, env, io);
    const count = auditEntries(values['audit-entries']);
    if (command === 'republish') checkRepublishScope(values, values.resident !== undefined || values['resident-file'] !== undefined);
    if (command === 'import') {
      const file = rest[0];
      if (file === undefined) throw new UsageError('import needs the FILE to import');
      const clinic = values.clinic;
      if (!clinic) throw new UsageError('import needs --clinic C');
      const client = connectImport(connectionOptions(values, env));
      const out: Output = { json: values.json === true, write: (text) => io.stdout.write(text) };
      try {
        const flags = { clinic, ...(values['import-id'] === undefined ? {} : { 'import-id': values['import-id'] }) };
        return (await importFile(client, out, file, flags, new ProgressBar(io.stderr), io.stderr)) ? EXIT_OK : EXIT_ROWS_FAILED;
      } finally {
        client.close();
      }
    }
    const connection = connectionOptions(values, env);
    const number = await residentNumber(
      { argument: command === 'inspect' ? rest[0] : values.resident, file: values['resident-file'], stdin: io.stdin, prompt: io.stderr },
      command === 'inspect',
    );
    const client = connectAdmin(connection);
    const out: Output = { json: values.json === true, write: (text) => io.stdout.write(text) };
    try {
      if (command === 'inspect') await inspect(client, out, number!, count);
      else if (command === 'republish') await republish(client, out, values, number, new ProgressBar(io.stderr));
      else if (command === 'jobs') await jobs(client, out, values.watch === true);
      else await outbox(client, out);
    } finally {
      client.close();
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`resident-access: ${error.message}\n\n${command ? COMMAND_USAGE[command] : USAGE}`);
      return EXIT_USAGE;
    }
    io.stderr.write(`resident-access: ${describeFailure(error)}\n`);
    return error instanceof InputError ? EXIT_INPUT : EXIT_FAILED;
  }
}
