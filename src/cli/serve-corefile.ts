// `clusterdns serve --conf Corefile`: what a CoreDNS Corefile says (src/corefile/), with every flag given on
// the command line laid over it, reloaded by `reload` (polling) and at once on SIGHUP or SIGUSR1.
import { stopOnSignals } from './stop-on-signals.js';
import type { Logger } from 'pino';
import type { ServerInternalOptions } from '../cluster-dns.js';
import type { MultiCoreClusterDns, MultiCoreOptions } from '../workers/primary.js';
import { hostSearchDomains, readResolvConfNameservers, readResolvConfSearch } from '../config/resolv-conf.js';
import { SERVE_DEFAULTS, type ServeOptions } from '../config/serve-options.js';
import type { CorefileSettings } from '../corefile/corefile-settings.js';
import { readKubeDnsConfig } from '../corefile/kube-dns-config.js';
import { ReloadableServer, readCorefile, reloadDelay } from '../corefile/reloadable-server.js';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import { formatUpstream } from '../forward/upstream-address.js';
import type { AutopathSettings } from '../pipeline/autopath-handler.js';
import { parseForwardRoutes, type ForwardSettings } from '../pipeline/resolver-handlers.js';
import { compactAfterInitialLoad } from '../runtime/heap-compaction.js';

export interface CorefileServeContext {
  conf: string;
  options: ServeOptions;
  /** Flags written on the command line (they override the Corefile). */
  given: Set<string>;
  logger: Logger;
  fail(message: string, exitCode: number): never;
}

export async function serveCorefile(context: CorefileServeContext): Promise<void> {
  const { conf, options, given, logger, fail } = context;
  const resolvConf = given.has('resolv-conf') ? options.resolvConf : undefined;
  if (options.workers > 1) return serveCorefileMultiCore(context, resolvConf);
  let server!: ReloadableServer;
  try {
    server = await ReloadableServer.start({
      conf,
      resolvConf,
      logger,
      build: (settings, block) => serverOptions(settings, blockContext(settings, block.main, context)),
      onServing: (dns, settings, servers) => {
        logNotes(settings, logger);
        logger.info(
          {
            address: dns.server,
            ...(settings.servers ? { servers: servers.map((block) => ({ zones: block.zones.map((zone) => zone || '.'), address: block.dns.server })) } : {}),
            conf,
            zones: settings.kubernetes?.zones ?? [],
            ...(settings.reload ? { reloadSeconds: settings.reload.intervalMs / 1000 } : {}),
          },
          'serving',
        );
      },
    });
  } catch (err) {
    const code = err instanceof ClusterDnsError ? ` [${err.code}]` : '';
    fail(`${(err as Error).message}${code}`, 1);
  }
  // CoreDNS `loop` at start: an upstream that sends our own probe back makes every outside name time out.
  void server.loopCheck.then((report) => {
    if (report === null || report.loops.length === 0) return;
    logger.fatal({ loops: report.loops }, report.message);
    void server.close().finally(() => fail(report.message, 1));
  });
  const reload = (signal: string) => {
    logger.info({ signal, file: conf }, 'reloading the Corefile');
    void server.reload(true);
  };
  process.on('SIGHUP', () => reload('SIGHUP'));
  process.on('SIGUSR1', () => reload('SIGUSR1'));
  stopOnSignals(() => server.close(), () => server.shutdown(), logger);
}

/**
 * --workers N > 1: the primary reads the Corefile and the workers serve it. A reload (`reload`, SIGHUP) reads
 * it again and, when it changed, replaces the workers one at a time with workers started with it.
 */
