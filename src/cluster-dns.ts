// The single-process composition root: the record index, the cluster store, the data source, the handler
// chain, the listeners and the HTTP endpoints (docs/architecture.md "Layers"). The CLI, a multi-core worker and
// the embedding API (src/embedding/) start a server through startClusterDnsServer.
import type { Logger } from 'pino';
import { ClusterDnsError, ErrorCodes } from './errors.js';
import { ClusterStore } from './cluster/cluster-store.js';
import type { PodsMode } from './cluster/objects.js';
import { REVERSE_ZONES } from './cluster/record-builder.js';
import { silentLogger } from './log/logger.js';
import { formatAddress, parseListen, parseTtl, parseZone, type ListenAddress } from './config/serve-options.js';
import { Chain } from './pipeline/chain.js';
import { AutopathHandler, type AutopathSettings } from './pipeline/autopath-handler.js';
import type { Handler } from './pipeline/handler.js';
import { KubernetesHandler } from './pipeline/kubernetes-handler.js';
import { AnswerCache } from './records/answer-cache.js';
import { RecordIndex } from './records/record-index.js';
import { DnsServer } from './server/dns-server.js';
import { registerForwardMetrics } from './http/forward-metrics.js';
import { startHttpEndpoints, type HttpEndpoints } from './http/http-endpoints.js';
import type { ServerStats } from './server/server-stats.js';
import { createDataSource, type DataSource, type KubernetesSourceSettings } from './sources/data-source.js';
import type { CacheStats } from './cache/cache-stats.js';
import type { ForwardStats } from './forward/forward-stats.js';
import type { LoopReport } from './forward/loop-detection.js';
import { createResolverHandlers, parseForwardRoutes, type ForwardSettings } from './pipeline/resolver-handlers.js';

export interface ClusterDnsServerOptions {
  /** Snapshot file(s) as `kubectl get -A -o yaml|json` prints them; watched for changes. */
  manifest?: string | string[];
  /**
   * A live cluster: list and watch the Kubernetes API (credentials from resolveKubeConfig). Until the first
   * full list of every resource, cluster names answer SERVFAIL (never a false NXDOMAIN).
   */
  kubernetes?: Omit<KubernetesSourceSettings, 'tuning'>;
  /** `HOST:PORT` or `{ host, port }`; default 127.0.0.1:0 (a free port). */
  listen?: string | ListenAddress;
  /** Cluster zones; default ['cluster.local']. */
  zones?: string[];
  /** TTL of every answer in seconds (0..3600); default 5. */
  ttl?: number;
  /** Pod records (CoreDNS `pods`); default 'verified'. */
  pods?: PodsMode;
  /**
   * Server-side search-path completion (CoreDNS `autopath`): `true` for `autopath @kubernetes` (each client's
   * search path from its pod, found by source IP; pods are then watched whatever `pods` says), or settings:
   * host search domains, a namespace for clients that are no pod, or one fixed search list. Default off.
   */
  autopath?: boolean | AutopathSettings;
  logger?: Logger;
  /** HTTP `/health` (CoreDNS `health`, usually :8080); off unless given. */
  health?: string | ListenAddress;
  /** HTTP `/ready`, 503 until synced (CoreDNS `ready`, usually :8181); off unless given. */
  ready?: string | ListenAddress;
  /** HTTP `/metrics` in Prometheus format (CoreDNS `prometheus`, usually :9153); off unless given. */
  metrics?: string | ListenAddress;
  /** TCP idle timeout (RFC 7766 6.2.3); default 10 s. */
  tcpIdleTimeoutMs?: number;
  /** A directory of RFC 1035 zone files (`<origin>.db`) served authoritatively (CoreDNS `file`); off unless given. */
  zoneDirectory?: string;
  /** Forward every name outside the served zones, with a cache (CoreDNS `forward`, `cache`, `loop`); off unless given. */
  forward?: ForwardSettings;
}

