// The one place that chooses where cluster data comes from (the Kubernetes API, manifest files, or nowhere) for
// every way of serving: a single process (src/cluster-dns.ts) and the multi-core primary (src/workers/).
// See docs/architecture.md "Data sources".
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ClusterSink } from '../cluster/cluster-sink.js';
import type { TrimOptions } from '../cluster/trim.js';
import type { ReflectorStats, ReflectorTuning } from '../kube-api/reflector.js';
import { ManifestSource } from '../manifest/manifest-source.js';
import type { BucketHistogram } from '../server/bucket-histogram.js';
import { ThreadedManifestParser } from '../manifest/threaded-manifest-parser.js';

/** A source of cluster objects feeding a ClusterSink. */
export interface DataSource {
  /** Begin loading: a manifest resolves once loaded; the API source at once (its lists run on). */
  start(): Promise<void>;
  /** Stop every watch and timer. Idempotent. */
  close(): Promise<void>;
  /** The first full load is done. */
  readonly synced: boolean;
  /** Resolves once synced; rejects if closed before. */
  whenSynced(): Promise<void>;
  /** The reflectors' counters summed (API source only), for /metrics. */
  watchStats?(): ReflectorStats;
  /** The DNS programming latency histogram (API source only), for /metrics. */
  programmingLatency?(): BucketHistogram;
}

export interface KubernetesSourceSettings {
  kubeConfig: KubeConfig;
  /** Only these namespaces (CoreDNS `namespaces`); empty or undefined = all. */
  namespaces?: string[];
  /** A label selector for Services, EndpointSlices and Pods (CoreDNS `labels`). */
  labelSelector?: string;
  /** Reflector timings (tests shrink them). */
  tuning?: ReflectorTuning;
}

export interface DataSourceOptions {
  store: ClusterSink;
  logger: Logger;
  manifests: readonly string[];
  kubernetes?: KubernetesSourceSettings;
  /** Watch Pods (`pods verified`, autopath). */
  watchPods: boolean;
  /** The caller feeds the store itself (a multi-core worker): load nothing and leave it unsynced. */
  fedExternally?: boolean;
  /** Parse manifests in a worker thread running this script (the built parse-worker.js). */
  manifestParseWorker?: string;
  /** What trimmed objects keep beyond the default (the Pod names of endpoints, for `endpoint_pod_names`). */
  trim?: TrimOptions;
}

export async function createDataSource(options: DataSourceOptions): Promise<DataSource> {
  const { store, logger } = options;
  if (options.kubernetes) {
    // Loaded only for the API source: @kubernetes/client-node is large (docs/architecture.md "Memory"), and
    // snapshot and embedded use should not pay for it.
    const { KubernetesApiSource } = await import('../kube-api/api-source.js');
    const source = new KubernetesApiSource({ ...options.kubernetes, store, logger, watchPods: options.watchPods, waitForSync: false, trim: options.trim });
    return {
      start: () => source.start(),
      close: () => source.close(),
      get synced() {
        return source.synced;
      },
      whenSynced: () => source.whenSynced(),
      watchStats: () => source.stats(),
      programmingLatency: () => source.programming.histogram,
    };
  }
  if (options.manifests.length > 0) {
    const parser = options.manifestParseWorker === undefined ? undefined : new ThreadedManifestParser(options.manifestParseWorker);
    const source = new ManifestSource({ files: [...options.manifests], store, logger: logger.child({ component: 'manifest' }), parser, trim: options.trim });
    let loading: Promise<void> | undefined;
    let loaded!: () => void;
    const synced = new Promise<void>((resolve) => (loaded = resolve));
    return {
      start: () => (loading ??= source.start().then(loaded)),
      close: () => source.close(),
      get synced() {
        return store.synced;
      },
      whenSynced: () => synced,
    };
  }
  // Nothing to load: an empty cluster is a synced one, unless the caller feeds the store.
  return {
    start: async () => {
      if (!options.fedExternally) store.markSynced();
    },
    close: async () => {},
    get synced() {
      return store.synced;
    },
    whenSynced: () => Promise.resolve(),
  };
}
