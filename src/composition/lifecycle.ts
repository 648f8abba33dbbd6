/**
 * One part of the running service. `start` is awaited before the next part starts; `stop` undoes
 * it. A part opened while the components were built (the database connection, say) has no `start`.
 */
export interface Part {
  name: string;
  start?(): unknown;
  stop?(): unknown;
}

export interface LifecycleEvents {
  stopFailed(part: string, error: unknown): void;
}

/**
 * Starts parts in the order listed and stops them in reverse, so the list reads as the service's
 * start order and, backwards, its shutdown order. When a part fails to start, the parts already
 * started are stopped (in reverse) before the failure is thrown: no connection or timer outlives
 * a failed start. A part that fails to stop does not keep the others running.
 */
export class Lifecycle {
  private readonly started: Part[] = [];
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly parts: readonly Part[],
    private readonly events: LifecycleEvents,
  ) {}

  async start(): Promise<void> {
    for (const part of this.parts) {
      if (this.stopping) return;
      try {
        await part.start?.();
      } catch (error) {
        await this.stop().catch(() => undefined);
        throw error;
      }
      this.started.push(part);
      // stop() came while this part was starting: it ran without this part, so stop it here.
      if (this.stopping) await Promise.resolve(part.stop?.()).catch((error: unknown) => this.events.stopFailed(part.name, error));
    }
  }

  /** Stops what started, last first; answers the first failure after every part had its turn. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const failures: unknown[] = [];
      for (const part of [...this.started].reverse()) {
        try {
          await part.stop?.();
        } catch (error) {
          this.events.stopFailed(part.name, error);
          failures.push(error);
        }
      }
      if (failures.length > 0) throw failures[0];
    })();
    return this.stopping;
  }
}
