import type { Logger } from 'pino';

/** The part of `process` this needs: a test passes an EventEmitter. */
export interface SignalSource {
  on(signal: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
}

/**
 * The first SIGTERM or SIGINT stops the service gracefully, then exits 0 (1 if the stop failed).
 * Later ones are noted and ignored: a terminal's Ctrl-C may arrive twice (the process group, and
 * `npm start` passing it on), and a second must not cut the graceful stop short.
 */
export function stopOnSignals(source: SignalSource, stop: () => Promise<void>, logger: Logger, exit: (code: number) => void): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.info({ signal }, 'already stopping');
      return;
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    stop().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        exit(1);
      },
    );
  };
  source.on('SIGTERM', onSignal);
  source.on('SIGINT', onSignal);
}
