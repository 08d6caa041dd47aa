// `clusterdns serve --conf Corefile`: what a CoreDNS Corefile says (src/corefile/), with every flag given on
// the command line laid over it, reloaded by `reload` (polling) and at once on SIGHUP or SIGUSR1.
import { stopOnSignals } from './stop-on-signals.js';
import type { Logger } from 'pino';
import type { ServerInternalOptions } from '../cluster-dns.js';
import type { MultiCoreClusterDns } from '../workers/primary.js';
import { hostSearchDomains, readResolvConfNameservers, readResolvConfSearch } from '../config/resolv-conf.js';
import { SERVE_DEFAULTS, type ServeOptions } from '../config/serve-options.js';
import { parseCorefileFile } from '../corefile/corefile-parser.js';
import { corefileSettings, type CorefileSettings } from '../corefile/corefile-settings.js';
import { readKubeDnsConfig } from '../corefile/kube-dns-config.js';
import { ReloadableServer } from '../corefile/reloadable-server.js';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import { formatUpstream } from '../forward/upstream-address.js';
import type { AutopathSettings } from '../pipeline/autopath-handler.js';
import { parseForwardRoutes, type ForwardSettings } from '../pipeline/resolver-handlers.js';

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
      build: (settings) => serverOptions(settings, context),
      onServing: (dns, settings) => {
        logNotes(settings, logger);
        logger.info(
          {
            address: dns.server,
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
  void server.current.loopCheck.then((report) => {
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
 * --workers N > 1: the Corefile is read once and served by N workers; a reload is not applied (the workers
 * would all have to be replaced), so `reload` and SIGHUP log that a restart is needed.
 */
async function serveCorefileMultiCore(context: CorefileServeContext, resolvConf: string | undefined): Promise<void> {
  const { conf, options, logger, fail } = context;
  let dns!: MultiCoreClusterDns;
  let settings!: CorefileSettings;
  try {
    settings = corefileSettings(parseCorefileFile(conf), { resolvConf });
    const built = await serverOptions(settings, context);
    const { startMultiCore } = await import('../workers/primary.js');
    dns = await startMultiCore({ ...built, workers: options.workers, logFormat: options.logFormat, logLevel: options.logLevel });
  } catch (err) {
    const code = err instanceof ClusterDnsError ? ` [${err.code}]` : '';
    fail(`${(err as Error).message}${code}`, 1);
  }
  const notReloaded = `the Corefile is not reloaded with --workers ${options.workers}: restart to apply a change`;
  if (settings.reload) logger.warn({ file: conf }, notReloaded);
  logNotes(settings, logger);
  logger.info({ address: dns.server, conf, workers: options.workers, zones: settings.kubernetes?.zones ?? [] }, 'serving');
  void dns.loopCheck.then((report) => {
    if (report === null || report.loops.length === 0) return;
    logger.fatal({ loops: report.loops }, report.message);
    void dns.close().finally(() => fail(report.message, 1));
  });
  process.on('SIGHUP', () => logger.warn({ signal: 'SIGHUP', file: conf }, notReloaded));
  stopOnSignals(() => dns.close(), () => dns.shutdown(), logger);
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
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      // client-node refuses http:// unless skipTLSVerify is set; there is no TLS to verify then, and https:// verifies.
      clusters: [{ name: 'endpoint', server: kube.endpoint, skipTLSVerify: kube.endpoint.startsWith('http:') }],
      users: [{ name: 'anonymous' }],
      contexts: [{ name: 'endpoint', cluster: 'endpoint', user: 'anonymous' }],
      currentContext: 'endpoint',
    });
    logger.info({ source: 'endpoint', server: kube.endpoint }, 'using Kubernetes credentials');
    kubernetes = { kubeConfig, namespaces: flag('namespaces', 'namespaces', kube.namespaces) ?? [], labelSelector: flag('labels', 'labels', kube.labels) };
  } else if (kube !== null || apiFlags) {
    const { resolveKubeConfig } = await import('../kube-api/kubeconfig.js'); // loads @kubernetes/client-node
    const found = resolveKubeConfig({ kubeconfig: flag('kubeconfig', 'kubeconfig', kube?.kubeconfig), context: flag('context', 'context', kube?.context) });
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
    except: settings.forward.except,
    cacheSize: given.has('cache-size') ? options.cacheSize : cache.size,
    cacheTtl: given.has('cache-ttl') ? options.cacheTtl : cache.maxTtl,
    cacheDenialTtl: given.has('cache-ttl') ? options.cacheTtl : cache.maxDenialTtl,
    prefetchHits: cache.prefetchHits,
    prefetchPercent: cache.prefetchPercent,
    serveStale: given.has('serve-stale') ? options.serveStale : cache.serveStaleSeconds,
    detectLoops: settings.loop,
  };
  parseForwardRoutes(forward);
  return forward;
}

function configError(message: string): ClusterDnsError {
  return new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, message);
}
