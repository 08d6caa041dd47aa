// The live cluster as a data source: one Reflector per watched collection feeding a ClusterSink; synced once
// every reflector has listed; outages logged once when they start and once when they end
// (docs/architecture.md "Data sources").
import { EventEmitter } from 'node:events';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ApiStatusError } from './api-request.js';
import { assumedNamespaces, rbacResourceName, reflectorTargets, type ReflectorTarget } from './api-resources.js';
import type { ClusterEvent } from '../cluster/objects.js';
import type { TrimOptions } from '../cluster/trim.js';
import { ProgrammingLatency } from './programming-latency.js';
import { Reflector, emptyReflectorStats, type ReflectorPhase, type ReflectorStats, type ReflectorTuning } from './reflector.js';

/** What the source needs of the cluster store (ClusterStore satisfies it). */
export interface ClusterStoreSink {
  apply(events: ClusterEvent[]): unknown;
  markSynced(): unknown;
}

export interface KubernetesApiSourceOptions {
  kubeConfig: KubeConfig;
  store: ClusterStoreSink;
  logger: Logger;
  /** Only these namespaces (--namespaces); empty/undefined = all. */
  namespaces?: readonly string[];
  /** Label selector for Services, EndpointSlices and Pods (--labels). */
  labelSelector?: string;
  /** Watch Pods (needed by --pods verified and autopath). */
  watchPods: boolean;
  /** start() resolves after the first full sync (default true) or at once (false). */
  waitForSync?: boolean;
  /** Timings for tests (backoff, watchdog, watch timeout, page size). */
  tuning?: ReflectorTuning;
  /** While the API refuses a request (401/403), the warning naming it is repeated this often (default 60 s). */
  refusalLogIntervalMs?: number;
  /** What trimmed objects keep beyond the default (the Pod names of endpoints). */
  trim?: TrimOptions;
}

export interface KubernetesApiSourceEvents {
  synced: [{ durationMs: number; objects: number }];
  /** The first failed request after a healthy period (or before the first success). */
  outage: [{ error: Error; resource: string }];
  /** Every reflector that failed has succeeded again. */
  recovered: [{ durationMs: number; failures: number }];
}

export const KUBE_CLOSED_ERROR_CODE = 'CLUSTERDNS_ERR_KUBE_CLOSED';

export class KubernetesApiSource extends EventEmitter<KubernetesApiSourceEvents> {
  readonly reflectors: readonly Reflector[];
  private readonly store: ClusterStoreSink;
  private readonly log: Logger;
  private readonly waitForSync: boolean;
  private readonly server: string;
  private readonly syncPromise: Promise<void>;
  private readonly assumedNamespaces: readonly string[];
  private resolveSync!: () => void;
  private rejectSync!: (err: Error) => void;
  private started = false;
  private closed = false;
  private isSynced = false;
  /** coredns_kubernetes_dns_programming_duration_seconds, observed as changes are applied. */
  readonly programming = new ProgrammingLatency();
  private startedAt = 0;
  private readonly failing = new Set<Reflector>();
  private outageStartedAt: number | undefined;
  private outageFailures = 0;
  private listedObjects = 0;
  private readonly refusalLogIntervalMs: number;
  /** Reflector → when its refusal was last logged, while the API refuses it. */
  private readonly refusedSince = new Map<Reflector, number>();

  constructor(options: KubernetesApiSourceOptions) {
    super();
    const cluster = options.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = cluster.server;
    this.store = options.store;
    this.log = options.logger.child({ component: 'kubernetes' });
    this.waitForSync = options.waitForSync ?? true;
    this.refusalLogIntervalMs = options.refusalLogIntervalMs ?? 60_000;
    this.syncPromise = new Promise<void>((resolve, reject) => {
      this.resolveSync = resolve;
      this.rejectSync = reject;
    });
    // Nobody may be awaiting it (waitForSync: false); a rejection on close must not go unhandled.
    this.syncPromise.catch(() => undefined);

    this.assumedNamespaces = assumedNamespaces(options.namespaces);
    const targets: ReflectorTarget[] = reflectorTargets({
      namespaces: options.namespaces,
      labelSelector: options.labelSelector,
      watchPods: options.watchPods,
    });
    this.reflectors = targets.map((target) => {
      const reflector = new Reflector({
        ...options.tuning,
        kubeConfig: options.kubeConfig,
        target,
        trim: options.trim,
        logger: this.log,
        onEvents: (events) => {
          this.store.apply(events);
          this.programming.record(events, this.isSynced);
        },
      });
      reflector.on('synced', ({ objects }) => {
        this.listedObjects += objects;
        this.onReflectorSynced();
      });
      reflector.on('failure', ({ error, phase }) => this.onFailure(reflector, error, phase));
      reflector.on('healthy', () => this.onHealthy(reflector));
      return reflector;
    });
  }

  get synced(): boolean {
    return this.isSynced;
  }

