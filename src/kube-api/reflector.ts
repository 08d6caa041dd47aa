// A reflector keeps one API collection mirrored into ClusterEvents: list, then watch from the list's
// resourceVersion, and on every end watch again, relist on 410 Gone, back off on failures, restart a silent
// watch (docs/architecture.md "The reflector loop"; "Kubernetes API client" says why not client-node's informer).
import { EventEmitter } from 'node:events';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ApiStatusError, getJson } from './api-request.js';
import type { ReflectorTarget } from './api-resources.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { ClusterEvent, ClusterObjectKind } from '../cluster/objects.js';
import { trimObject, type TrimOptions } from '../cluster/trim.js';
import { PacedDelivery } from './paced-delivery.js';
import { startWatch, type WatchEnd, type WatchHandle } from './watch-request.js';

/** Tuning shared by every reflector; the defaults suit production, tests shrink them. */
export interface ReflectorTuning {
  /** Items per list page (default 500, as client-go). */
  pageSize?: number;
  /** timeoutSeconds for each watch, drawn uniformly from [min, max] (default 300–600). */
  watchTimeoutSeconds?: { min: number; max: number };
  /** Restart a watch after this long without a byte of progress (default 2 × its timeoutSeconds). */
  watchdogMs?: number;
  /** Give up on one list page after this long (default 60 s). */
  requestTimeoutMs?: number;
  /** A watch that ends cleanly sooner than this without events counts as a failure (default 1000 ms). */
  minWatchMs?: number;
  backoff?: BackoffOptions;
  /** Randomness for timeoutSeconds and jitter (tests pass a fixed one). */
  random?: () => number;
  /** How long one turn of the event loop may spend applying changes (default 5 ms; see paced-delivery.ts). */
  deliverySliceMs?: number;
}

export interface ReflectorOptions extends ReflectorTuning {
  kubeConfig: KubeConfig;
  target: ReflectorTarget;
  /** What trimmed objects keep beyond the default (the Pod names of endpoints). */
  trim?: TrimOptions;
  /** Receives every change; called synchronously, exceptions are caught and logged. */
  onEvents(events: ClusterEvent[]): void;
  logger: Logger;
}

export type ReflectorPhase = 'list' | 'watch';

export interface ReflectorStats {
  lists: number;
  relists: number;
  watches: number;
  events: number;
  bookmarks: number;
  malformed: number;
  handlerErrors: number;
  failures: number;
  watchdogRestarts: number;
}

export interface ReflectorEvents {
  /** The first list has been delivered. */
  synced: [{ durationMs: number; objects: number }];
  /** A request failed (could not list, or a watch request got no 200). */
  failure: [{ phase: ReflectorPhase; error: Error; attempt: number; retryInMs: number }];
  /** A list or a watch request succeeded. */
  healthy: [];
  /** A 410 Gone made the reflector relist. */
  relist: [{ reason: string }];
}

type Json = Record<string, unknown>;

/**
 * A full list, each item trimmed as its page arrived: the raw pages (managedFields, annotations, container
 * specs: most of their bytes) become garbage page by page instead of all living until the list ends.
 */
interface ListResult {
  resourceVersion: string;
  items: ListedItem[];
}

interface ListedItem {
  key: string;
  resourceVersion: string;
  /** The upsert to deliver; null when the object is unchanged since it was delivered, or malformed (logged). */
  event: ClusterEvent | null;
}

const DEFAULTS = {
  pageSize: 500,
  watchTimeoutSeconds: { min: 300, max: 600 },
  requestTimeoutMs: 60_000,
  minWatchMs: 1000,
};

/** Continue tokens can expire between pages; restart the list at most this often before backing off. */
const MAX_LIST_RESTARTS = 3;

/** All counters at zero: a reflector's start, and the base the API source sums its reflectors onto. */
export function emptyReflectorStats(): ReflectorStats {
  return { lists: 0, relists: 0, watches: 0, events: 0, bookmarks: 0, malformed: 0, handlerErrors: 0, failures: 0, watchdogRestarts: 0 };
}

export class Reflector extends EventEmitter<ReflectorEvents> {
  readonly target: ReflectorTarget;
  private readonly trim: TrimOptions | undefined;
  readonly stats: ReflectorStats = emptyReflectorStats();

