// The embedding API: the server of src/cluster-dns.ts plus what a test suite needs —
// declare objects, change them mid-test (apply/delete resolve once queries see the change), and resolve
// names through the server (a node:dns/promises Resolver, a dns.lookup-compatible function with a pod's
// search path). close() / Symbol.asyncDispose release the sockets and cancel the resolvers' queries.
import { Resolver } from 'node:dns/promises';
import { homedir } from 'node:os';
import type { Logger } from 'pino';
import {
  startClusterDnsServer as startBaseClusterDns,
  trimOptions,
  type ClusterDnsServer as BaseClusterDns,
  type ClusterDnsServerOptions as BaseClusterDnsOptions,
} from '../cluster-dns.js';
import { parseZone, type ListenAddress } from '../config/serve-options.js';
import type { ClusterEvent, PodsMode } from '../cluster/objects.js';
import type { ClusterStore } from '../cluster/cluster-store.js';
import type { AutopathSettings } from '../pipeline/autopath-handler.js';
import type { RecordIndex } from '../records/record-index.js';
import type { ServerStats } from '../server/server-stats.js';
import type { ExplainOptions } from '../explain/explainer.js';
import type { Explanation } from '../explain/explanation.js';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import { EmbeddingErrorCodes, embeddingError } from './errors.js';
import { createClusterLookup, type ClusterLookup, type LookupSettings } from './lookup.js';
import { deleteEvents, upsertEvents, type DeleteInput, type ObjectsInput } from './objects.js';

/**
 * What a user sets. Declared here in full, not derived from the server's options: the published types must
 * not reach @kubernetes/client-node's (the server takes a KubeConfig; users give a path).
 */
export interface ClusterDnsOptions {
  /** Objects to serve from the start (builders' output, client-node objects, Lists, arrays of them). */
  objects?: ObjectsInput;
  /** Snapshot file(s) as `kubectl get -A -o yaml|json` prints them; watched for changes. */
  manifest?: string | string[];
  /**
   * Serve a live cluster: a kubeconfig file (`~/` is expanded), or `true` for the usual lookup (in-cluster
   * service account, $KUBECONFIG, ~/.kube/config). startClusterDns resolves after the first full list.
   */
  kubeconfig?: string | true;
  /** The kubeconfig context; default its current-context. */
  context?: string;
  /** With `kubeconfig`: how long to wait for the first full list; default 30 s. */
  syncTimeoutMs?: number;
  /** `HOST:PORT` or `{ host, port }`; default 127.0.0.1:0 (a free port). */
  listen?: string | ListenAddress;
  /** The cluster zone (shorthand for `zones: [zone]`); default 'cluster.local'. */
  zone?: string;
  /** Cluster zones; default ['cluster.local']. */
  zones?: string[];
  /** TTL of every answer in seconds (0..3600); default 5. */
  ttl?: number;
  /** Pod records (CoreDNS `pods`); default 'verified'. */
  pods?: PodsMode;
  /**
   * CoreDNS `endpoint_pod_names`: an endpoint without a hostname is named by its Pod (its `targetRef`)
   * instead of its dashed IP; default false.
   */
  endpointPodNames?: boolean;
  /**
   * Server-side search-path completion (CoreDNS `autopath`). `true` answers a stub resolver walking a
   * pod's search path on its first query, and treats the test process (no pod IP) as a pod of `namespace`;
   * settings choose host search domains, a namespace for clients that are no pod, or one fixed list.
   */
  autopath?: boolean | AutopathSettings;
  /** The namespace `lookup` searches short names from (a pod's resolv.conf); default 'default'. */
  namespace?: string;
  /** `lookup`: dots from which a name is tried as given first; default 5 (as in a pod). */
  ndots?: number;
  /** `lookup`: names outside the cluster zones go to the system resolver; default true. */
  lookupFallback?: boolean;
  /** A pino logger; default silent. */
  logger?: Logger;
  /** HTTP `/health` (CoreDNS `health`); off unless given. */
  health?: string | ListenAddress;
  /** HTTP `/ready`, 503 until synced (CoreDNS `ready`); off unless given. */
  ready?: string | ListenAddress;
  /** HTTP `/metrics` in Prometheus format (CoreDNS `prometheus`); off unless given. */
  metrics?: string | ListenAddress;
  /** TCP idle timeout (RFC 7766 6.2.3); default 10 s. */
  tcpIdleTimeoutMs?: number;
}