  /** Start every reflector. Resolves when synced (or at once with waitForSync: false). */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    if (!this.started) {
      this.started = true;
      this.startedAt = Date.now();
      // Under --namespaces no Namespace is watched (a namespaced Role cannot grant it): the named ones exist.
      if (this.assumedNamespaces.length > 0) {
        this.store.apply(this.assumedNamespaces.map((name) => ({ type: 'upsert', object: { kind: 'Namespace', name } })));
      }
      this.log.info(
        { server: this.server, watches: this.reflectors.map((r) => r.target.description) },
        'watching the Kubernetes API',
      );
      for (const r of this.reflectors) r.start();
    }
    return this.waitForSync ? this.syncPromise : Promise.resolve();
  }

  /** Resolves once every reflector has delivered its first list; rejects if closed before. */
  whenSynced(): Promise<void> {
    return this.syncPromise;
  }

  /** Stop every reflector (requests in flight are aborted). Idempotent. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const r of this.reflectors) r.stop();
    if (!this.isSynced) this.rejectSync(closedError());
    return Promise.resolve();
  }

  /** Counters summed over the reflectors (for metrics). */
  stats(): ReflectorStats {
    const total = emptyReflectorStats();
    for (const r of this.reflectors) {
      for (const key of Object.keys(total) as (keyof ReflectorStats)[]) total[key] += r.stats[key];
    }
    return total;
  }

  private onReflectorSynced(): void {
    if (this.isSynced || this.closed || !this.reflectors.every((r) => r.synced)) return;
    this.isSynced = true;
    const durationMs = Date.now() - this.startedAt;
    try {
      this.store.markSynced();
    } catch (err) {
      this.log.error({ err }, 'marking the cluster store synced failed');
    }
    const objects = this.listedObjects;
    this.log.info({ durationMs, objects, server: this.server }, 'synced with the Kubernetes API');
    this.resolveSync();
    this.safeEmit('synced', { durationMs, objects });
  }

  private onFailure(reflector: Reflector, error: Error, phase: ReflectorPhase): void {
    if (this.closed) return;
    this.failing.add(reflector);
    this.outageFailures++;
    const status = refusalStatus(error);
    const refused = status !== undefined;
    if (refused) this.reportRefusal(reflector, error, status, phase);
    if (this.outageStartedAt !== undefined) return;
    this.outageStartedAt = Date.now();
    // An outage is an expected condition, not a bug: log the message (as the 401/403 lines do), not a stack.
    if (!refused) this.log.warn(
      { err: plainMessage(error), server: this.server, resource: reflector.target.description },
      this.isSynced
        ? 'Kubernetes API unreachable; serving the last known data and retrying with backoff'
        : 'Kubernetes API unreachable; cluster names answer SERVFAIL until the first sync',
    );
    this.safeEmit('outage', { error, resource: reflector.target.description });
  }

  /**
   * A 401/403 is no outage but a configuration problem that lasts until someone fixes it: say which request
   * was refused and what grants it, and say it again every refusalLogIntervalMs while it lasts (each retry
   * with backoff would be too often, once would scroll away).
   */
  private reportRefusal(reflector: Reflector, error: Error, statusCode: 401 | 403, verb: ReflectorPhase): void {
    const now = Date.now();
    const last = this.refusedSince.get(reflector);
    if (last !== undefined && now - last < this.refusalLogIntervalMs) return;
    this.refusedSince.set(reflector, now);
    const { target } = reflector;
    const resource = rbacResourceName(target.kind);
    const scope = target.namespace === undefined ? 'cluster-wide' : `in namespace ${target.namespace}`;
    const fields = { status: statusCode, verb, resource, scope, server: this.server, err: error.message };
    if (statusCode === 401) {
      this.log.warn(
        fields,
        `Kubernetes API rejected the credentials (401 Unauthorized) for ${verb} ${resource}: the kubeconfig's or service account's token or certificate is not accepted; retrying`,
      );
    } else {
      this.log.warn(
        fields,
        `Kubernetes API refused ${verb} ${resource} ${scope} (403 Forbidden): clusterdns needs list and watch on ${resource}, as the ClusterRole in deploy/rbac.yaml grants; retrying`,
      );
    }
  }

  private onHealthy(reflector: Reflector): void {
    this.refusedSince.delete(reflector);
    this.failing.delete(reflector);
    if (this.outageStartedAt === undefined || this.failing.size > 0 || this.closed) return;
    const durationMs = Date.now() - this.outageStartedAt;
    const failures = this.outageFailures;
    this.outageStartedAt = undefined;
    this.outageFailures = 0;
    this.log.info({ durationMs, failedRequests: failures, server: this.server }, 'Kubernetes API reachable again');
    this.safeEmit('recovered', { durationMs, failures });
  }

  /** Listeners are the embedder's code: their exceptions are logged, never thrown into a reflector. */
  private safeEmit<K extends keyof KubernetesApiSourceEvents>(event: K, ...args: KubernetesApiSourceEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: KubernetesApiSourceEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log.error({ err, event }, 'a listener threw');
    }
  }
}

/** 401 or 403 when the API refused the request: a list's ApiStatusError, or a watch's client-node error. */
function refusalStatus(error: Error): 401 | 403 | undefined {
  const code = error instanceof ApiStatusError ? error.statusCode : (error as { statusCode?: unknown }).statusCode;
  return code === 401 || code === 403 ? code : undefined;
}

function closedError(): Error & { code: string } {
  const err = new Error('the Kubernetes API source was closed before it synced') as Error & { code: string };
  err.name = 'ClusterDnsError';
  err.code = KUBE_CLOSED_ERROR_CODE;
  return err;
}

/**
 * An error as one line: its message, with its code when the message leaves it out (a TLS failure such as
 * "self-signed certificate" carries DEPTH_ZERO_SELF_SIGNED_CERT only in `code`; ECONNREFUSED is in both).
 */
function plainMessage(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