  private readonly kubeConfig: KubeConfig;
  private readonly onEvents: (events: ClusterEvent[]) => void;
  private readonly log: Logger;
  private readonly pageSize: number;
  private readonly timeoutRange: { min: number; max: number };
  private readonly watchdogMs: number | undefined;
  private readonly requestTimeoutMs: number;
  private readonly minWatchMs: number;
  private readonly random: () => number;
  private readonly backoff: Backoff;

  /** Bumped by start() and stop(); an async step belongs to the run whose generation it captured. */
  private generation = 0;
  private running = false;
  private hasSynced = false;
  private lastResourceVersion = '';
  /** What this reflector has delivered: object key → resourceVersion (for relist diffs). */
  private readonly known = new Map<string, string>();
  private pending: ClusterEvent[] = [];
  private flushScheduled = false;
  /** Applies lists and watch batches a time slice at a time, so answering goes on while a big one lands. */
  private readonly delivery: PacedDelivery;
  /** Cancels whatever the current run awaits (a list, a watch, a backoff sleep). */
  private cancelCurrent: (() => void) | undefined;

  constructor(options: ReflectorOptions) {
    super();
    this.kubeConfig = options.kubeConfig;
    this.target = options.target;
    this.trim = options.trim;
    this.onEvents = options.onEvents;
    this.log = options.logger.child({ reflector: options.target.description });
    this.pageSize = positiveInt(options.pageSize ?? DEFAULTS.pageSize, 'pageSize');
    const range = options.watchTimeoutSeconds ?? DEFAULTS.watchTimeoutSeconds;
    if (!(range.min >= 1 && range.max >= range.min)) throw new RangeError('watchTimeoutSeconds needs 1 ≤ min ≤ max');
    this.timeoutRange = range;
    this.watchdogMs = options.watchdogMs;
    this.requestTimeoutMs = positiveInt(options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs, 'requestTimeoutMs');
    this.minWatchMs = Math.max(0, options.minWatchMs ?? DEFAULTS.minWatchMs);
    this.random = options.random ?? Math.random;
    this.backoff = new Backoff({ random: this.random, ...options.backoff });
    this.delivery = new PacedDelivery({ apply: (events) => this.deliver(events), sliceMs: options.deliverySliceMs });
  }

  /** True once the first list has been delivered (stays true across later relists and restarts). */
  get synced(): boolean {
    return this.hasSynced;
  }

  /** The last resourceVersion seen (list, event or bookmark). */
  get resourceVersion(): string {
    return this.lastResourceVersion;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Start the list/watch loop; a no-op when running. Never throws or rejects. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const generation = ++this.generation;
    this.backoff.reset();
    void this.run(generation).catch((err: unknown) => {
      // run() handles its own errors; reaching here is a bug, but it must not kill the process.
      this.log.error({ err }, 'reflector loop failed');
      if (this.generation === generation) this.running = false;
    });
  }

