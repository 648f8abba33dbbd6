/** The CLI's exit codes: scripts tell "the call failed" from "the command line was wrong" from "a needed input was missing". */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INPUT = 3;
/** `import`: some rows failed (each reported by line); the others were applied. */
export const EXIT_ROWS_FAILED = 4;

/** A mistake in the command line: the message, then the command's usage, on stderr; exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What the call needs could not be had (no token, an unreadable file, no number on stdin): one line, exit code 3. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
