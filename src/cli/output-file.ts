import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { InputError } from './exit-codes';

export interface OutputFile {
  stream: WriteStream;
  /** Flushes and closes the file, then gives it its name. */
  complete(): Promise<void>;
  /** Closes and deletes the partial file. */
  discard(): Promise<void>;
}

/**
 * `path`, written under a temporary name beside it and readable by its owner only (it holds
 * personal data); it takes its name only when complete, so a failed run leaves no file that looks
 * whole (and an older file of that name as it was).
 */
export async function openOutputFile(path: string): Promise<OutputFile> {
  const partial = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.partial`);
  const stream = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
  const cannotWrite = () => new InputError(`cannot write --output ${path}`);
  try {
    await once(stream, 'open');
  } catch {
    throw cannotWrite();
  }
  // A failed write (a full disk) is kept for complete() to report; writes after it fail too.
  let failure: Error | undefined;
  stream.on('error', (error) => (failure ??= error));
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  return {
    stream,
    async complete() {
      stream.end();
      await closed;
      if (!failure)
        failure = await rename(partial, path).then(
          () => undefined,
          (error: Error) => error,
        );
      if (failure) {
        await rm(partial, { force: true });
        throw cannotWrite();
      }
    },
    async discard() {
      stream.destroy();
      await closed;
      await rm(partial, { force: true });
    },
  };
}
