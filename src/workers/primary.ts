// `clusterdns serve --workers N` (N > 1): this process becomes a node:cluster primary that serves no queries
// itself and runs N workers (worker-main.ts) that do. How the parts fit (shared sockets, one data source per
// process tree, changes fanned out, state before sockets): docs/architecture.md "Multi-core mode".
// - worker-pool.ts forks, restarts and stops the workers;
// - cluster-fanout.ts is the store the data source writes to, passing every change on to the workers;
// - summed-metrics.ts sums the workers' counters for /metrics.
import cluster from 'node:cluster';
import { resolveServingOptions, trimOptions, watchesPods, type ServerInternalOptions } from '../cluster-dns.js';
import { formatAddress, type ListenAddress } from '../config/serve-options.js';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { LoopReport } from '../forward/loop-detection.js';
import { startHttpEndpoints, type HttpEndpoints } from '../http/http-endpoints.js';
import { silentLogger, type LogFormat, type LogLevel } from '../log/logger.js';
import { compactAfterInitialLoad } from '../runtime/heap-compaction.js';
import { DEFAULT_LAMEDUCK_MS, lameduck } from '../runtime/lameduck.js';
import type { ServerStats } from '../server/server-stats.js';
import { createDataSource, type DataSource } from '../sources/data-source.js';
import { createResolverHandlers, parseForwardRoutes } from '../pipeline/resolver-handlers.js';
import { ClusterFanout } from './cluster-fanout.js';
import type { WorkerConfig } from './protocol.js';
import { summedMetrics } from './summed-metrics.js';
import { WorkerPool } from './worker-pool.js';

export interface MultiCoreOptions extends Omit<ServerInternalOptions, 'fedExternally' | 'beforeListen'> {
  /** Worker processes, ≥ 1 (the CLI uses a single process for 1). */
  workers: number;
  /** How the workers log (the primary logs through `logger`). */
  logFormat?: LogFormat;
  logLevel?: LogLevel;
  /** How long a stopping worker may take before it is killed; default 5 s. */
  stopTimeoutMs?: number;
  /** Aborted (SIGTERM during start-up): stop what has started and reject with the signal's reason. */
  signal?: AbortSignal;
  /**
   * A Corefile of several server blocks: every block, the main one (these options) first. Every worker serves
   * them all; the blocks with cluster data share the primary's one data source, which the first of them sets.
   */
  blocks?: Array<{ zones: string[]; options: ServerInternalOptions }>;
}

