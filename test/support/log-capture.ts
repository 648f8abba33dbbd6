import { recordServiceLog } from './test-logs';

/**
 * A pino destination that keeps every line, so tests can assert on what the service logged, and
 * hands each to the test run's personal-data scan.
 */
export class LogCapture {
  readonly lines: string[] = [];

  write(chunk: string): void {
    const lines = chunk.split('\n').filter(Boolean);
    this.lines.push(...lines);
    recordServiceLog(lines);
  }

  get entries(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  text(): string {
    return this.lines.join('\n');
  }
}
