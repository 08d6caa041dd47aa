// The multi-core primary's worker processes: fork them through node:cluster, restart one that dies (with a
// growing delay when it keeps dying young), track what each has reported, and stop them all.
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { LoopReport } from '../forward/loop-detection.js';
import { formatAddress, type ListenAddress } from '../config/serve-options.js';
import { ClusterDnsError, ErrorCodes, type ErrorCode } from '../errors.js';
import { addServerStats, createServerStats, type ServerStats } from '../server/server-stats.js';
import { addResolverCounters, createResolverCounters, type ResolverCounters } from './resolver-counters.js';
import { WORKER_CONFIG_ENV, type FromWorker, type ToWorker, type WorkerConfig } from './protocol.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./worker-main.js', import.meta.url));
/** A worker that dies sooner than this after starting is restarted with a growing delay (crash loop). */
const STABLE_AFTER_MS = 5000;
const MAX_RESTART_DELAY_MS = 5000;

export interface WorkerSlot {
  readonly index: number;
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
  /** Its forwarder's and cache's, when it forwards. */
  resolver?: ResolverCounters;
  quickFailures: number;
  restartTimer?: NodeJS.Timeout;
  /** The worker a reconfiguration is replacing: it still gets the changes until it has stopped. */
  outgoing?: Worker;
}

export interface WorkerPoolOptions {
  size: number;
  /** What every worker is started with (its slot is added). */
  config: Omit<WorkerConfig, 'slot'>;
  logger: Logger;
  /** How long a stopping worker may take before it is killed. */
  stopTimeoutMs: number;
  /** A worker's store exists ('hello'): send it the full state. */
  onHello(slot: WorkerSlot): void;
  /** Anything a slot reports changed (listening, synced, exit). */
  onChange(): void;
  /** A worker found a forwarding loop. */
  onLoop(report: LoopReport): void;
}

export class WorkerPool {
  readonly slots: WorkerSlot[];
  /** Counters of workers that have exited, so sums over the pool never go down. */
  readonly retired = createServerStats();
  readonly retiredResolver = createResolverCounters();
  /** The address the first worker bound; every worker shares it. */
  bound: ListenAddress | undefined;

  private closing = false;
  private firstFailure: ((err: Error) => void) | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly statsWaiters = new Map<number, { remaining: Set<WorkerSlot>; done: () => void }>();

  constructor(private readonly options: WorkerPoolOptions) {
    this.slots = Array.from({ length: options.size }, (_, index) => ({
      index,
      startedAt: 0,
      listening: false,
      fed: false,
      synced: false,
      stats: createServerStats(),
      quickFailures: 0,
    }));
    // Every worker accepts TCP connections on the shared listener itself (the kernel hands each connection to
    // one of them) instead of the primary accepting each and passing it on over IPC (node:cluster's default
    // round-robin): no process hop per connection. Node reads the policy once, at the first setupPrimary.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: WORKER_SCRIPT, args: [], serialization: 'advanced' });
  }

  send(slot: WorkerSlot, message: ToWorker): void {
    const worker = slot.worker;
    // A worker may die between the check and the write (the 'exit' handler deals with it): with a callback, a
    // failed send reports there instead of as an 'error' event.
    if (worker && worker.isConnected()) worker.send(message, undefined, undefined, ignoreSendError);
  }

  /** Send to every worker that has the state. */
  broadcast(message: ToWorker): void {
    for (const slot of this.slots) {
      if (slot.fed) this.send(slot, message);
      if (slot.outgoing?.isConnected()) slot.outgoing.send(message, undefined, undefined, ignoreSendError);
    }
  }

  /**
   * A new configuration (a Corefile reload), applied without dropping a query: slot by slot, a worker with the
   * new configuration starts and binds beside the running one (they share the sockets), and once it is
   * listening (and synced, when `synced` says the data is) the old one drains and stops. A replacement that
   * cannot start puts the old worker back, the old configuration with it, and rejects.
   */
  async reconfigure(config: Omit<WorkerConfig, 'slot'>, synced: () => boolean): Promise<void> {
    const previous = this.options.config;
    this.options.config = config;
    for (const slot of this.slots) {
      const old = slot.worker;
      const oldState = { listening: slot.listening, fed: slot.fed, synced: slot.synced, stats: slot.stats, resolver: slot.resolver };
      if (old === undefined || this.closing) continue; // a slot waiting for its restart starts with the new configuration
      slot.outgoing = old;
      clearTimeout(slot.restartTimer);
      this.fork(slot);
      try {
        await this.until(() => slot.listening && (!synced() || slot.synced));
      } catch (err) {
        const failed = slot.worker;
        clearTimeout(slot.restartTimer);
        slot.outgoing = undefined;
        Object.assign(slot, oldState, { worker: old });
        this.options.config = previous;
        failed?.process.kill('SIGKILL');
        this.changed();
        throw err;
      }
      // The old worker's last counters stay in the sums.
      addServerStats(this.retired, oldState.stats);
      if (oldState.resolver) addResolverCounters(this.retiredResolver, oldState.resolver, false);
      await this.stopWorker(old, true, true);
      slot.outgoing = undefined;
    }
  }

