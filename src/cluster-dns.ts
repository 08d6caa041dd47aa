// The single-process composition root: the record index, the cluster store, the data source, the handler
// chain, the listeners and the HTTP endpoints (docs/architecture.md "Layers"). The CLI, a multi-core worker and
// the embedding API (src/embedding/) start a server through startClusterDnsServer.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ClusterDnsError, ErrorCodes } from './errors.js';
import { ClusterStore } from './cluster/cluster-store.js';
import { TimeSlicer } from './runtime/time-slicer.js';
import type { PodsMode } from './cluster/objects.js';
import type { TrimOptions } from './cluster/trim.js';
import { REVERSE_ZONES } from './cluster/record-builder.js';
import { normalizeName } from './wire/name.js';
import { silentLogger } from './log/logger.js';
import { formatAddress, parseListen, parseTtl, parseZone, type ListenAddress } from './config/serve-options.js';
import { Chain } from './pipeline/chain.js';
import { AutopathHandler, type AutopathSettings } from './pipeline/autopath-handler.js';
import type { Handler } from './pipeline/handler.js';
import { KubernetesHandler } from './pipeline/kubernetes-handler.js';
import { HostsHandler, type HostsSettings } from './pipeline/hosts-handler.js';
import { AnswerCache } from './records/answer-cache.js';
import { RecordIndex } from './records/record-index.js';
import { DnsServer } from './server/dns-server.js';
import { createServerStats } from './server/server-stats.js';
import { AclHandler, type AclRule } from './acl/access-control.js';
import { queryLogFor } from './log/query-log.js';
import { DEFAULT_LAMEDUCK_MS, lameduck } from './runtime/lameduck.js';
import { registerForwardMetrics } from './http/forward-metrics.js';
import { startHttpEndpoints, type HttpEndpoints } from './http/http-endpoints.js';
import type { ServerStats } from './server/server-stats.js';
import { createDataSource, type DataSource, type KubernetesSourceSettings } from './sources/data-source.js';
import type { CacheStats } from './cache/cache-stats.js';
import type { ForwardStats } from './forward/forward-stats.js';
import type { LoopReport } from './forward/loop-detection.js';
import { createResolverHandlers, parseForwardRoutes, type ForwardSettings } from './pipeline/resolver-handlers.js';
import { Explainer, type ExplainOptions } from './explain/explainer.js';
import { EXPLAIN_REQUEST } from './explain/explain-request.js';
import type { Explanation } from './explain/explanation.js';
import { formatUpstream } from './forward/upstream-address.js';

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
  /** CoreDNS kubernetes `ignore empty_service`: a ClusterIP Service without ready endpoints is NXDOMAIN; default false. */
  ignoreEmptyService?: boolean;
  /** CoreDNS kubernetes `noendpoints`: no endpoint records, headless Services and endpoint names NXDOMAIN; default false. */
  noEndpoints?: boolean;
  /**
   * CoreDNS kubernetes `endpoint_pod_names`: an endpoint without a hostname is named by its Pod (the targetRef of
   * kind Pod) instead of its dashed IP, in A/AAAA, SRV targets and PTR; default false.
   */
  endpointPodNames?: boolean;
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
  /** Queries one TCP connection may have unanswered at once (RFC 7766 6.2.1.1); default 128. */
  tcpMaxInFlightPerConnection?: number;
  /**
   * Open TCP connections at most (RFC 7766 6.2.3); past it the one idle longest is closed, or the newcomer when
   * every one is busy; default 10,000.
   */
  tcpMaxConnections?: number;
  /**
   * CoreDNS `acl`: rules checked before every query (allowFromRules() builds `--allow-from`'s); off (everyone is
   * answered) unless given.
   */
  acl?: AclRule[];
  /** A directory of RFC 1035 zone files (`<origin>.db`) served authoritatively (CoreDNS `file`); off unless given. */
  zoneDirectory?: string;
  /**
   * CoreDNS kubernetes `fallthrough [ZONES]`: NXDOMAIN for a name in these zones ([] = all) goes on to the zone
   * files and forwarding instead of being answered; off unless given.
   */
  fallthrough?: string[];
  /** CoreDNS `hosts`: names and addresses answered before the cluster's (A, AAAA, PTR); off unless given. */
  hosts?: HostsSettings;
  /** Forward every name outside the served zones, with a cache (CoreDNS `forward`, `cache`, `loop`); off unless given. */
  forward?: ForwardSettings;
  /**
   * CoreDNS `health { lameduck D }`: how long shutdown() keeps answering after /ready turned 503, so the
   * Service's endpoints drop this instance before it stops; default 5000 ms. close() does not wait.
   */
  lameduckMs?: number;
  /** CoreDNS `log`: a line per query in CoreDNS's common log format, at info level; default off. */
  logQueries?: boolean;
  /** CoreDNS `loadbalance`: rotate the order of A and AAAA records per reply; default off. */
  loadbalance?: boolean;
  /**
   * GET /explain on the metrics listener answers clients from any address, not only loopback (it names the
   * cluster's objects, so it is loopback-only unless asked); default false.
   */
  explainFromAnywhere?: boolean;
}