async function serveCorefileMultiCore(context: CorefileServeContext, resolvConf: string | undefined): Promise<void> {
  const { conf, options, logger, fail } = context;
  const multiCore = async (settings: CorefileSettings): Promise<MultiCoreOptions> => {
    const built = await serverOptions(settings, blockContext(settings, true, context));
    // Several server blocks: every worker serves them all, built as a single process builds them.
    const blocks = settings.servers && settings.servers.length > 1 ? [{ zones: settings.servers[0].zones, options: built }] : undefined;
    for (const server of settings.servers?.slice(1) ?? []) {
      blocks?.push({ zones: server.zones, options: await serverOptions(server.settings, blockContext(server.settings, false, context)) });
    }
    return { ...built, ...(blocks ? { blocks } : {}), workers: options.workers, logFormat: options.logFormat, logLevel: options.logLevel };
  };
  let dns!: MultiCoreClusterDns;
  let loaded!: ReturnType<typeof readCorefile>;
  try {
    loaded = readCorefile(conf, { resolvConf });
    const built = await multiCore(loaded.settings);
    const { startMultiCore } = await import('../workers/primary.js');
    dns = await startMultiCore(built);
  } catch (err) {
    const code = err instanceof ClusterDnsError ? ` [${err.code}]` : '';
    fail(`${(err as Error).message}${code}`, 1);
  }
  logNotes(loaded.settings, logger);
  logger.info(
    {
      address: dns.server,
      ...(loaded.settings.servers ? { servers: loaded.settings.servers.map((block) => ({ zones: block.zones.map((zone) => zone || '.'), listen: block.listen })) } : {}),
      conf,
      workers: options.workers,
      zones: loaded.settings.kubernetes?.zones ?? [],
    },
    'serving',
  );
  void dns.loopCheck.then((report) => {
    if (report === null || report.loops.length === 0) return;
    logger.fatal({ loops: report.loops }, report.message);
    void dns.close().finally(() => fail(report.message, 1));
  });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const reloadOnce = async (force: boolean) => {
    try {
      const next = readCorefile(conf, { resolvConf });
      if (!force && next.digest === loaded.digest) return;
      await dns.reconfigure(await multiCore(next.settings));
      loaded = next;
      logNotes(next.settings, logger);
      logger.info({ file: conf, workers: options.workers }, 'Corefile reloaded');
    } catch (err) {
      // coredns_reload_failed_total: the primary's own counter in the summed stats.
      dns.stats.reloadFailures++;
      logger.error(
        { file: conf, code: err instanceof ClusterDnsError ? err.code : undefined, err: (err as Error).message },
        `Corefile not reloaded, the running configuration stays: ${(err as Error).message}`,
      );
    }
  };
  const reload = (force: boolean) => (running = running.then(() => reloadOnce(force)).finally(schedule));
  const schedule = () => {
    clearTimeout(timer);
    if (loaded.settings.reload === null || dns.shuttingDown) return;
    timer = setTimeout(() => void reload(false), reloadDelay(loaded.settings.reload));
    timer.unref();
  };
  schedule();
  const onSignal = (signal: string) => {
    logger.info({ signal, file: conf }, 'reloading the Corefile');
    void reload(true);
  };
  process.on('SIGHUP', () => onSignal('SIGHUP'));
  process.on('SIGUSR1', () => onSignal('SIGUSR1'));
  stopOnSignals(
    () => {
      clearTimeout(timer);
      return dns.close();
    },
    () => {
      clearTimeout(timer);
      return dns.shutdown();
    },
    logger,
  );
}

/**
 * The command-line flags are the main block's, except --manifest: with several blocks it feeds those that
 * serve `kubernetes` (they share one data source), or the main block when none does.
 */
function blockContext(settings: CorefileSettings, main: boolean, context: CorefileServeContext): CorefileServeContext {
  const { options } = context;
  const anyKubernetes = settings.servers?.some((server) => server.settings.kubernetes !== null) ?? false;
  if (main) return anyKubernetes && settings.kubernetes === null ? { ...context, options: { ...options, manifests: [] } } : context;
  return {
    ...context,
    given: new Set(),
    options: { ...options, manifests: settings.kubernetes === null ? [] : options.manifests, kubeDnsConfig: undefined, stubDomains: [] },
  };
}

