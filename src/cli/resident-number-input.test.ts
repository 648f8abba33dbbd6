import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { InputError, UsageError } from './exit-codes';
import { residentNumber, type ResidentNumberSources } from './resident-number-input';

const NUMBER = '19121212-1212';

function piped(input: string) {
  const stdin = new PassThrough();
  stdin.end(input);
  return stdin;
}

/** A terminal as the CLI sees it: raw mode switchable, keys arriving as typed. */
function terminal() {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, rawModes: [] as boolean[] });
  return Object.assign(stdin, { setRawMode: (raw: boolean) => stdin.rawModes.push(raw) });
}

function promptSink() {
  const sink = { text: '', write: (t: string) => ((sink.text += t), true) };
  return sink;
}

const sources = (s: Partial<ResidentNumberSources>): ResidentNumberSources => ({ stdin: piped(''), prompt: promptSink() as unknown as NodeJS.WritableStream, ...s });

describe('where a command takes the identity number from', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'resident-number-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('one line of standard input, trimmed, with or without its newline', async () => {
    for (const input of [`${NUMBER}\n`, NUMBER, `  ${NUMBER}\r\n\n`]) expect(await residentNumber(sources({ stdin: piped(input) }), true)).toBe(NUMBER);
  });

  it('one line of --resident-file, or of standard input when the file is -', async () => {
    const file = join(dir, 'number');
    writeFileSync(file, `${NUMBER}\n`);
    expect(await residentNumber(sources({ file }), true)).toBe(NUMBER);
    expect(await residentNumber(sources({ file }), false)).toBe(NUMBER);
    expect(await residentNumber(sources({ file: '-', stdin: piped(`${NUMBER}\n`) }), false)).toBe(NUMBER);
  });

  it('the argument as given; none at all when standard input is not asked for', async () => {
    expect(await residentNumber(sources({ argument: NUMBER }), true)).toBe(NUMBER);
    expect(await residentNumber(sources({ stdin: piped(`${NUMBER}\n`) }), false)).toBeUndefined();
  });

  it('refuses empty input, more than one line, or both an argument and a file, never naming the number', async () => {
    const file = join(dir, 'two');
    writeFileSync(file, `${NUMBER}\n19121212-1212\n`);
    const attempts = [
      residentNumber(sources({ stdin: piped(' \n') }), true),
      residentNumber(sources({ stdin: piped(`${NUMBER}\n${NUMBER}\n`) }), true),
      residentNumber(sources({ stdin: piped('1'.repeat(5000)) }), true),
      residentNumber(sources({ file }), true),
    ];
    for (const attempt of attempts) {
      const error = await attempt.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).not.toContain('1212');
    }
    await expect(residentNumber(sources({ argument: NUMBER, file }), true)).rejects.toThrow(UsageError);
  });

  it('at a terminal: prompts on stderr and reads one line with echo off, backspace honoured', async () => {
    const stdin = terminal();
    const prompt = promptSink();
    const answer = residentNumber(sources({ stdin, prompt: prompt as unknown as NodeJS.WritableStream }), true);
    stdin.write('19121212-12');
    stdin.write('3\u007f12\r');
    expect(await answer).toBe(NUMBER);
    expect(prompt.text).toBe('Personal identity number: \n');
    expect(stdin.rawModes).toEqual([true, false]);
  });

  it('at a terminal: Ctrl-C cancels (raw mode sends it as a key) and leaves the terminal as it was', async () => {
    const stdin = terminal();
    const answer = residentNumber(sources({ stdin }), true);
    stdin.write('1912\u0003');
    await expect(answer).rejects.toThrow(new InputError('cancelled'));
    expect(stdin.rawModes).toEqual([true, false]);
  });
});
