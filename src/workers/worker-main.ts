// A multi-core worker (`clusterdns serve --workers N`, forked by primary.ts through node:cluster). It runs the
// same composition as a single process (startClusterDnsServer: index, answer cache, handler chain, UDP and TCP
// listeners) but loads no data itself: it says 'hello', the primary sends the cluster state, the worker applies
// it and only then binds its sockets; the changes follow, and the worker applies them to its own ClusterStore, so its RecordIndex and compiled answers stay local and the hot
// path has no IPC on it. The listeners share the primary's sockets (node:cluster hands every worker the same
// UDP handle and the TCP listener; the kernel spreads datagrams, and connections among the workers accepting,
// under the SCHED_NONE policy worker-pool.ts sets).
import cluster from 'node:cluster';
import { startClusterDnsServer, type ClusterDnsServer } from '../cluster-dns.js';
import type { ClusterSink } from '../cluster/cluster-sink.js';
import type { LoopReport } from '../forward/loop-detection.js';
import { createServerStats } from '../server/server-stats.js';
import { compactAfterInitialLoad } from '../runtime/heap-compaction.js';
import { createLogger, type LogLevel } from '../log/logger.js';
import type { ResolverCounters } from './resolver-counters.js';
import { startWorkerBlocks, type WorkerBlocks } from './worker-blocks.js';
import { WORKER_CONFIG_ENV, type FromWorker, type ToWorker, type WorkerConfig } from './protocol.js';

if (!cluster.isWorker || !process.send) {
  process.stderr.write('clusterdns: worker-main.js is started by `clusterdns serve --workers N`, not by hand\n');
  process.exit(2);
}

const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? '{}') as WorkerConfig;
// The primary logs the process tree's lifecycle ('listening', 'synced', 'serving'); a worker logs what only it
// sees (a bad object, an unexpected exception) unless debugging asks for everything.
const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';
const logger = createLogger({ format: config.logFormat, level: verbose || config.logLevel === 'silent' ? config.logLevel : maxLevel(config.logLevel, 'warn') }).child({
  worker: config.slot,
});

// With a callback, a send that fails because the primary went away mid-write (EPIPE) is ignored instead of
// becoming an unhandled 'error': the 'disconnect' handler below stops this worker.
const send = (message: FromWorker) => {
  if (process.connected) process.send!(message, undefined, undefined, ignoreSendError);
};
function ignoreSendError(): void {}

let dns: ClusterDnsServer | undefined;
/** With several server blocks (a Corefile), the blocks instead of `dns`. */
let blocks: WorkerBlocks | undefined;
/** The worker's store (with several blocks, every fed block's), from before its listeners bind (beforeListen). */
let store: ClusterSink | undefined;
/** Resolves the beforeListen hook once the first state is applied: only then do the listeners bind. */
let stateApplied: (() => void) | undefined;
let stopping = false;
/** Messages that arrive before the store exists (none should: the primary waits for 'hello'). */
const early: ToWorker[] = [];

function handle(message: ToWorker): void {
  if (message.type === 'stop') return void stop(0, message.handover === true);
  if (message.type === 'stats') return send({ type: 'stats', id: message.id, stats: blocks?.stats() ?? dns?.stats ?? createServerStats(), ...resolverCounters() });
  if (!store) {
    early.push(message);
    return;
  }
  switch (message.type) {
    case 'state': {
      const started = performance.now();
      store.replaceAll(message.objects);
      logger.debug({ objects: message.objects.length, ms: Math.round(performance.now() - started) }, 'applied the cluster state');
      if (message.synced) markSynced(store);
      stateApplied?.();
      stateApplied = undefined;
      break;
    }
    case 'events':
      store.apply(message.events);
      break;
    case 'synced':
      markSynced(store);
      break;
  }
}

/** The forwarder's and cache's counters, when this worker forwards. */
function resolverCounters(): { resolver?: ResolverCounters } {
  if (blocks) {
    const resolver = blocks.resolverCounters();
    return resolver ? { resolver } : {};
  }
  if (!dns?.forwardStats) return {};
  return { resolver: { forward: dns.forwardStats, cache: dns.cacheStats, cacheEntries: dns.cacheEntries() ?? { success: 0, denial: 0 } } };
}

function markSynced(synced: ClusterSink): void {
  if (!synced.synced) {
    // Before answering from the state and before reporting synced (so /ready waits for it): release what
    // applying the state left behind.
    compactAfterInitialLoad(logger);
    synced.markSynced();
  }
  send({ type: 'synced' });
}

async function stop(code: number, handover = false): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    // Told by the primary after its lameduck (or SIGTERM to this worker alone): drain, with no lameduck of its own.
    await (handover ? (blocks ?? dns)?.handOver() : (blocks ?? dns)?.shutdown());
  } finally {
    process.exit(code);
  }
}

process.on('message', (message: ToWorker) => {
  try {
    handle(message);
  } catch (err) {
    // The store never throws on bad objects; anything else is a bug: say so, and let the primary restart us
    // with a fresh state rather than serve a state that may be half applied.
    logger.error({ err }, 'worker failed to apply a message from the primary');
    void stop(1);
  }
});
// The primary is gone (killed, crashed): nobody will send changes any more, so stop rather than serve stale data.
process.on('disconnect', () => void stop(0));
// Ctrl-C reaches the whole process group: the primary stops the workers in order, so a worker ignores SIGINT.
process.on('SIGINT', () => {});
// SIGTERM sent to this worker alone: exit cleanly; the primary starts a replacement unless it is stopping too.
process.on('SIGTERM', () => void stop(0));

/** The state arrived before the sockets: bind (the beforeListen hooks wait on this). */
const beforeListen = (sink: ClusterSink) =>
  new Promise<void>((resolve) => {
    store = sink;
    stateApplied = resolve;
    send({ type: 'hello' });
    for (const message of early.splice(0)) handle(message);
  });
const queryLogger = config.dns.logQueries || config.blocks?.some((block) => block.dns.logQueries) ? createLogger({ format: config.logFormat, level: config.logLevel }).child({ worker: config.slot }) : undefined;

let address: { host: string; port: number };
let loopCheck: Promise<LoopReport | null>;
try {
  if (config.blocks && config.blocks.length > 1) {
    blocks = await startWorkerBlocks({ blocks: config.blocks, logger, queryLogger, beforeListen });
    ({ address, loopCheck } = blocks);
  } else {
    dns = await startClusterDnsServer({
      ...config.dns,
      logger,
      // CoreDNS `log` lines are info records: this worker's own logger keeps only warnings.
      ...(queryLogger ? { queryLogger } : {}),
      fedExternally: true,
      // State first, sockets second: the shared socket hands queries to every worker bound to it, so a worker
      // (a restarted one above all) that bound before it had the data would answer part of them SERVFAIL.
      beforeListen: (parts) => beforeListen(parts.store),
    });
    ({ address, loopCheck } = dns);
  }
} catch (err) {
  send({ type: 'failed', message: (err as Error).message, code: (err as { code?: string }).code });
  process.exit(1);
}
send({ type: 'listening', host: address.host, port: address.port });
void loopCheck.then((report) => {
  if (report !== null && report.loops.length > 0) send({ type: 'loop', report });
});

function maxLevel(level: LogLevel, floor: LogLevel): LogLevel {
  const order = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
  return order.indexOf(level) >= order.indexOf(floor) ? level : floor;
}
