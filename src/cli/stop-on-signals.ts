// How `clusterdns serve` stops: SIGTERM (how Kubernetes stops a pod) runs the lameduck and then drains, as
// CoreDNS does; SIGINT (Ctrl-C at a terminal) closes at once; a second signal while stopping exits at once.
import type { Logger } from 'pino';
import { releaseStartUpSignals } from './early-signals.js';

export function stopOnSignals(close: () => Promise<void>, shutdown: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // The operator wants out now.
      logger.warn({ signal }, 'forced exit');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    (signal === 'SIGTERM' ? shutdown() : close()).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  releaseStartUpSignals();
}
