import { readFile } from 'node:fs/promises';
import { InputError, UsageError } from './exit-codes';

/**
 * Where a command takes a personal identity number from. An argument lands in the shell's history
 * and in `ps`, so standard input and a file come first; the number itself never goes into a
 * message.
 */
export interface ResidentNumberSources {
  /** The number given on the command line (`inspect NUMBER`, `--resident NUMBER`). */
  argument?: string;
  /** `--resident-file`: a file holding it, `-` for standard input. */
  file?: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** Where the prompt goes when standard input is a terminal. */
  prompt: NodeJS.WritableStream;
}

// One number is a dozen characters; more than this is not one.
const MAX_INPUT_BYTES = 1024;

/** The number from the argument, else the file, else (when `orStdin`) standard input; undefined when none is asked for. */
export async function residentNumber(s: ResidentNumberSources, orStdin: boolean): Promise<string | undefined> {
  if (s.argument !== undefined && s.file !== undefined) throw new UsageError('give the personal identity number either as an argument or in --resident-file, not both');
  if (s.argument !== undefined) return s.argument;
  if (s.file !== undefined && s.file !== '-') return oneLine(await readNumberFile(s.file), `--resident-file ${s.file}`);
  if (s.file === '-' || orStdin) return oneLine(await readStdin(s), 'standard input');
  return undefined;
}

async function readNumberFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new InputError(`cannot read --resident-file ${path}`);
  }
}

function oneLine(text: string, from: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) throw new InputError(`no personal identity number on ${from}`);
  if (lines.length > 1) throw new InputError(`${from} must hold one personal identity number on one line`);
  return lines[0]!;
}

function readStdin(s: ResidentNumberSources): Promise<string> {
  return s.stdin.isTTY && s.stdin.setRawMode !== undefined ? promptWithoutEcho(s) : readAll(s.stdin);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (text.length > MAX_INPUT_BYTES) throw new InputError('standard input must hold one personal identity number on one line');
  }
  return text;
}

/** At a terminal: asks on the prompt stream and reads one line with echo off, so the number is not left on the screen. */
function promptWithoutEcho({ stdin, prompt }: ResidentNumberSources): Promise<string> {
  const setRawMode = stdin.setRawMode!.bind(stdin);
  prompt.write('Personal identity number: ');
  setRawMode(true);
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = () => {
      stdin.removeListener('data', onKeys);
      setRawMode(false);
      stdin.pause();
      prompt.write('\n');
    };
    const onKeys = (keys: string) => {
      for (const key of keys) {
        if (key === '\r' || key === '\n' || key === '\u0004') {
          finish();
          resolve(typed);
          return;
        }
        // Raw mode turns Ctrl-C into a key instead of SIGINT.
        if (key === '\u0003') {
          finish();
          reject(new InputError('cancelled'));
          return;
        }
        if (key === '\u007f' || key === '\b') typed = typed.slice(0, -1);
        else if (typed.length < MAX_INPUT_BYTES) typed += key;
      }
    };
    stdin.on('data', onKeys);
    stdin.resume();
  });
}
