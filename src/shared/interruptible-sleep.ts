/** A sleep that another part of the same loop can cut short (new work arrived, or stop). */
export class InterruptibleSleep {
  private wakeUp: (() => void) | null = null;

  async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
    this.wakeUp = null;
  }

  /** Ends the current sleep at once; does nothing when not sleeping. */
  interrupt(): void {
    this.wakeUp?.();
  }
}