  fork(slot: WorkerSlot): void {
    if (this.closing) return;
    const { logger } = this.options;
    slot.restartTimer = undefined;
    slot.listening = slot.fed = slot.synced = false;
    slot.stats = createServerStats();
    slot.startedAt = Date.now();
    const worker = cluster.fork({ [WORKER_CONFIG_ENV]: JSON.stringify({ ...this.options.config, slot: slot.index } satisfies WorkerConfig) });
    slot.worker = worker;
    logger.info({ worker: slot.index, workerPid: worker.process.pid }, 'worker started');
    worker.on('message', (message: FromWorker) => {
      if (slot.worker !== worker) return;
      this.onMessage(slot, worker, message);
      this.changed();
    });
    // A worker's IPC channel can fail while it dies (EPIPE, ERR_IPC_CHANNEL_CLOSED): the 'exit' that follows
    // restarts it; unhandled, the error would take the primary down with it.
    worker.on('error', (err) => logger.debug({ worker: slot.index, err }, 'worker channel error'));
    worker.on('exit', (code, signal) => {
      if (slot.worker !== worker) return;
      addServerStats(this.retired, slot.stats);
      if (slot.resolver) addResolverCounters(this.retiredResolver, slot.resolver, false);
      slot.stats = createServerStats();
      slot.resolver = undefined;
      slot.worker = undefined;
      slot.listening = slot.fed = slot.synced = false;
      for (const waiter of this.statsWaiters.values()) {
        waiter.remaining.delete(slot);
        waiter.done();
      }
      this.changed();
      if (this.closing) return;
      const quick = Date.now() - slot.startedAt < STABLE_AFTER_MS;
      slot.quickFailures = quick ? slot.quickFailures + 1 : 0;
      const delayMs = slot.quickFailures === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (slot.quickFailures - 1));
      logger.warn({ worker: slot.index, workerPid: worker.process.pid, code, signal, restartInMs: delayMs }, 'worker exited; starting another');
      slot.restartTimer = setTimeout(() => this.fork(slot), delayMs);
    });
  }

  /** Resolves when `ready()` holds, rejects when a worker reports it cannot start. */
  until(ready: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!ready()) return;
        this.waiters.delete(check);
        this.firstFailure = undefined;
        resolve();
      };
      this.firstFailure = (err) => {
        this.waiters.delete(check);
        this.firstFailure = undefined;
        reject(err);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Ask every listening worker for its counters; resolves when all answered (or died), or after `timeoutMs`. */
  async collectStats(timeoutMs: number): Promise<void> {
    const id = Math.floor(Math.random() * 2 ** 31);
    const asked = new Set(this.slots.filter((slot) => slot.listening && slot.worker?.isConnected()));
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.statsWaiters.delete(id);
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.statsWaiters.set(id, { remaining: asked, done: () => asked.size === 0 && finish() });
      for (const slot of asked) this.send(slot, { type: 'stats', id });
      if (asked.size === 0) finish();
    });
  }

  /** Stop every worker (a 'stop' message; SIGKILL after stopTimeoutMs) and start no more. */
  stop(): Promise<void> {
    this.closing = true;
    for (const slot of this.slots) clearTimeout(slot.restartTimer);
    const running = this.slots.flatMap((slot) => [slot.worker, slot.outgoing]).filter((worker): worker is Worker => worker !== undefined);
    const spoke = new Set(this.slots.filter((slot) => slot.fed).flatMap((slot) => [slot.worker, slot.outgoing]));
    return Promise.all(running.map((worker) => this.stopWorker(worker, spoke.has(worker)))).then(() => undefined);
  }

  private stopWorker(worker: Worker, spoke: boolean, handover = false): Promise<void> {
    return new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      const timer = setTimeout(() => worker.process.kill('SIGKILL'), this.options.stopTimeoutMs);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      // A worker that has not said 'hello' may still be loading its modules, with no message listener to
      // hear 'stop' (a message to nobody is dropped): SIGTERM reaches it whatever it is doing.
      if (worker.isConnected() && spoke) worker.send({ type: 'stop', handover } satisfies ToWorker, undefined, undefined, ignoreSendError);
      else worker.process.kill('SIGTERM');
    });
  }

  private onMessage(slot: WorkerSlot, worker: Worker, message: FromWorker): void {
    const { logger } = this.options;
    switch (message.type) {
      case 'listening':
        if (!this.bound) {
          this.bound = { host: message.host, port: message.port };
          logger.info({ transport: 'udp', address: formatAddress(this.bound) }, 'listening');
          logger.info({ transport: 'tcp', address: formatAddress(this.bound) }, 'listening');
        } else if (message.port !== this.bound.port || message.host !== this.bound.host) {
          // Port 0: every worker's first bind of port 0 shares the primary's one handle; this happens only
          // when every worker died at once and the primary let that handle go.
          logger.error({ worker: slot.index, address: formatAddress(message), expected: formatAddress(this.bound) }, 'worker bound another address');
        }
        slot.listening = true;
        break;
      case 'hello':
        this.options.onHello(slot);
        break;
      case 'synced':
        slot.synced = true;
        break;
      case 'stats':
        slot.stats = message.stats;
        slot.resolver = message.resolver;
        this.statsWaiters.get(message.id)?.remaining.delete(slot);
        this.statsWaiters.get(message.id)?.done();
        break;
      case 'loop':
        this.options.onLoop(message.report);
        break;
      case 'failed':
        logger.error({ worker: slot.index, workerPid: worker.process.pid, err: message.message, code: message.code }, 'worker could not start');
        this.firstFailure?.(new ClusterDnsError(knownCode(message.code) ?? ErrorCodes.SERVER_LISTEN, message.message));
        break;
    }
  }

  private changed(): void {
    this.options.onChange();
    for (const check of [...this.waiters]) check();
  }
}

function knownCode(code: string | undefined): ErrorCode | undefined {
  return (Object.values(ErrorCodes) as string[]).includes(code ?? '') ? (code as ErrorCode) : undefined;
}

function ignoreSendError(): void {}