function logNotes(settings: CorefileSettings, logger: Logger): void {
  for (const note of settings.notes) {
    logger.warn({ file: note.file, line: note.line, directive: note.directive }, `${note.file}:${note.line}: ${note.directive}: accepted, not implemented: ${note.behaviour}`);
  }
}

/** One configuration: the Corefile's settings, then the flags given on the command line. */
async function serverOptions(settings: CorefileSettings, context: CorefileServeContext): Promise<ServerInternalOptions> {
  const { options, given, logger } = context;
  const flag = <K extends keyof ServeOptions>(name: string, key: K, fallback: ServeOptions[K] | undefined) => (given.has(name) ? options[key] : fallback);
  const kube = settings.kubernetes;
  const manifests = options.manifests;
  let kubernetes: ServerInternalOptions['kubernetes'];
  const apiFlags = ['kubeconfig', 'context', 'namespaces', 'labels'].some((name) => given.has(name));
  if (options.noKubernetes) {
    if (manifests.length > 0 || apiFlags) throw configError('--no-kubernetes serves no cluster data: drop --manifest, --kubeconfig, --context, --namespaces and --labels');
  } else if (manifests.length > 0) {
    if (apiFlags) throw configError('--kubeconfig, --context, --namespaces and --labels select the Kubernetes API source; drop --manifest');
  } else if (kube?.endpoint !== undefined && !given.has('kubeconfig')) {
    // CoreDNS `endpoint URL` without a kubeconfig: that API server, without credentials.
    const { loadEndpointKubeConfig } = await import('../kube-api/load-kubeconfig.js');
    const kubeConfig = await loadEndpointKubeConfig(kube.endpoint);
    logger.info({ source: 'endpoint', server: kube.endpoint }, 'using Kubernetes credentials');
    kubernetes = { kubeConfig, namespaces: flag('namespaces', 'namespaces', kube.namespaces) ?? [], labelSelector: flag('labels', 'labels', kube.labels) };
  } else if (kube !== null || apiFlags) {
    const { loadKubeConfig } = await import('../kube-api/load-kubeconfig.js'); // loads @kubernetes/client-node's KubeConfig
    const found = await loadKubeConfig({ kubeconfig: flag('kubeconfig', 'kubeconfig', kube?.kubeconfig), context: flag('context', 'context', kube?.context) });
    logger.info({ source: found.source, files: found.files, context: found.context, server: found.server }, 'using Kubernetes credentials');
    kubernetes = {
      kubeConfig: found.kubeConfig,
      namespaces: flag('namespaces', 'namespaces', kube?.namespaces) ?? [],
      labelSelector: flag('labels', 'labels', kube?.labels),
    };
  }
  const autopathSource = flag('autopath', 'autopath', settings.autopath);
  return {
    listen: flag('listen', 'listen', settings.listen),
    manifest: manifests,
    kubernetes,
    zones: flag('zone', 'zones', kube?.zones) ?? [SERVE_DEFAULTS.zone],
    ttl: flag('ttl', 'ttl', kube?.ttl),
    pods: flag('pods', 'pods', kube?.pods),
    ignoreEmptyService: kube?.ignoreEmptyService,
    noEndpoints: kube?.noEndpoints,
    endpointPodNames: given.has('endpoint-pod-names') ? options.endpointPodNames : kube?.endpointPodNames,
    // No cluster data at all (a Corefile without kubernetes): the empty cluster zones must not answer NXDOMAIN
    // for names CoreDNS would forward, so every name falls through to file and forward.
    fallthrough: kubernetes === undefined && manifests.length === 0 ? [] : kube?.fallthrough,
    health: flag('health', 'health', settings.health),
    ready: flag('ready', 'ready', settings.ready),
    metrics: flag('metrics', 'metrics', settings.metrics),
    zoneDirectory: flag('zones', 'zoneDirectory', settings.zoneDirectory),
    autopath: autopathSource === undefined ? undefined : autopathSettings(autopathSource, options.autopathNamespace),
    forward: forwardSettings(settings, context),
    hosts: settings.hosts,
    // CoreDNS `health { lameduck D }`: without it, CoreDNS stops at once on SIGTERM; --lameduck overrides.
    lameduckMs: given.has('lameduck') ? options.lameduckMs : (settings.lameduckSeconds ?? 0) * 1000,
    logQueries: given.has('log-queries') ? options.logQueries : settings.log === true,
    loadbalance: given.has('loadbalance') ? options.loadbalance : settings.loadbalance,
    // --allow-from replaces the Corefile's acl rules.
    acl: given.has('allow-from') ? options.acl : settings.acl,
    tcpMaxConnections: options.tcpMaxConnections,
    tcpIdleTimeoutMs: options.tcpIdleTimeoutMs,
    tcpMaxInFlightPerConnection: options.tcpMaxInFlight,
    logger,
    // One full GC releases what the first load left behind, before /ready turns 200 (once per process).
    onInitialLoad: () => compactAfterInitialLoad(logger),
  };
}