export interface MultiCoreClusterDns {
  readonly address: ListenAddress;
  readonly server: string;
  readonly http: { health?: ListenAddress; ready?: ListenAddress; metrics?: ListenAddress };
  /** The data source synced and every worker applied it. */
  readonly synced: boolean;
  /** PIDs of the workers now running, by worker slot. */
  workerPids(): Array<number | undefined>;
  /** Resolves when a worker finds a forwarding loop (CoreDNS `loop`); never otherwise. */
  readonly loopCheck: Promise<LoopReport | null>;
  /** The workers' counters summed at the last scrape; `reloadFailures` is the primary's own (it reloads). */
  readonly stats: ServerStats;
  readonly shuttingDown: boolean;
  /**
   * A new configuration (a Corefile reload): every worker is replaced, one at a time, by one started with it
   * (the sockets stay shared, so no query is dropped); the HTTP endpoints move when their addresses changed.
   * The listen address and the cluster source are read once: a change of either rejects, as does a
   * configuration that cannot start (a broken zone file), and the running configuration stays.
   */
  reconfigure(options: MultiCoreOptions): Promise<void>;
  /** As a single process's: /ready 503 at once, the workers answer for `lameduckMs`, then drain and stop. */
  shutdown(): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startMultiCore(options: MultiCoreOptions): Promise<MultiCoreClusterDns> {
  if (!cluster.isPrimary) throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, 'a multi-core server cannot be started inside a cluster worker');
  if (!(Number.isInteger(options.workers) && options.workers >= 1)) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `workers: expected a whole number ≥ 1, got ${options.workers}`);
  }
  const logger = options.logger ?? silentLogger();
  const { listen } = resolveServingOptions(options);
  const { manifests, kubernetes, watchPods, trim } = sourceOf(options);
  // Every plain option goes to the workers as it is (so options added later reach them without a change
  // here); what only the primary uses stays behind.
  const { stopTimeoutMs = 5000 } = options;
  const config = workerConfig(options);
  let current = options;

  /** Log once each time the whole tree becomes ready: every worker listening with the synced state. */
  let everySynced = false;
  const synced = () => fanout.synced && pool.slots.every((slot) => slot.listening && slot.synced);
  let foundLoop: (report: LoopReport) => void = () => {};
  const loopCheck = new Promise<LoopReport | null>((resolve) => (foundLoop = resolve));
  const pool: WorkerPool = new WorkerPool({
    size: options.workers,
    config,
    logger,
    stopTimeoutMs,
    // A worker has its store: give it everything the primary holds (it binds once that is applied); changes follow.
    onHello: (slot) => {
      pool.send(slot, fanout.state());
      slot.fed = true;
    },
    onLoop: (report) => foundLoop(report),
    onChange: () => {
      const now = synced();
      if (now && !everySynced) logger.info({ workers: pool.slots.length }, 'every worker synced');
      everySynced = now;
    },
  });
  const fanout: ClusterFanout = new ClusterFanout({
    broadcast: (message) => pool.broadcast(message),
    // The primary holds the source and every object too: release what the load left behind, once.
    onFirstSync: () => compactAfterInitialLoad(logger),
    logger: logger.child({ component: 'store' }),
  });

  let source: DataSource | undefined;
  let http: HttpEndpoints | undefined;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      // The pool starts no worker from here on; the source and the HTTP endpoints close meanwhile.
      await Promise.all([pool.stop(), source?.close(), http?.close()]);
    })());
  let shuttingDown: Promise<void> | undefined;
  const shutdown = () =>
    (shuttingDown ??= (async () => {
      await lameduck(logger, current.lameduckMs ?? DEFAULT_LAMEDUCK_MS);
      await close(); // each worker drains its connections before it exits
    })());

  const { slots } = pool;
  const metrics = summedMetrics(pool);
  const startHttp = (serving: MultiCoreOptions, dataSource: DataSource) =>
    startHttpEndpoints({
      addresses: { health: serving.health, ready: serving.ready, metrics: serving.metrics },
      healthy: () => slots.some((slot) => slot.listening),
      unready: () => (shuttingDown ? 'shutting down' : synced() ? null : 'not synced with the cluster yet'),
      metrics: { stats: metrics.stats, synced, counts: () => fanout.counts, watch: dataSource.watchStats, programming: dataSource.programmingLatency },
      build: { version: serving.version ?? 'unknown', revision: '' },
      beforeScrape: () => metrics.collect(),
      extendMetrics: (registry) =>
        metrics.register(registry, {
          forwarding: blocksOf(serving).some((block) => block.forward !== undefined),
          caching: blocksOf(serving).some((block) => block.forward !== undefined && (block.forward.cacheSize ?? 10_000) > 0),
        }),
      logger,
    });
  // Every wait of the start-up ends early when the caller gives up on it.
  let abort: ((reason: unknown) => void) | undefined;
  const aborted = new Promise<never>((_, reject) => (abort = reject));
  aborted.catch(() => {});
  const onAbort = () => abort?.(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const orAbort = <T>(step: Promise<T>): Promise<T> => Promise.race([step, aborted]);
  try {
    if (options.signal?.aborted) onAbort();
    // With port 0 the first worker settles the port before the others start (their first bind of port 0 shares
    // its handle; starting them together could leave them on different ports if one bind had to be retried).
    // With a given port every worker starts at once, so they load the state in parallel. The source loads
    // meanwhile.
    const together = listen.port !== 0;
    for (const slot of together ? slots : slots.slice(0, 1)) pool.fork(slot);
    const firstListening = pool.until(() => slots[0].listening);
    firstListening.catch(() => {}); // awaited below; a failure must not go unhandled while the source loads
    source = await orAbort(createDataSource({
      store: fanout,
      logger,
      manifests,
      kubernetes,
      watchPods,
      manifestParseWorker: options.manifestParseWorker,
      trim,
    }));
    await orAbort(source.start()); // the API source returns at once; the workers answer SERVFAIL for cluster names until synced
    await orAbort(firstListening);
    if (!together) for (const slot of slots.slice(1)) pool.fork(slot);
    // Resolve once every worker answers; with a manifest, once every one of them has the data too.
    const waitForSync = fanout.synced;
    await orAbort(pool.until(() => slots.every((slot) => slot.listening && (!waitForSync || slot.synced))));

    http = await startHttp(current, source);
  } catch (err) {
    await close();
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }

  const address = pool.bound!;
  const dataSource = source;
  let reconfiguring: Promise<void> = Promise.resolve();
  const reconfigure = async (next: MultiCoreOptions) => {
    if (closed || shuttingDown) throw new ClusterDnsError(ErrorCodes.SERVER_CLOSED, 'the server is stopping');
    if (servingKey(next) !== servingKey(current)) {
      throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `with --workers ${options.workers}, the listen addresses (of every server block) and the cluster source (kubernetes, --manifest) are read at start: restart to change them`);
    }
    // What a worker would fail on, found before any worker is replaced.
    for (const block of blocksOf(next)) {
      if (block.forward) parseForwardRoutes(block.forward);
      if (block.zoneDirectory !== undefined) await (await createResolverHandlers({ zoneDirectory: block.zoneDirectory, logger })).close();
    }
    const addresses = (serving: MultiCoreOptions) =>
      JSON.stringify([serving.health, serving.ready, serving.metrics, blocksOf(serving).map((block) => [block.forward !== undefined, block.forward?.cacheSize])]);
    if (addresses(next) !== addresses(current)) {
      await http?.close();
      try {
        http = await startHttp(next, dataSource);
      } catch (err) {
        http = await startHttp(current, dataSource);
        throw err;
      }
    }
    const previous = current;
    current = next;
    try {
      await pool.reconfigure(workerConfig(next), () => fanout.synced);
    } catch (err) {
      current = previous;
      throw err;
    }
  };
  return {
    address,
    server: formatAddress(address),
    get http() {
      return http?.addresses ?? {};
    },
    get synced() {
      return synced();
    },
    workerPids: () => slots.map((slot) => slot.worker?.process.pid),
    // One at a time: a reload asked for during another waits for it.
    reconfigure: (next) => (reconfiguring = reconfiguring.catch(() => undefined).then(() => reconfigure(next))),
    loopCheck,
    stats: metrics.stats,
    get shuttingDown() {
      return shuttingDown !== undefined;
    },
    shutdown,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * What every worker is started with: every plain option as it is (so options added later reach them without a
 * change here); what only the primary uses stays behind.
 */
function workerConfig(options: MultiCoreOptions): Omit<WorkerConfig, 'slot'> {
  const { logFormat, logLevel } = options;
  const blocks = options.blocks && options.blocks.length > 1 ? options.blocks : undefined;
  return {
    dns: workerDnsOptions(options),
    ...(blocks ? { blocks: blocks.map((block, i) => ({ zones: block.zones, dns: workerDnsOptions(i === 0 ? options : block.options), fed: hasData(block.options) })) } : {}),
    logFormat: logFormat ?? 'json',
    logLevel: logLevel ?? 'info',
  };
}

function workerDnsOptions(options: MultiCoreOptions | ServerInternalOptions): WorkerConfig['dns'] {
  const { zones, ttl, pods, listen } = resolveServingOptions(options);
  // Every plain option goes as it is (so options added later reach the workers without a change here); what
  // only the primary uses, or cannot cross the IPC channel, stays behind.
  const all = options as ServerInternalOptions & Partial<MultiCoreOptions>;
  const { manifest: _m, kubernetes: _k, logger: _l, health: _h, ready: _r, metrics: _x, manifestParseWorker: _p, beforeListen: _b, sharedListener: _d, httpControl: _c, fedExternally: _g,
    workers: _w, signal: _s, logFormat: _f, logLevel: _v, stopTimeoutMs: _t, blocks: _bs, extendMetrics: _e, queryLogger: _q, ...dnsOptions } = all;
  // A worker is told to stop once the primary's lameduck is over: it only drains.
  return { ...dnsOptions, zones, ttl, pods, listen, lameduckMs: 0 };
}

/** Every server block's options, the main block's first (one block: the options themselves). */
function blocksOf(options: MultiCoreOptions): ServerInternalOptions[] {
  return options.blocks && options.blocks.length > 1 ? [options, ...options.blocks.slice(1).map((block) => block.options)] : [options];
}

function hasData(block: ServerInternalOptions): boolean {
  return block.kubernetes !== undefined || [block.manifest ?? []].flat().length > 0;
}

/**
 * The primary's one data source: the options' own, or with several blocks the first block's that serves cluster
 * data (as a single process's blocks share one), with pods watched when any block needs them.
 */
function sourceOf(options: MultiCoreOptions) {
  const blocks = blocksOf(options);
  const fed = blocks.length > 1 ? blocks.filter(hasData) : blocks;
  const first = fed[0];
  return {
    manifests: first ? resolveServingOptions(first).manifests : [],
    kubernetes: first?.kubernetes,
    watchPods: fed.some((block) => watchesPods(block.pods ?? 'verified', block.autopath)),
    trim: first ? trimOptions(first) : undefined,
  };
}

/** What a reconfiguration cannot change: the shared sockets' address and the primary's data source. */
function servingKey(options: MultiCoreOptions): string {
  const { manifests, kubernetes: kube, watchPods } = sourceOf(options);
  return JSON.stringify({
    listen: blocksOf(options).map((block) => resolveServingOptions(block).listen),
    manifests,
    watchPods,
    kubernetes: kube ? { server: kube.kubeConfig.getCurrentCluster()?.server, namespaces: kube.namespaces, labels: kube.labelSelector } : null,
  });
}