/** What only the multi-core mode and the tests set; not part of the published options. */
export interface ServerInternalOptions extends ClusterDnsServerOptions {
  /** With reflector timings (tests shrink them). */
  kubernetes?: KubernetesSourceSettings;
  /**
   * The caller feeds `store` itself (a multi-core worker, src/workers/): load nothing and leave the store
   * unsynced (cluster names answer SERVFAIL) until the caller marks it synced.
   */
  fedExternally?: boolean;
  /**
   * Runs once the store and index exist, before the listeners bind (a multi-core worker applies the cluster
   * state here, so a restarted worker never answers from an empty index).
   */
  beforeListen?: (parts: { store: ClusterStore; index: RecordIndex }) => void | Promise<void>;
  /**
   * The built parse-worker.js: manifests are then parsed in a worker thread, off the serving thread (the CLI
   * sets it; the CommonJS build cannot locate the script itself).
   */
  manifestParseWorker?: string;
}

export interface ClusterDnsServer {
  readonly address: ListenAddress;
  /** `host:port`, ready for dns.Resolver#setServers. */
  readonly server: string;
  readonly store: ClusterStore;
  readonly index: RecordIndex;
  readonly stats: ServerStats;
  /** Bound HTTP endpoints, for those that were asked for. */
  readonly http: { health?: ListenAddress; ready?: ListenAddress; metrics?: ListenAddress };
  /** True once every source finished its first full load. */
  readonly synced: boolean;
  /** Resolves once synced (at once for manifests, which load before startClusterDnsServer resolves). */
  whenSynced(): Promise<void>;
  /**
   * CoreDNS `loop`: resolves once every default upstream was probed for a forwarding loop back to this server
   * (null when nothing is forwarded). A loop makes every outside name time out: the CLI exits on one.
   */
  readonly loopCheck: Promise<LoopReport | null>;
  /** The forwarder's and the cache's counters, when forwarding is on. */
  readonly forwardStats: ForwardStats | null;
  readonly cacheStats: CacheStats | null;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The options every way of serving shares, validated and with their defaults (single process and multi-core). */
export function resolveServingOptions(options: ClusterDnsServerOptions): {
  zones: string[];
  ttl: number;
  pods: PodsMode;
  listen: ListenAddress;
  manifests: string[];
} {
  const manifests = options.manifest === undefined ? [] : Array.isArray(options.manifest) ? options.manifest : [options.manifest];
  if (options.kubernetes && manifests.length > 0) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, 'use either a manifest or the Kubernetes API, not both');
  }
  return {
    zones: (options.zones ?? ['cluster.local']).map((zone) => parseZone(zone)),
    ttl: parseTtl(String(options.ttl ?? 5)),
    pods: options.pods ?? 'verified',
    listen: typeof options.listen === 'string' ? parseListen(options.listen) : (options.listen ?? { host: '127.0.0.1', port: 0 }),
    manifests,
  };
}

