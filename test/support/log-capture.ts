/** A pino destination that keeps every line, so tests can assert on what the service logged. */
export class LogCapture {
  readonly lines: string[] = [];

  write(chunk: string): void {
    for (const line of chunk.split('\n')) if (line) this.lines.push(line);
  }

  get entries(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  text(): string {
    return this.lines.join('\n');
  }
}
