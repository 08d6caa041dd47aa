// The lameduck of a graceful shutdown (CoreDNS `health { lameduck }`): /ready already answers 503, so load
// balancers stop sending new clients while the queries that still arrive are answered; then the caller drains.
import type { Logger } from 'pino';

/** CoreDNS `health`'s default lameduck. */
export const DEFAULT_LAMEDUCK_MS = 5000;

/** Waits out the lameduck period, logging its start and end; the single process and the multi-core primary share it. */
export async function lameduck(logger: Logger, ms: number): Promise<void> {
  logger.info({ lameduckMs: ms }, 'lameduck: /ready answers 503, queries are still answered');
  await new Promise((resolve) => setTimeout(resolve, ms));
  logger.info('lameduck over: draining connections');
}