/** After the lameduck, how long TCP connections and forwarded queries in flight may take to finish. */
const DRAIN_TIMEOUT_MS = 5000;

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
   * Runs once, when the first full load is in and before the server reports synced (/ready 200, cluster
   * names answered): the CLI's post-load heap compaction, so that its pause falls before readiness.
   */
  onInitialLoad?: () => void;
  /**
   * Serve through a DnsServer the caller owns and keeps across Corefile reloads (src/corefile/): it is
   * started here when not yet listening and never closed here; `adopt` receives this server's chain, which
   * the caller swaps in behind the listener when it chooses.
   */
  sharedListener?: { server: DnsServer; adopt: (chain: Handler) => void };
  /** `explain` cannot forward here (the CLI answering without a running server): it says what a server would do. */
  explainOffline?: boolean;
  /** Filled in at start: close and reopen the HTTP endpoints (a reload frees their ports for the next configuration). */
  httpControl?: { close?: () => Promise<void>; reopen?: () => Promise<void> };
  /** Where CoreDNS `log` lines go, when not `logger` (a multi-core worker logs only warnings otherwise). */
  queryLogger?: Logger;
  /** More metrics on the /metrics registry (the reload counters). */
  extendMetrics?: (registry: Registry) => void;
  /** coredns_build_info{version} (the CLI passes the package's). */
  version?: string;
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
  /** coredns_cache_entries now, when the cache is on (a multi-core worker reports it to the primary). */
  cacheEntries(): { success: number; denial: number } | null;
  /** True from shutdown() on. */
  readonly shuttingDown: boolean;
  /**
   * Why `name` answers what it answers (docs/explain.md): the server's own answer for `type` (default A), each
   * record with its object and spec rule, and the reasons behind a negative answer. Rejects with a
   * ClusterDnsError for a name or type that cannot be asked, or an unknown `fromPod`.
   */
  explain(name: string, type?: string | number, options?: ExplainOptions): Promise<Explanation>;
  /**
   * Stop gracefully, as CoreDNS on SIGTERM: /ready answers 503 at once, queries are answered for `lameduckMs`,
   * then listeners stop taking queries, those in flight finish (TCP connections end once answered), and all
   * closes. close() during it cuts it short.
   */
  shutdown(): Promise<void>;
  /**
   * A multi-core worker replaced by a worker with a new configuration: no lameduck, TCP drains, and datagrams
   * read from the shared UDP socket are still answered until the server closes.
   */
  handOver(): Promise<void>;
  /** Stop now: every socket and timer is released. */
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

async function indexDeferredAddresses(store: ClusterStore, stopped: () => boolean): Promise<void> {
  const slicer = new TimeSlicer(2);
  while (!stopped() && !store.indexDeferredAddresses(() => !slicer.due)) await slicer.pause();
}

