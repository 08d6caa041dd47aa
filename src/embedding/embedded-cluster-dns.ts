// The embedding API (issue 5): startClusterDns from src/cluster-dns.ts plus what a test suite needs —
// declare objects, change them mid-test (apply/delete resolve once queries see the change), and resolve
// names through the server (a node:dns/promises Resolver, a dns.lookup-compatible function with a pod's
// search path). close() / Symbol.asyncDispose release the sockets and cancel the resolvers' queries.
import { Resolver } from 'node:dns/promises';
import { homedir } from 'node:os';
import {
  startClusterDnsServer as startBaseClusterDns,
  type ClusterDnsServer as BaseClusterDns,
  type ClusterDnsServerOptions as BaseClusterDnsOptions,
} from '../cluster-dns.js';
import { parseZone } from '../config/serve-options.js';
import { EmbeddingErrorCodes, embeddingError } from './errors.js';
import { createClusterLookup, type ClusterLookup, type LookupSettings } from './lookup.js';
import { deleteEvents, upsertEvents, type DeleteInput, type ObjectsInput } from './objects.js';

export interface ClusterDnsOptions extends BaseClusterDnsOptions {
  /** Objects to serve from the start (builders' output, client-node objects, Lists, arrays of them). */
  objects?: ObjectsInput;
  /** The cluster zone (shorthand for `zones: [zone]`); default 'cluster.local'. */
  zone?: string;
  /**
   * Serve a live cluster: a kubeconfig file (`~/` is expanded), or `true` for the usual lookup (in-cluster
   * service account, $KUBECONFIG, ~/.kube/config). startClusterDns resolves after the first full list.
   */
  kubeconfig?: string | true;
  /** The kubeconfig context; default its current-context. */
  context?: string;
  /** With `kubeconfig`: how long to wait for the first full list; default 30 s. */
  syncTimeoutMs?: number;
  /**
   * Server-side search-path completion (CoreDNS `autopath`). `true` here also treats the test process (no pod
   * IP) as a pod of `namespace`, so `dig`/a stub resolver walking that namespace's search path is answered
   * on its first query; pass settings for anything else (see the base option).
   */
  autopath?: BaseClusterDnsOptions['autopath'];
  /** The namespace `lookup` searches short names from (a pod's resolv.conf); default 'default'. */
  namespace?: string;
  /** `lookup`: dots from which a name is tried as given first; default 5 (as in a pod). */
  ndots?: number;
  /** `lookup`: names outside the cluster zones go to the system resolver; default true. */
  lookupFallback?: boolean;
}

export interface ResolverOptions {
  /** Per-try timeout in ms; default 1000. */
  timeout?: number;
  /** Tries per query; default 2. */
  tries?: number;
}

export interface ClusterDns extends BaseClusterDns {
  /** Add or replace objects; resolves once queries see the change. Rejects (changing nothing) on a bad object. */
  apply(objects: ObjectsInput): Promise<void>;
  /** Remove objects by `{ kind, namespace, name }` or by the object itself; resolves once queries see it. */
  delete(objects: DeleteInput): Promise<void>;
  /** A node:dns/promises Resolver that asks this server (cancelled by close()). */
  resolver(options?: ResolverOptions): Resolver;
  /** dns.lookup-compatible, searching from `options.namespace` (pass as `lookup` to http.get, net.connect…). */
  readonly lookup: ClusterLookup;
  /** A lookup function searching from another namespace (or with other search settings). */
  lookupFrom(namespace: string, settings?: Omit<LookupSettings, 'namespace'>): ClusterLookup;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

export async function startClusterDns(options: ClusterDnsOptions = {}): Promise<ClusterDns> {
  const { objects, zone, kubeconfig, context, syncTimeoutMs, namespace, ndots, lookupFallback, ...baseOptions } = options;
  // Validate before opening sockets: a bad object fails fast and leaks nothing.
  const initial = objects === undefined ? [] : upsertEvents(objects, 'objects');
  const zones = (baseOptions.zones ?? [zone ?? 'cluster.local']).map((z) => parseZone(z, 'zone'));
  if ((kubeconfig !== undefined || context !== undefined) && baseOptions.kubernetes === undefined) {
    // Loaded only when asked for: @kubernetes/client-node costs ≈ 66 MiB of RSS and ≈ 0.3 s to import, which a
    // suite serving declared objects should not pay (docs/benchmarks.md "Memory and startup").
    const { resolveKubeConfig } = await import('../kube-api/kubeconfig.js');
    const found = resolveKubeConfig({
      ...(typeof kubeconfig === 'string' ? { kubeconfig: expandHome(kubeconfig) } : {}),
      ...(context !== undefined ? { context } : {}),
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

  const assertOpen = (what: string) => {
    if (closed) throw embeddingError(EmbeddingErrorCodes.SERVER_CLOSED, `${what}: the clusterdns server was closed`);
  };

  const extension: Omit<ClusterDns, keyof BaseClusterDns> & Pick<BaseClusterDns, 'close' | typeof Symbol.asyncDispose> = {
    async apply(input: ObjectsInput): Promise<void> {
      assertOpen('apply');
      const events = upsertEvents(input, 'apply');
      // ClusterStore#apply updates the index and invalidates the compiled answers before it returns:
      // the next query sees the change.
      if (events.length > 0) base.store.apply(events);
    },
    async delete(input: DeleteInput): Promise<void> {
      assertOpen('delete');
      const events = deleteEvents(input, 'delete');
      if (events.length > 0) base.store.apply(events);
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