export async function startClusterDnsServer(options: ServerInternalOptions = {}): Promise<ClusterDnsServer> {
  const logger = options.logger ?? silentLogger();
  // Validated before any socket opens: a bad option leaves nothing to clean up.
  const { zones, ttl, pods, listen, manifests } = resolveServingOptions(options);
  if (options.forward) parseForwardRoutes(options.forward); // a bad upstream fails here, before any socket opens
  // Zone files load before the listeners bind: a broken one fails the start (file:line:column).
  const resolver = await createResolverHandlers({ zoneDirectory: options.zoneDirectory, forward: options.forward, logger });

  const index = new RecordIndex({ zones: [...zones, ...REVERSE_ZONES], ttl });
  const cache = new AnswerCache(index);
  const store = new ClusterStore({ index, zones, ttl, pods, logger: logger.child({ component: 'store' }) });
  const kubernetes = new KubernetesHandler({
    index,
    cache,
    zones,
    isSynced: () => store.synced,
    pods,
    namespaceExists: (namespace) => store.namespaceExists(namespace),
    ttl,
    chaseExternal: resolver.answersOutside,
  });
  const autopath = autopathSettings(options.autopath);
  const handlers: Handler[] = [kubernetes];
  if (autopath !== null) {
    // Before kubernetes, as in CoreDNS's plugin order: it answers the walk or skips to the plain answer.
    handlers.unshift(
      new AutopathHandler({
        ...autopath,
        index,
        zones,
        isSynced: () => store.synced,
        ttl,
        namespaceOfPod: (ip) => store.podByIp(ip)?.namespace,
        onSuccess: () => server.stats.autopathSuccesses++,
        ...(resolver.answersOutside ? { resolve: (qname, qtype, from) => chain.resolve(qname, qtype, from) } : {}),
      }),
    );
  }
  const chain: Chain = new Chain([...resolver.before, ...handlers, ...resolver.after]);
  const server: DnsServer = new DnsServer({
    host: listen.host,
    port: listen.port,
    handler: chain,
    logger: logger.child({ component: 'server' }),
    tcpIdleTimeoutMs: options.tcpIdleTimeoutMs,
  });

  let address: ListenAddress;
  try {
    await options.beforeListen?.({ store, index });
    // Listen first: until the data is loaded, cluster names answer SERVFAIL rather than a false NXDOMAIN.
    address = await server.start();
  } catch (err) {
    await resolver.close();
    throw err;
  }
  logger.info({ transport: 'udp', address: formatAddress(address) }, 'listening');
  logger.info({ transport: 'tcp', address: formatAddress(address) }, 'listening');

  let source: DataSource | undefined;
  let http: HttpEndpoints | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await Promise.all([source?.close(), http?.close()]);
      await server.close();
      await resolver.close();
    })());
  try {
    source = await createDataSource({
      store,
      logger,
      manifests,
      kubernetes: options.kubernetes,
      watchPods: watchesPods(pods, options.autopath),
      fedExternally: options.fedExternally,
      manifestParseWorker: options.manifestParseWorker,
    });
    const watchStats = source.watchStats;
    http = await startHttpEndpoints({
      addresses: { health: options.health, ready: options.ready, metrics: options.metrics },
      healthy: () => true,
      ready: () => store.synced,
      metrics: { stats: server.stats, synced: () => store.synced, counts: () => store.counts, watch: watchStats },
      extendMetrics: (registry) => {
        if (resolver.forwardStats !== null) registerForwardMetrics(registry, { forward: resolver.forwardStats, cache: resolver.cache });
      },
      logger,
    });
    // After the probes are up (/health 200, /ready 503 while a big snapshot loads). A manifest is loaded when
    // this resolves; the API source returns at once (SERVFAIL for cluster names until its lists are done).
    await source.start();
  } catch (err) {
    await close();
    throw err;
  }
  const dataSource = source;
  return {
    address,
    server: formatAddress(address),
    store,
    index,
    stats: server.stats,
    http: http.addresses,
    get synced() {
      return store.synced;
    },
    whenSynced: () => dataSource.whenSynced(),
    // Never rejects: a probe that fails is no loop.
    loopCheck: (resolver.detectLoop() ?? Promise.resolve(null)).catch(() => null),
    forwardStats: resolver.forwardStats,
    cacheStats: resolver.cacheStats,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function autopathSettings(option: ClusterDnsServerOptions['autopath']): AutopathSettings | null {
  return option === undefined || option === false ? null : option === true ? {} : option;
}

/** Pods are watched for `pods verified` records, and for autopath's client → namespace map (unless one fixed path serves all). */
export function watchesPods(pods: PodsMode, autopath: ClusterDnsServerOptions['autopath']): boolean {
  const settings = autopathSettings(autopath);
  return pods === 'verified' || (settings !== null && settings.search === undefined);
}
