// `clusterdns serve --workers N` (N > 1): this process becomes a node:cluster primary that serves no queries
// itself and runs N workers (worker-main.ts) that do.
//
// Why this shape (DESIGN.md "The hot path": multi-core by the runtime's own means, one Kubernetes watch per
// process tree, index deltas fanned out):
// - Sockets: Node 20 has no dgram reusePort, but node:cluster shares the primary's handles: every worker's
//   UDP bind gets the same socket (the kernel hands each datagram to whichever worker reads first) and the TCP
//   listener is one too (the primary accepts and deals connections out round-robin; DNS clients keep theirs
//   open, so that costs per connection, not per query). Workers bind with exclusive: false for this.
// - Data: the primary alone runs the data source (the manifest files and their watch, or the Kubernetes
//   reflectors: one list/watch per resource for the whole tree, not one per core). Its FanoutStore keeps the
//   objects and passes every change on. A worker keeps its own ClusterStore, RecordIndex and answer cache and
//   builds them from those changes, so a query never leaves the worker that received it. Rebuilding the index
//   per worker costs CPU at startup and on each change (O(objects changed)), and memory once per worker; the
//   alternative, sharing one compiled index, would need shared memory (SharedArrayBuffer between threads, not
//   processes) and a lookup path that reads from it: more than a 2-core gain is worth.
// - Protocol (protocol.ts): a starting worker says 'hello'; the primary answers with the full state (the objects
//   it holds) and from then on the changes, batched per event-loop turn, in order. The worker binds its sockets
//   only once the state is applied (then says 'listening'), so no worker answers from an empty index. A worker
//   that dies is forked again and gets the full state again, so nothing needs replaying.
// - The primary owns the process tree's face: the 'listening' and 'serving' log lines, /health, /ready (200
//   once the source synced and every worker applied it) and /metrics (the workers' counters summed at scrape
//   time over IPC; the process metrics are the primary's own). SIGTERM/SIGINT on the primary stops the workers.
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { formatAddress, resolveServingOptions, watchesPods, type ClusterDnsOptions } from '../cluster-dns.js';
import type { ListenAddress } from '../config/serve-options.js';
import { ClusterDnsError, ErrorCodes, type ErrorCode } from '../errors.js';
import { createMetrics } from '../http/metrics.js';
import { listenProbeEndpoints, type ProbeServer } from '../http/probe-server.js';
import type { ClusterEvent } from '../cluster/objects.js';
import { silentLogger, type LogFormat, type LogLevel } from '../log/logger.js';
import { ManifestSource } from '../manifest/manifest-source.js';
import { addServerStats, createServerStats, type ServerStats } from '../server/server-stats.js';
import { FanoutStore } from './fanout-store.js';
import { compactHeap } from '../runtime/heap-compaction.js';
import { WORKER_CONFIG_ENV, type FromWorker, type ToWorker, type WorkerConfig } from './protocol.js';

export interface MultiCoreOptions extends ClusterDnsOptions {
  /** Worker processes, ≥ 1 (the CLI uses a single process for 1). */
  workers: number;
  /** How the workers log (the primary logs through `logger`). */
  logFormat?: LogFormat;
  logLevel?: LogLevel;
  /** How long a stopping worker may take before it is killed; default 5 s. */
  stopTimeoutMs?: number;
}