export async function startClusterDnsServer(options: ServerInternalOptions = {}): Promise<ClusterDnsServer> {
  const logger = options.logger ?? silentLogger();
  // Validated before any socket opens: a bad option leaves nothing to clean up.
  const { zones, ttl, pods, listen, manifests } = resolveServingOptions(options);
  // A bad upstream fails here, before any socket opens; explain names the routes.
  const forwardRoutes = options.forward ? parseForwardRoutes(options.forward) : [];
  // Zone files load before the listeners bind: a broken one fails the start (file:line:column).
  const resolver = await createResolverHandlers({ zoneDirectory: options.zoneDirectory, forward: options.forward, logger });

  const index = new RecordIndex({ zones: [...zones, ...REVERSE_ZONES], ttl });
  const cache = new AnswerCache(index);
  const store = new ClusterStore({
    index,
    zones,
    ttl,
    pods,
    ignoreEmptyService: options.ignoreEmptyService,
    noEndpoints: options.noEndpoints,
    logger: logger.child({ component: 'store' }),
    beforeSynced: options.onInitialLoad,
    publishOnFirstAsk: true,
  });
  const kubernetes = new KubernetesHandler({
    index,
    cache,
    zones,
    isSynced: () => store.synced,
    pods,
    namespaceExists: (namespace) => store.namespaceExists(namespace),
    ttl,
    chaseExternal: resolver.answersOutside,
    fallthrough: options.fallthrough?.map((zone) => normalizeName(zone)),
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
  // After autopath, before kubernetes, as in CoreDNS's plugin order.
  const hosts = options.hosts ? new HostsHandler(options.hosts, { logger: logger.child({ component: 'hosts' }) }) : null;
  if (hosts) handlers.splice(handlers.indexOf(kubernetes), 0, hosts);
  const chain: Chain = new Chain([...resolver.before, ...handlers, ...resolver.after]);
  const explainer = new Explainer({
    store,
    resolve: (qname, qtype) => chain.resolve(qname, qtype, EXPLAIN_REQUEST),
    indexZone: (name) => index.findZone(name),
    indexHas: (name) => index.exists(name),
    indexZones: [...zones, ...REVERSE_ZONES],
    settings: {
      forwardRoutes: forwardRoutes.map((route) => ({ domain: route.domain, upstreams: route.upstreams.map(formatUpstream) })),
      zoneFiles: () => (resolver.zones?.zones ?? []).map((zone) => ({ origin: zone.origin, file: zone.files[0] ?? zone.origin })),
      offline: options.explainOffline === true,
      hostSearch: autopath?.hostSearch ?? [],
    },
  });
  const shared = options.sharedListener;
  // The listener's counters: a shared listener's outlive each configuration behind it.
  const stats = shared?.server.stats ?? createServerStats();
  // CoreDNS `acl` decides before any other handler, for every query (cluster, zone files, forwarded names).
  const front: Handler = options.acl && options.acl.length > 0 ? new AclHandler(options.acl, chain, stats.acl) : chain;
  const server: DnsServer =
    shared?.server ??
    new DnsServer({
      host: listen.host,
      port: listen.port,
      handler: front,
      stats,
      logger: logger.child({ component: 'server' }),
      tcpIdleTimeoutMs: options.tcpIdleTimeoutMs,
      tcpMaxInFlightPerConnection: options.tcpMaxInFlightPerConnection,
      tcpMaxConnections: options.tcpMaxConnections,
      queryLog: options.logQueries ? queryLogFor(options.queryLogger ?? logger) : null,
      loadbalance: options.loadbalance,
    });
  shared?.adopt(front);

  let address: ListenAddress;
  try {
    await options.beforeListen?.({ store, index });
    // Listen first: until the data is loaded, cluster names answer SERVFAIL rather than a false NXDOMAIN.
    address = await server.start();
  } catch (err) {
    hosts?.close();
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
      if (!shared) await server.close();
      hosts?.close();
      await resolver.close();
    })());
  let shuttingDown: Promise<void> | undefined;
  const lameduckMs = options.lameduckMs ?? DEFAULT_LAMEDUCK_MS;
  const shutdown = () =>
    (shuttingDown ??= (async () => {
      await lameduck(logger, lameduckMs);
      await server.drain(DRAIN_TIMEOUT_MS);
      await close();
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
      trim: trimOptions(options),
    });
    const watchStats = source.watchStats;
    const programming = source.programmingLatency;
    const startHttp = () => startHttpEndpoints({
      addresses: { health: options.health, ready: options.ready, metrics: options.metrics },
      healthy: () => true,
      unready: () => (shuttingDown ? 'shutting down' : store.synced ? null : 'not synced with the cluster yet'),
      metrics: { stats: server.stats, synced: () => store.synced, counts: () => store.counts, watch: watchStats, programming },
      explain: { explain: (name, type, fromPod) => explainer.explain(name, type, fromPod === undefined ? {} : { fromPod }), fromAnywhere: options.explainFromAnywhere === true },
      build: { version: options.version ?? 'unknown', revision: '' },
      extendMetrics: (registry) => {
        if (resolver.forwardStats !== null) registerForwardMetrics(registry, { forward: resolver.forwardStats, cache: resolver.cache });
        options.extendMetrics?.(registry);
      },
      logger,
    });
    http = await startHttp();
    if (options.httpControl) {
      options.httpControl.close = async () => {
        await http?.close();
      };
      options.httpControl.reopen = async () => {
        http = await startHttp();
      };
    }
    // After the probes are up (/health 200, /ready 503 while a big snapshot loads). A manifest is loaded when
    // this resolves; the API source returns at once (SERVFAIL for cluster names until its lists are done).
    await source.start();
  } catch (err) {
    await close();
    throw err;
  }
  const dataSource = source;
  // The addresses of the Services deferred by the first load, for reverse names: indexed once synced, in slices
  // of a couple of milliseconds between queries, so that neither the start nor an answer waits on them.
  void dataSource.whenSynced().then(
    () => indexDeferredAddresses(store, () => closing !== undefined),
    () => {},
  );
  return {
    address,
    server: formatAddress(address),
    store,
    index,
    stats: server.stats,
    get http() {
      return http?.addresses ?? {};
    },
    get synced() {
      return store.synced;
    },
    whenSynced: () => dataSource.whenSynced(),
    // Never rejects: a probe that fails is no loop.
    loopCheck: (resolver.detectLoop() ?? Promise.resolve(null)).catch(() => null),
    forwardStats: resolver.forwardStats,
    cacheStats: resolver.cacheStats,
    cacheEntries: () => resolver.cache?.countByKind() ?? null,
    get shuttingDown() {
      return shuttingDown !== undefined;
    },
    explain: (name, type, explainOptions) => explainer.explain(name, type, explainOptions),
    shutdown,
    handOver: () =>
      (shuttingDown ??= (async () => {
        await server.drain(DRAIN_TIMEOUT_MS, { keepAnsweringUdp: true });
        await close();
      })()),
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

/** What trimmed objects keep beyond the default: each endpoint's Pod name with `endpointPodNames`. */
export function trimOptions(options: Pick<ClusterDnsServerOptions, 'endpointPodNames'>): TrimOptions | undefined {
  return options.endpointPodNames === true ? { podNames: true } : undefined;
}