function autopathSettings(source: string, namespace: string | undefined): AutopathSettings {
  if (source === '@kubernetes') return { hostSearch: hostSearchDomains(), ...(namespace === undefined ? {} : { defaultNamespace: namespace }) };
  const search = readResolvConfSearch(source, 'autopath');
  if (search.length === 0) throw configError(`autopath: ${source} has no search line`);
  return { search };
}

/**
 * Upstreams: --upstream, else the kube-dns ConfigMap's upstreamNameservers, else the Corefile's `forward .`
 * (whose /etc/resolv.conf is --resolv-conf when given). Stub domains add up from all three.
 */
function forwardSettings(settings: CorefileSettings, { options, given }: CorefileServeContext): ForwardSettings | undefined {
  const kubeDns = options.kubeDnsConfig === undefined ? { upstreams: [], stubDomains: [] } : readKubeDnsConfig(options.kubeDnsConfig);
  let upstreams = settings.forward.upstreams;
  if (kubeDns.upstreams.length > 0) upstreams = kubeDns.upstreams;
  if (given.has('upstream')) upstreams = options.upstreams;
  else if (given.has('resolv-conf') && settings.forward.upstreams.length === 0 && kubeDns.upstreams.length === 0) {
    upstreams = readResolvConfNameservers(options.resolvConf).map(formatUpstream);
  }
  const stubDomains = [...settings.forward.stubDomains, ...kubeDns.stubDomains, ...options.stubDomains];
  if (upstreams.length === 0 && stubDomains.length === 0) return undefined;
  const cache = settings.cache;
  const forward: ForwardSettings = {
    upstreams,
    stubDomains,
    policy: settings.forward.policy,
    maxConcurrent: given.has('max-concurrent') ? options.maxConcurrent : settings.forward.maxConcurrent,
    healthCheckMs: settings.forward.healthCheckMs,
    forceTcp: settings.forward.forceTcp,
    expireMs: given.has('forward-expire') ? options.forwardExpireMs : settings.forward.expireMs,
    except: settings.forward.except,
    cacheSize: given.has('cache-size') ? options.cacheSize : cache.size,
    cacheTtl: given.has('cache-ttl') ? options.cacheTtl : cache.maxTtl,
    cacheDenialTtl: given.has('cache-ttl') ? options.cacheTtl : cache.maxDenialTtl,
    prefetchHits: cache.prefetchHits,
    prefetchPercent: cache.prefetchPercent,
    prefetchWindowMs: cache.prefetchWindowMs,
    cacheMinTtl: cache.minTtl,
    cacheMinDenialTtl: cache.minDenialTtl,
    serveStale: given.has('serve-stale') ? options.serveStale : cache.serveStaleSeconds,
    detectLoops: settings.loop,
  };
  parseForwardRoutes(forward);
  return forward;
}

function configError(message: string): ClusterDnsError {
  return new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, message);
}
