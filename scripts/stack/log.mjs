// Progress goes to stderr: stdout is reserved for the CLI's final summary.
export const stderrLog = (msg) => process.stderr.write(`[stack] ${msg}\n`);

// `log` option: a function, false (silent), or absent (stderr).
export function toLogger(log) {
  if (log === false) return () => {};
  return typeof log === 'function' ? log : stderrLog;
}
