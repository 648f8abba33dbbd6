/** A one-line progress bar on a TTY, redrawn in place; nothing at all when not a TTY. */
export class ProgressBar {
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  /** Done and total are unknown up front for a republish: show the count and a spinner-like bar. */
  update(label: string, done: number, total: number | null): void {
    if (!this.enabled) return;
    const width = 30;
    const filled = total ? Math.min(width, Math.round((done / total) * width)) : done % (width + 1);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    this.stream.write(`\r[${bar}] ${label} ${done}${total ? `/${total}` : ''}`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
