import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
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

/** Signals that end a run at the user's or the system's request (Ctrl-C, kill, a closed terminal). */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `path`, written under a temporary name beside it and readable by its owner only (it holds
 * personal data); it takes its name only when complete, so a failed run leaves no file that looks
 * whole (and an older file of that name as it was). A run ended by a signal removes it too, then
 * ends as that signal would have.
 */
export async function openOutputFile(path: string): Promise<OutputFile> {
  const partial = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.partial`);
  const stream = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
  // Watched from the same tick as the file's creation: no signal can come between them. The file is
  // removed once its opening has settled, so an open still under way cannot create it afterwards.
  const opened = once(stream, 'open');
  const settled = opened.then(
    () => undefined,
    () => undefined,
  );
  const removeAndEnd = (signal: NodeJS.Signals) => {
    stopWatching();
    void settled.then(() => {
      rmSync(partial, { force: true });
      process.kill(process.pid, signal);
    });
  };
  const stopWatching = () => {
    for (const signal of ENDING_SIGNALS) process.off(signal, removeAndEnd);
  };
  for (const signal of ENDING_SIGNALS) process.once(signal, removeAndEnd);
  const cannotWrite = () => new InputError(`cannot write --output ${path}`);
  try {
    await opened;
  } catch {
    stopWatching();
    throw cannotWrite();
  }
  // A failed write (a full disk) is kept for complete() to report; writes after it fail too.
  let failure: Error | undefined;
  stream.on('error', (error) => (failure ??= error));
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  return {
    stream,
    async complete() {
      stopWatching();
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
      stopWatching();
      stream.destroy();
      await closed;
      await rm(partial, { force: true });
    },
  };
}