export interface MultiCoreClusterDns {
  readonly address: ListenAddress;
  readonly server: string;
  readonly http: { health?: ListenAddress; ready?: ListenAddress; metrics?: ListenAddress };
  /** The data source synced and every worker applied it. */
  readonly synced: boolean;
  /** PIDs of the workers now running, by worker slot. */
  workerPids(): Array<number | undefined>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const WORKER_SCRIPT = fileURLToPath(new URL('./worker-main.js', import.meta.url));
/** A /metrics scrape waits this long for the workers' counters, then uses the last ones they sent. */
const STATS_TIMEOUT_MS = 1000;
/** A worker that dies sooner than this after starting is restarted with a growing delay (crash loop). */
const STABLE_AFTER_MS = 5000;
const MAX_RESTART_DELAY_MS = 5000;

interface Slot {
  index: number;
  worker?: Worker;
  startedAt: number;
  /** Bound its sockets. */
  listening: boolean;
  /** Was sent the full state; from then on gets the changes. */
  fed: boolean;
  /** Applied a synced state. */
  synced: boolean;
  /** The counters the current worker last reported. */
  stats: ServerStats;
  quickFailures: number;
  restartTimer?: NodeJS.Timeout;
}

export async function startMultiCore(options: MultiCoreOptions): Promise<MultiCoreClusterDns> {
  if (!cluster.isPrimary) throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, 'a multi-core server cannot be started inside a cluster worker');
  if (!(Number.isInteger(options.workers) && options.workers >= 1)) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `workers: expected a whole number ≥ 1, got ${options.workers}`);
  }
  const logger = options.logger ?? silentLogger();
  const { zones, ttl, pods, listen, manifests } = resolveServingOptions(options);
  // Every plain option goes to the workers as it is (so options added later reach them without a change
  // here); what only the primary uses stays behind.
  const { manifest: _m, kubernetes: _k, logger: _l, health: _h, ready: _r, metrics: _x, workers: _w, logFormat, logLevel, stopTimeoutMs = 5000, ...dnsOptions } = options;
  const workerConfig: Omit<WorkerConfig, 'slot'> = {
    dns: { ...dnsOptions, zones, ttl, pods, listen },
    logFormat: logFormat ?? 'json',
    logLevel: logLevel ?? 'info',
  };

  const slots: Slot[] = Array.from({ length: options.workers }, (_, index) => ({
    index,
    startedAt: 0,
    listening: false,
    fed: false,
    synced: false,
    stats: createServerStats(),
    quickFailures: 0,
  }));
  /** Counters of workers that have exited, so the sums /metrics publishes never go down. */
  const retired = createServerStats();
  let bound: ListenAddress | undefined;
  let closing = false;
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const check of [...waiters]) check();
  };

  // ---------------------------------------------------------------------------------------- fan-out
  let pending: Array<readonly ClusterEvent[]> = [];
  let flushScheduled = false;
  const send = (slot: Slot, message: ToWorker) => {
    const worker = slot.worker;
    // A worker may die between the check and the write (the 'exit' handler deals with it): with a callback, a
    // failed send reports there instead of as an 'error' event.
    if (worker && worker.isConnected()) worker.send(message, undefined, undefined, ignoreSendError);
  };
  /** Send the changes queued so far to every fed worker: one message per event-loop turn, not per change. */
  const flush = () => {
    flushScheduled = false;
    if (pending.length === 0) return;
    const events = pending.length === 1 ? pending[0] : pending.flat(); // serialized by send(), not kept
    pending = [];
    for (const slot of slots) if (slot.fed) send(slot, { type: 'events', events });
  };
  let compacted = false;
  const store = new FanoutStore({
    zones,
    ttl,
    pods,
    logger: logger.child({ component: 'store' }),
    onEvents: (events) => {
      pending.push(events);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    onSynced: () => {
      flush();
      for (const slot of slots) if (slot.fed) send(slot, { type: 'synced' });
      // The primary holds the source and every object too: release what the load left behind, once.
      if (!compacted) {
        compacted = true;
        logger.debug({ ms: Math.round(compactHeap()) }, 'heap compacted after the initial load');
      }
    },
  });
  /** A worker has its store: give it everything the primary holds (it binds once that is applied); changes follow. */
  const feed = (slot: Slot) => {
    flush();
    send(slot, { type: 'state', objects: [...store.objects()], synced: store.synced });
    slot.fed = true;
  };

  // ---------------------------------------------------------------------------------------- workers
  cluster.setupPrimary({ exec: WORKER_SCRIPT, args: [], serialization: 'advanced' });
  let firstFailure: ((err: Error) => void) | undefined;
  const statsWaiters = new Map<number, { remaining: Set<Slot>; done: () => void }>();

  /** Log once each time the whole tree becomes ready: every worker listening with the synced state. */
  let everySynced = false;
  const noteEverySynced = () => {
    const now = store.synced && slots.every((slot) => slot.listening && slot.synced);
    if (now && !everySynced) logger.info({ workers: slots.length }, 'every worker synced');
    everySynced = now;
  };

  const fork = (slot: Slot) => {
    if (closing) return;
    slot.restartTimer = undefined;
    slot.listening = slot.fed = slot.synced = false;
    slot.stats = createServerStats();
    slot.startedAt = Date.now();
    const worker = cluster.fork({ [WORKER_CONFIG_ENV]: JSON.stringify({ ...workerConfig, slot: slot.index } satisfies WorkerConfig) });
    slot.worker = worker;
    logger.info({ worker: slot.index, workerPid: worker.process.pid }, 'worker started');
    worker.on('message', (message: FromWorker) => {
      if (slot.worker !== worker) return;
      switch (message.type) {
        case 'listening':
          if (!bound) {
            bound = { host: message.host, port: message.port };
            logger.info({ transport: 'udp', address: formatAddress(bound) }, 'listening');
            logger.info({ transport: 'tcp', address: formatAddress(bound) }, 'listening');
          } else if (message.port !== bound.port || message.host !== bound.host) {
            // Port 0: every worker's first bind of port 0 shares the primary's one handle; this happens only
            // when every worker died at once and the primary let that handle go.
            logger.error({ worker: slot.index, address: formatAddress(message), expected: formatAddress(bound) }, 'worker bound another address');
          }
          slot.listening = true;
          break;
        case 'hello':
          feed(slot);
          break;
        case 'synced':
          slot.synced = true;
          break;
        case 'stats':
          slot.stats = message.stats;
          statsWaiters.get(message.id)?.remaining.delete(slot);
          statsWaiters.get(message.id)?.done();
          break;
        case 'failed':
          logger.error({ worker: slot.index, workerPid: worker.process.pid, err: message.message, code: message.code }, 'worker could not start');
          firstFailure?.(new ClusterDnsError(knownCode(message.code) ?? ErrorCodes.SERVER_LISTEN, message.message));
          break;
      }
      noteEverySynced();
      changed();
    });
    // A worker's IPC channel can fail while it dies (EPIPE, ERR_IPC_CHANNEL_CLOSED): the 'exit' that follows
    // restarts it; unhandled, the error would take the primary down with it.
    worker.on('error', (err) => logger.debug({ worker: slot.index, err }, 'worker channel error'));
    worker.on('exit', (code, signal) => {
      if (slot.worker !== worker) return;
      addServerStats(retired, slot.stats);
      slot.stats = createServerStats();
      slot.worker = undefined;
      slot.listening = slot.fed = slot.synced = false;
      for (const waiter of statsWaiters.values()) {
        waiter.remaining.delete(slot);
        waiter.done();
      }
      noteEverySynced();
      changed();
      if (closing) return;
      const quick = Date.now() - slot.startedAt < STABLE_AFTER_MS;
      slot.quickFailures = quick ? slot.quickFailures + 1 : 0;
      const delayMs = slot.quickFailures === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (slot.quickFailures - 1));
      logger.warn({ worker: slot.index, workerPid: worker.process.pid, code, signal, restartInMs: delayMs }, 'worker exited; starting another');
      slot.restartTimer = setTimeout(() => fork(slot), delayMs);
    });
  };

  /** Resolves when `ready()` holds, rejects when a worker reports it cannot start. */
  const until = (ready: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!ready()) return;
        waiters.delete(check);
        firstFailure = undefined;
        resolve();
      };
      firstFailure = (err) => {
        waiters.delete(check);
        firstFailure = undefined;
        reject(err);
      };
      waiters.add(check);
      check();
    });

  const sources: Array<{ close(): Promise<void> }> = [];
  const probes: ProbeServer[] = [];
  const stopWorkers = async () => {
    for (const slot of slots) clearTimeout(slot.restartTimer);
    const running = slots.map((slot) => slot.worker).filter((worker): worker is Worker => worker !== undefined);
    await Promise.all(
      running.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), stopTimeoutMs);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (worker.isConnected()) worker.send({ type: 'stop' } satisfies ToWorker, undefined, undefined, ignoreSendError);
            else worker.process.kill('SIGTERM');
          }),
      ),
    );
  };
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      closing = true;
      await Promise.all([...sources, ...probes].map((part) => part.close()));
      await stopWorkers();
    })());

  try {
    // With port 0 the first worker settles the port before the others start (their first bind of port 0 shares
    // its handle; starting them together could leave them on different ports if one bind had to be retried).
    // With a given port every worker starts at once, so they load the state in parallel. The source loads
    // meanwhile.
    const together = listen.port !== 0;
    for (const slot of together ? slots : slots.slice(0, 1)) fork(slot);
    const firstListening = until(() => slots[0].listening);
    firstListening.catch(() => {}); // awaited below; a failure must not go unhandled while the source loads
    if (options.kubernetes) {
      // Loaded only for the API source (@kubernetes/client-node is large; see cluster-dns.ts).
      const { KubernetesApiSource } = await import('../kube-api/api-source.js');
      const kube = new KubernetesApiSource({ ...options.kubernetes, store, logger, watchPods: watchesPods(pods, options.autopath), waitForSync: false });
      sources.push(kube);
      await kube.start(); // returns at once; the workers answer SERVFAIL for cluster names until synced
    } else if (manifests.length > 0) {
      const source = new ManifestSource({ files: manifests, store, logger: logger.child({ component: 'manifest' }) });
      sources.push(source);
      await source.start(); // logs 'manifest loaded'
    } else {
      store.markSynced(); // an empty cluster is a synced one
    }
    await firstListening;
    if (!together) for (const slot of slots.slice(1)) fork(slot);
    // Resolve once every worker answers; with a manifest, once every one of them has the data too.
    const waitForSync = store.synced;
    await until(() => slots.every((slot) => slot.listening && (!waitForSync || slot.synced)));
  } catch (err) {
    await close();
    throw err;
  }

  const synced = () => store.synced && slots.every((slot) => slot.listening && slot.synced);
  const total = createServerStats();
  const collectStats = async () => {
    const id = Math.floor(Math.random() * 2 ** 31);
    const asked = new Set(slots.filter((slot) => slot.listening && slot.worker?.isConnected()));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, STATS_TIMEOUT_MS);
      function finish() {
        clearTimeout(timer);
        statsWaiters.delete(id);
        resolve();
      }
      statsWaiters.set(id, { remaining: asked, done: () => asked.size === 0 && finish() });
      for (const slot of asked) send(slot, { type: 'stats', id });
      if (asked.size === 0) finish();
    });
    // Reset in place: createMetrics reads this object on every scrape.
    Object.assign(total, createServerStats());
    addServerStats(total, retired);
    for (const slot of slots) addServerStats(total, slot.stats);
  };
  const httpAddresses: MultiCoreClusterDns['http'] = {};
  try {
    const { registry, scrape } = createMetrics({ stats: total, synced, counts: () => store.counts });
    const { Gauge } = await import('prom-client');
    new Gauge({
      name: 'clusterdns_workers',
      help: 'Worker processes (--workers), by state: running = bound its sockets, synced = applied the synced cluster state.',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        this.set({ state: 'configured' }, slots.length);
        this.set({ state: 'running' }, slots.filter((slot) => slot.listening).length);
        this.set({ state: 'synced' }, slots.filter((slot) => slot.synced).length);
      },
    });
    // Per worker, to see how evenly the kernel (UDP) and the primary (TCP) spread the load, and which PID
    // serves each slot. A gauge, not a counter: a restarted worker starts again from 0.
    new Gauge({
      name: 'clusterdns_worker_requests',
      help: 'DNS requests received by the worker now running in each slot, since it started.',
      labelNames: ['worker', 'pid', 'proto'],
      registers: [registry],
      collect() {
        this.reset();
        for (const slot of slots) {
          const pid = slot.worker?.process.pid;
          if (pid === undefined) continue;
          this.set({ worker: String(slot.index), pid: String(pid), proto: 'udp' }, slot.stats.requests.udp);
          this.set({ worker: String(slot.index), pid: String(pid), proto: 'tcp' }, slot.stats.requests.tcp);
        }
      },
    });
    const endpoints = [
      ['health', options.health, { health: () => slots.some((slot) => slot.listening) }],
      ['ready', options.ready, { ready: synced }],
      [
        'metrics',
        options.metrics,
        {
          metrics: async () => {
            await collectStats();
            return scrape();
          },
        },
      ],
    ] as const;
    Object.assign(
      httpAddresses,
      await listenProbeEndpoints(endpoints, probes, (endpoint, bound) => logger.info({ endpoint: `/${endpoint}`, address: formatAddress(bound) }, 'http listening')),
    );
  } catch (err) {
    await close();
    throw err;
  }

  const address = bound!;
  return {
    address,
    server: formatAddress(address),
    http: httpAddresses,
    get synced() {
      return synced();
    },
    workerPids: () => slots.map((slot) => slot.worker?.process.pid),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function knownCode(code: string | undefined): ErrorCode | undefined {
  return (Object.values(ErrorCodes) as string[]).includes(code ?? '') ? (code as ErrorCode) : undefined;
}

function ignoreSendError(): void {}