export interface ResolverOptions {
  /** Per-try timeout in ms; default 1000. */
  timeout?: number;
  /** Tries per query; default 2. */
  tries?: number;
}

export interface ClusterDns {
  /** The address the server listens on (UDP and TCP). */
  readonly address: ListenAddress;
  /** `host:port`, ready for dns.Resolver#setServers. */
  readonly server: string;
  /** Bound HTTP endpoints, for those that were asked for. */
  readonly http: { health?: ListenAddress; ready?: ListenAddress; metrics?: ListenAddress };
  /** Counters of the DNS server (queries, responses by rcode, dropped packets…), for assertions. */
  readonly stats: ServerStats;
  /** The cluster state and the records served, for advanced assertions. */
  readonly store: ClusterStore;
  readonly index: RecordIndex;
  /** True once every source finished its first full load. */
  readonly synced: boolean;
  /** Resolves once synced (at once unless `kubeconfig` is used, and startClusterDns waits for that too). */
  whenSynced(): Promise<void>;
  /** Add or replace objects; resolves once queries see the change. Rejects (changing nothing) on a bad object. */
  apply(objects: ObjectsInput): Promise<void>;
  /** Remove objects by `{ kind, namespace, name }` or by the object itself; resolves once queries see it. */
  delete(objects: DeleteInput): Promise<void>;
  /**
   * Serve exactly `objects` from now on (everything else is removed); resolves once queries see it. Rejects
   * (changing nothing) on a bad object. Keeps the server, its port and every `lookup`/`resolver()`.
   */
  replaceAll(objects: ObjectsInput): Promise<void>;
  /** Serve the `objects` given to startClusterDns again: `replaceAll(options.objects ?? [])`. */
  reset(): Promise<void>;
  /**
   * Why `name` answers what it answers (docs/explain.md): the server's own answer for `type` (default 'A'),
   * each record with the object that made it and the spec rule, and for NXDOMAIN/NODATA the reasons, with
   * stable codes. `{ fromPod: 'ns/name' }` walks that pod's search path. Rejects on a bad name or type.
   */
  explain(name: string, type?: string | number, options?: ExplainOptions): Promise<Explanation>;
  /** A node:dns/promises Resolver that asks this server (cancelled by close()). */
  resolver(options?: ResolverOptions): Resolver;
  /** dns.lookup-compatible, searching from `options.namespace` (pass as `lookup` to http.get, net.connect…). */
  readonly lookup: ClusterLookup;
  /** A lookup function searching from another namespace (or with other search settings). */
  lookupFrom(namespace: string, settings?: Omit<LookupSettings, 'namespace'>): ClusterLookup;
  /** Close the sockets, cancel pending resolver queries, stop watches. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

export async function startClusterDns(options: ClusterDnsOptions = {}): Promise<ClusterDns> {
  const { objects, zone, kubeconfig, context, syncTimeoutMs, namespace, ndots, lookupFallback, ...publicBase } = options;
  const baseOptions: BaseClusterDnsOptions = publicBase;
  // Validate before opening sockets: a bad object fails fast and leaks nothing.
  const initial = objects === undefined ? [] : upsertEvents(objects, 'objects', trimOptions(options));
  const zones = (baseOptions.zones ?? [zone ?? 'cluster.local']).map((z) => parseZone(z, 'zone'));
  if (kubeconfig !== undefined || context !== undefined) {
    // Loaded only when asked for: @kubernetes/client-node costs ≈ 66 MiB of RSS and ≈ 0.3 s to import, which a
    // suite serving declared objects should not pay (docs/benchmarks.md "Memory and startup").
    const { resolveKubeConfig } = await import('../kube-api/kubeconfig.js').catch((err: Error) => {
      // The CommonJS build requires the ESM-only client-node here; a loader that cannot (Jest's default
      // CommonJS mode) fails with a bare SyntaxError, so say what it means.
      throw new ClusterDnsError(
        ErrorCodes.KUBE_CONFIG,
        `startClusterDns option kubeconfig: cannot load @kubernetes/client-node, an ES module (${err.message}); ` +
          "under Jest's default CommonJS mode run Jest with --experimental-vm-modules to use kubeconfig",
        { cause: err },
      );
    });
    const found = resolveKubeConfig({
      ...(typeof kubeconfig === 'string' ? { kubeconfig: expandHome(kubeconfig) } : {}),
      ...(context !== undefined ? { context } : {}),
      // Errors name this function's options, not the CLI's flags.
      names: { kubeconfig: 'startClusterDns option kubeconfig', context: 'startClusterDns option context' },
    });
    baseOptions.kubernetes = { kubeConfig: found.kubeConfig };
  }
  if (baseOptions.autopath === true) baseOptions.autopath = { defaultNamespace: namespace ?? 'default' };
  const base = await startBaseClusterDns({ ...baseOptions, zones });

  let closed = false;
  const resolvers = new Set<WeakRef<Resolver>>();
  const newResolver = (resolverOptions: ResolverOptions = {}): Resolver => {
    if (closed) throw embeddingError(EmbeddingErrorCodes.SERVER_CLOSED, 'resolver(): the clusterdns server was closed');
    const resolver = new Resolver({ timeout: resolverOptions.timeout ?? 1000, tries: resolverOptions.tries ?? 2 });
    resolver.setServers([base.server]);
    for (const ref of resolvers) if (ref.deref() === undefined) resolvers.delete(ref);
    resolvers.add(new WeakRef(resolver));
    return resolver;
  };
  const internal = newResolver();
  const lookupContext = { resolver: internal, zones, isClosed: () => closed };
  const defaults: LookupSettings = { namespace: namespace ?? 'default' };
  if (ndots !== undefined) defaults.ndots = ndots;
  if (lookupFallback !== undefined) defaults.fallback = lookupFallback;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      closed = true;
      // Pending queries end now (ECANCELLED) instead of waiting for their timeouts.
      for (const ref of resolvers) ref.deref()?.cancel();
      resolvers.clear();
      await base.close();
    })());

  try {
    if (baseOptions.kubernetes !== undefined) await waitForSync(base, syncTimeoutMs ?? 30_000);
    if (initial.length > 0) base.store.apply(initial);
  } catch (err) {
    await close();
    throw err;
  }

  // ClusterStore#replaceAll publishes only what differs, so a reset between tests costs what changed.
  const replaceWith = (events: readonly ClusterEvent[]) =>
    base.store.replaceAll(events.flatMap((event) => (event.type === 'upsert' ? [event.object] : [])));

  const assertOpen = (what: string) => {
    if (closed) throw embeddingError(EmbeddingErrorCodes.SERVER_CLOSED, `${what}: the clusterdns server was closed`);
  };

  const extension: Omit<ClusterDns, keyof BaseClusterDns> & Pick<BaseClusterDns, 'close' | typeof Symbol.asyncDispose> = {
    async apply(input: ObjectsInput): Promise<void> {
      assertOpen('apply');
      const events = upsertEvents(input, 'apply', trimOptions(options));
      // ClusterStore#apply updates the index and invalidates the compiled answers before it returns:
      // the next query sees the change.
      if (events.length > 0) base.store.apply(events);
    },
    async delete(input: DeleteInput): Promise<void> {
      assertOpen('delete');
      const events = deleteEvents(input, 'delete');
      if (events.length > 0) base.store.apply(events);
    },
    async replaceAll(input: ObjectsInput): Promise<void> {
      assertOpen('replaceAll');
      replaceWith(upsertEvents(input, 'replaceAll', trimOptions(options)));
    },
    async reset(): Promise<void> {
      assertOpen('reset');
      replaceWith(initial);
    },
    resolver: newResolver,
    lookup: createClusterLookup(lookupContext, defaults),
    lookupFrom(ns: string, settings: Omit<LookupSettings, 'namespace'> = {}): ClusterLookup {
      return createClusterLookup(lookupContext, { ...defaults, ...settings, namespace: ns });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  // Keep every property of the base (getters such as `synced` included), then add or override ours.
  const dns = Object.defineProperties({}, Object.getOwnPropertyDescriptors(base));
  return Object.defineProperties(dns, Object.getOwnPropertyDescriptors(extension)) as ClusterDns;
}

async function waitForSync(base: BaseClusterDns, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          embeddingError(
            EmbeddingErrorCodes.KUBE_SYNC_TIMEOUT,
            `the Kubernetes API did not deliver a full list within ${timeoutMs} ms (is the cluster reachable?)`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([base.whenSynced(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