  /** Stop: aborts the request in flight and any wait; pending undelivered events are dropped. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.pending = [];
    this.delivery.clear();
    const cancel = this.cancelCurrent;
    this.cancelCurrent = undefined;
    cancel?.();
  }

  private current(generation: number): boolean {
    return this.running && this.generation === generation;
  }

  private async run(generation: number): Promise<void> {
    const startedAt = Date.now();
    let needList = true;
    let goneStreak = 0;
    // Bounded: every iteration awaits a network round trip, a watch or a backoff sleep, and ends on stop().
    while (this.current(generation)) {
      if (needList) {
        // A method of its own, not inline: a suspended async function keeps every local of its frame alive,
        // so a list held here would stay in memory for as long as the watch below runs (hours).
        const listed = await this.relist(generation, startedAt);
        if (listed === 'stopped') return;
        if (listed === 'failed') continue;
        needList = false;
      }

      const outcome = await this.watchOnce(generation);
      if (!this.current(generation)) return;
      if (outcome.events > 0) goneStreak = 0;
      // A watch that was established and did its job (events, or it lived a while) proves the API healthy.
      const productive = outcome.connected && (outcome.events > 0 || outcome.durationMs >= this.minWatchMs);
      if (productive) this.backoff.reset();
      switch (outcome.end.kind) {
        case 'gone': {
          // The watch window moved past our resourceVersion: what happened meanwhile is only in a list.
          this.stats.relists++;
          needList = true;
          this.log.debug({ resourceVersion: this.lastResourceVersion, reason: outcome.end.message }, 'resourceVersion expired; relisting');
          this.notify('relist', { reason: outcome.end.message });
          // Relist at once, unless the previous relist's watch expired again without a single event.
          if (goneStreak++ > 0) await this.sleep(generation, this.backoff.next());
          break;
        }
        case 'closed':
          // A server closing at once must not make us hammer it.
          if (!productive) await this.sleep(generation, this.backoff.next());
          break;
        case 'error':
          if (outcome.connected) {
            // An established stream broke or went silent (connection cut, proxy reset, ERROR event):
            // not an outage by itself; the next request tells. Re-watch after a backoff step.
            const delay = this.backoff.next();
            this.log.debug({ err: outcome.end.error, retryInMs: delay }, 'watch interrupted');
            await this.sleep(generation, delay);
          } else {
            await this.fail(generation, 'watch', outcome.end.error);
            // A 504 is how kube-apiserver refuses a watch from a resourceVersion newer than its own ("Too large
            // resource version": a cluster restored from an older etcd backup). Watching from it again would
            // fail forever, so start over with a list, as client-go's reflector does; other errors re-watch.
            if (outcome.end.statusCode === 504) needList = true;
          }
          break;
      }
    }
  }

  /** Emit to listeners; a throwing listener is logged and must not end the loop. */
  private notify<K extends keyof ReflectorEvents>(event: K, ...args: ReflectorEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: ReflectorEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log.error({ err, event }, 'a reflector listener threw');
    }
  }

  /** Report a failed request and wait out the backoff. */
  private async fail(generation: number, phase: ReflectorPhase, err: unknown): Promise<void> {
    const error = err instanceof Error ? err : new Error(String(err));
    const attempt = this.backoff.attempts + 1;
    const retryInMs = this.backoff.next();
    this.stats.failures++;
    this.log.debug({ err: error, phase, attempt, retryInMs }, 'request failed; retrying');
    this.notify('failure', { phase, error, attempt, retryInMs });
    await this.sleep(generation, retryInMs);
  }

  private sleep(generation: number, ms: number): Promise<void> {
    if (ms <= 0 || !this.current(generation)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        if (self.cancelCurrent === done) self.cancelCurrent = undefined;
        resolve();
      }
      this.cancelCurrent = done;
    });
  }

  // ------------------------------------------------------------------ list

  /** List, deliver the difference, report healthy (and synced the first time). */
  private async relist(generation: number, startedAt: number): Promise<'listed' | 'failed' | 'stopped'> {
    let list: ListResult;
    try {
      list = await this.listAll(generation);
    } catch (err) {
      if (!this.current(generation)) return 'stopped';
      await this.fail(generation, 'list', err);
      return 'failed';
    }
    if (!this.current(generation)) return 'stopped';
    this.stats.lists++;
    const objects = this.applyList(list);
    // Synced (and watching) only once the whole list is applied; it lands a time slice at a time.
    await this.delivery.whenIdle();
    if (!this.current(generation)) return 'stopped';
    this.lastResourceVersion = list.resourceVersion;
    this.backoff.reset();
    this.notify('healthy');
    if (!this.hasSynced) {
      this.hasSynced = true;
      const durationMs = Date.now() - startedAt;
      this.log.debug({ durationMs, objects, resourceVersion: list.resourceVersion }, 'listed');
      this.notify('synced', { durationMs, objects });
    }
    return 'listed';
  }

  private async listAll(generation: number): Promise<ListResult> {
    const { path, labelSelector, fieldSelector } = this.target;
    for (let restart = 0; ; restart++) {
      const items: ListedItem[] = [];
      let resourceVersion = '';
      let token: string | undefined;
      let expired = false;
      // Bounded by the server's item count / pageSize; a server returning the same token forever is cut off.
      for (let page = 0; page < 1_000_000; page++) {
        const controller = new AbortController();
        this.cancelCurrent = () => controller.abort();
        let body: unknown;
        try {
          body = await getJson(
            this.kubeConfig,
            path,
            { limit: this.pageSize, continue: token, labelSelector, fieldSelector },
            { timeoutMs: this.requestTimeoutMs, signal: controller.signal },
          );
        } catch (err) {
          if (token !== undefined && err instanceof ApiStatusError && err.statusCode === 410 && restart < MAX_LIST_RESTARTS) {
            expired = true;
            break;
          }
          throw err;
        } finally {
          if (this.current(generation)) this.cancelCurrent = undefined;
        }
        if (!this.current(generation)) throw new Error('stopped');
        const list = body as { metadata?: { resourceVersion?: unknown; continue?: unknown }; items?: unknown };
        if (typeof list !== 'object' || list === null || !Array.isArray(list.items)) {
          throw new Error(`GET ${path}: answer is not a list`);
        }
        for (const item of list.items) {
          const listed = this.listed(item as Json);
          if (listed) items.push(listed);
        }
        if (page === 0 || resourceVersion === '') resourceVersion = String(list.metadata?.resourceVersion ?? '');
        const next = list.metadata?.continue;
        if (typeof next !== 'string' || next === '') {
          if (resourceVersion === '') throw new Error(`GET ${path}: list without metadata.resourceVersion`);
          return { resourceVersion, items };
        }
        if (next === token) throw new Error(`GET ${path}: the server repeated its continue token`);
        token = next;
      }
      if (!expired) throw new Error(`GET ${path}: too many pages`);
      this.log.debug({ restart: restart + 1 }, 'continue token expired; restarting the list');
    }
  }

  /** Diff a full list against what was delivered before and deliver the difference. Returns the count. */
  private applyList(list: ListResult): number {
    const events: ClusterEvent[] = [];
    const seen = new Set<string>();
    for (const item of list.items) {
      seen.add(item.key);
      if (this.unchanged(item.key, item.resourceVersion)) continue;
      this.known.set(item.key, item.resourceVersion);
      if (item.event) events.push(item.event);
    }
    for (const key of this.known.keys()) {
      if (seen.has(key)) continue;
      this.known.delete(key);
      events.push(this.deleteEvent(key));
    }
    this.delivery.push(events);
    return seen.size;
  }

  // ------------------------------------------------------------------ watch

  private watchOnce(
    generation: number,
  ): Promise<{ end: WatchEnd; events: number; connected: boolean; durationMs: number }> {
    const { min, max } = this.timeoutRange;
    const timeoutSeconds = min + Math.floor(this.random() * (max - min + 1));
    const watchdogMs = this.watchdogMs ?? 2 * timeoutSeconds * 1000;
    const startedAt = Date.now();
    this.stats.watches++;
    return new Promise((resolve) => {
      let events = 0;
      let connected = false;
      let handle: WatchHandle | undefined;
      let settled = false;
      let watchdog: NodeJS.Timeout | undefined;
      const settle = (end: WatchEnd): void => {
        if (settled) return;
        settled = true;
        clearTimeout(watchdog);
        if (this.cancelCurrent === cancel) this.cancelCurrent = undefined;
        handle?.abort();
        resolve({ end, events, connected, durationMs: Date.now() - startedAt });
      };
      const cancel = (): void => settle({ kind: 'closed' });
      const arm = (): void => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          this.stats.watchdogRestarts++;
          this.log.warn({ silentForMs: watchdogMs }, 'watch silent; restarting it');
          settle({ kind: 'error', error: new Error(`watch silent for ${watchdogMs} ms`) });
        }, watchdogMs);
      };
      arm();
      this.cancelCurrent = cancel;
      handle = startWatch(
        this.kubeConfig,
        this.target.path,
        {
          resourceVersion: this.lastResourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
          labelSelector: this.target.labelSelector,
          fieldSelector: this.target.fieldSelector,
        },
        {
          onConnected: () => {
            if (!this.current(generation) || settled) return;
            connected = true;
            arm();
            this.notify('healthy');
          },
          onEvent: (type, object) => {
            if (!this.current(generation) || settled) return;
            arm();
            events++;
            this.onWatchEvent(type, object);
          },
          onEnd: (end) => settle(end),
        },
      );
      if (settled) handle.abort();
    });
  }

  private onWatchEvent(type: string, object: Json): void {
    const meta = metadataOf(object);
    const rv = resourceVersionOf(object);
    if (type === 'BOOKMARK') {
      this.stats.bookmarks++;
      if (rv !== '') this.lastResourceVersion = rv;
      return;
    }
    if (!meta) {
      this.malformed(object, new Error(`${type} event object without metadata.name`));
      if (rv !== '') this.lastResourceVersion = rv;
      return;
    }
    this.stats.events++;
    switch (type) {
      case 'ADDED':
      case 'MODIFIED': {
        this.known.set(meta.key, meta.resourceVersion);
        const event = this.upsert(object);
        if (event) this.enqueue(event);
        break;
      }
      case 'DELETED': {
        if (this.known.delete(meta.key)) this.enqueue(this.deleteEvent(meta.key));
        break;
      }
      default:
        this.log.debug({ type }, 'unknown watch event type ignored');
    }
    if (meta.resourceVersion !== '') this.lastResourceVersion = meta.resourceVersion;
  }

  // ------------------------------------------------------------------ delivery

  /**
   * One list item as its page arrives: its key and resourceVersion, and its trimmed upsert unless it is
   * unchanged since delivered (the list runs alone, so `known` cannot move before applyList). Null for an
   * item without a name (logged).
   */
  private listed(raw: Json): ListedItem | null {
    const meta = metadataOf(raw);
    if (!meta) {
      this.malformed(raw, new Error('list item without metadata.name'));
      return null;
    }
    const event = this.unchanged(meta.key, meta.resourceVersion) ? null : this.upsert(raw);
    return { key: meta.key, resourceVersion: meta.resourceVersion, event };
  }

  private unchanged(key: string, resourceVersion: string): boolean {
    return resourceVersion !== '' && this.known.get(key) === resourceVersion;
  }

  private upsert(raw: Json): ClusterEvent | null {
    try {
      const object = trimObject(raw, this.target.kind, this.trim);
      return object ? { type: 'upsert', object } : null;
    } catch (err) {
      this.malformed(raw, err);
      return null;
    }
  }

  private deleteEvent(key: string): ClusterEvent {
    const slash = key.indexOf('/');
    const kind: ClusterObjectKind = this.target.kind;
    return slash < 0
      ? { type: 'delete', kind, namespace: '', name: key.toLowerCase() }
      : { type: 'delete', kind, namespace: key.slice(0, slash).toLowerCase(), name: key.slice(slash + 1).toLowerCase() };
  }

  private malformed(raw: unknown, err: unknown): void {
    this.stats.malformed++;
    const meta = metadataOf(raw as Json);
    this.log.warn(
      { kind: this.target.kind, object: meta?.key, err: err instanceof Error ? err.message : String(err) },
      'malformed object skipped',
    );
  }

  /** Watch events are batched until the end of the current chunk (a microtask), then delivered together. */
  private enqueue(event: ClusterEvent): void {
    this.pending.push(event);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const generation = this.generation;
    queueMicrotask(() => {
      this.flushScheduled = false;
      if (generation !== this.generation) return;
      const batch = this.pending;
      this.pending = [];
      this.delivery.push(batch);
    });
  }

  private deliver(events: ClusterEvent[]): void {
    try {
      this.onEvents(events);
    } catch (err) {
      this.stats.handlerErrors++;
      this.log.error({ err, events: events.length }, 'applying Kubernetes changes failed');
    }
  }
}

function metadataOf(raw: Json | null | undefined): { key: string; resourceVersion: string } | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const meta = raw.metadata as Json | undefined;
  if (typeof meta !== 'object' || meta === null || typeof meta.name !== 'string' || meta.name === '') return null;
  const key = typeof meta.namespace === 'string' && meta.namespace !== '' ? `${meta.namespace}/${meta.name}` : meta.name;
  return { key, resourceVersion: typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '' };
}

function resourceVersionOf(raw: Json): string {
  const meta = raw.metadata as Json | undefined;
  return typeof meta?.resourceVersion === 'string' ? meta.resourceVersion : '';
}

function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`reflector ${what} must be a positive integer`);
  return value;
}
