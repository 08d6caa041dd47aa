#!/usr/bin/env node
// The `clusterdns` command. Exit codes: 0 after SIGINT/SIGTERM, 1 when the server cannot start (a manifest
// that cannot be loaded, an address in use), 2 for a bad command line.
import { stopOnSignals } from './stop-on-signals.js';
import { releaseStartUpSignals } from './early-signals.js';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startClusterDnsServer, type ServerInternalOptions } from '../cluster-dns.js';
import { hostSearchDomains, readResolvConfNameservers, readResolvConfSearch } from '../config/resolv-conf.js';
import { formatUpstream } from '../forward/upstream-address.js';
import { parseForwardRoutes, type ForwardSettings } from '../pipeline/resolver-handlers.js';
import { SERVE_DEFAULTS, givenFlags, normalizeConfFlag, parseServeArgs, type ServeOptions } from '../config/serve-options.js';
import { readKubeDnsConfig } from '../corefile/kube-dns-config.js';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { AutopathSettings } from '../pipeline/autopath-handler.js';
import { createLogger } from '../log/logger.js';
import type { Logger } from 'pino';
import { compactAfterInitialLoad } from '../runtime/heap-compaction.js';

const USAGE = `Usage: clusterdns serve [flags]
       clusterdns explain NAME [TYPE] (--manifest FILE | --kubeconfig FILE | --server URL) [flags]
       clusterdns --help | --version

Serve Kubernetes cluster DNS (DNS-Based Service Discovery spec 1.1.0) over UDP and TCP.

Flags of serve:
  --conf FILE           serve what a CoreDNS Corefile says (also -conf FILE); flags given beside it override
                        it; reloaded by its \`reload\` directive and on SIGHUP (docs/corefile.md)
  --kube-dns-config DIR the kube-dns ConfigMap's stubDomains and upstreamNameservers files (JSON)
  --manifest FILE       cluster snapshot as \`kubectl get svc,endpointslices,pods,namespaces -A -o yaml\`
                        prints it (YAML or JSON); repeatable; reloaded when the file changes
  --kubeconfig FILE     Kubernetes credentials when no --manifest is given (default: the in-cluster
                        service account, else $KUBECONFIG, else ~/.kube/config)
  --context NAME        kubeconfig context (default: its current-context)
  --namespaces A,B      only these namespaces (repeatable or comma-separated; default: all)
  --labels SELECTOR     only Services, EndpointSlices and Pods matching this label selector
  --listen HOST:PORT    UDP and TCP address (default ${SERVE_DEFAULTS.listen}; port 0 picks a free port)
  --zone NAME           cluster domain; repeatable (default ${SERVE_DEFAULTS.zone})
  --ttl SECONDS         TTL of every answer, 0..3600 (default ${SERVE_DEFAULTS.ttl})
  --pods MODE           pod records: disabled, insecure or verified (default ${SERVE_DEFAULTS.pods})
  --endpoint-pod-names  name an endpoint without a hostname by its pod (the endpoint's targetRef) instead of
                        its dashed IP (CoreDNS kubernetes endpoint_pod_names; default off)
  --autopath SOURCE     server-side search-path completion (CoreDNS autopath): @kubernetes for each pod's
                        own search path (found by client IP, then /etc/resolv.conf's search domains), or a
                        resolv.conf file whose search line is used for every client; default off
  --autopath-namespace NS  with @kubernetes: clients that are no pod search from this namespace
  --health HOST:PORT    serve GET /health there (CoreDNS health; in a cluster 0.0.0.0:8080); default off
  --ready HOST:PORT     serve GET /ready there, 503 until synced (CoreDNS ready; 0.0.0.0:8181); default off
  --metrics HOST:PORT   serve GET /metrics there (CoreDNS prometheus; 0.0.0.0:9153), and GET /explain
                        (docs/explain.md) to loopback clients; default off
  --explain-from-anywhere  GET /explain answers clients that are not on loopback too (it names objects)
  --lameduck DURATION   on SIGTERM, keep answering this long after /ready turned 503, then drain TCP and
                        exit 0 (CoreDNS health lameduck; default ${SERVE_DEFAULTS.lameduck}; e.g. 500ms, 0 for none)
  --log-queries         log every query in CoreDNS's common log format (CoreDNS log; default off)
  --loadbalance         rotate the order of A and AAAA records in each reply (CoreDNS loadbalance; default off)
  --log-format FORMAT   json or pretty (default ${SERVE_DEFAULTS.logFormat})
  --log-level LEVEL     trace, debug, info, warn, error, fatal or silent (default ${SERVE_DEFAULTS.logLevel})
  --workers N|auto      serving processes sharing the UDP and TCP sockets: 1 (default) is this process alone;
                        more, or auto (one per core), makes it a primary that loads the data once and feeds
                        N node:cluster workers
  --no-kubernetes       serve no cluster data (neither a manifest nor the API): zone files and forwarding only

Who is answered, and TCP limits (RFC 7766):
  --allow-from CIDR     answer only sources in these prefixes (CoreDNS acl; repeatable or comma-separated;
                        IPv4 and IPv6, e.g. 10.0.0.0/8,fd00::/8); every query counts, forwarded or not.
                        Default off: every source is answered. Use it whenever the address is reachable
                        from outside the cluster, so clusterdns is no open resolver
  --deny-action ACTION  what other sources get: block (REFUSED, default), filter (empty NOERROR) or drop
                        (no reply)
  --tcp-max-conns N     open TCP connections at most; past it the longest-idle one is closed, or the new
                        one when all are busy (default ${SERVE_DEFAULTS.tcpMaxConns}; per worker with --workers)
  --tcp-idle-timeout DURATION  close a TCP connection idle this long (default ${SERVE_DEFAULTS.tcpIdleTimeout})
  --tcp-max-in-flight N queries one TCP connection may have unanswered; it is read no further until one is
                        answered (default ${SERVE_DEFAULTS.tcpMaxInFlight})

Other names (CoreDNS file, forward, cache, loop):
  --zones DIR           serve every zone file in DIR (<origin>.db, or $ORIGIN inside) authoritatively;
                        reloaded when a file changes
  --upstream ADDR[:PORT]  forward names outside the served zones there (repeatable; port 53; [v6]:port);
                        default: the nameserver lines of --resolv-conf
  --resolv-conf FILE    where the upstreams come from without --upstream (default ${SERVE_DEFAULTS.resolvConf});
                        no nameserver there: outside names are REFUSED
  --stub-domain DOMAIN=ADDR[:PORT][,ADDR...]  names under DOMAIN go to these upstreams only (repeatable)
  --cache-size N        forwarded answers cached, least recently used evicted (default ${SERVE_DEFAULTS.cacheSize}; 0: off)
  --cache-ttl SECONDS   longest time a forwarded answer is cached (default ${SERVE_DEFAULTS.cacheTtl})
  --serve-stale DURATION  when every upstream fails, serve expired answers up to this old (RFC 8767;
                        e.g. 1h; default off)
  --max-concurrent N    questions in flight upstream, past which new ones get SERVFAIL (default ${SERVE_DEFAULTS.maxConcurrent})
  --forward-expire DURATION  close a TCP connection to an upstream after this long idle; questions over TCP
                        (truncated replies) reuse open ones (CoreDNS forward expire; default 10s)

Example:
  clusterdns serve --manifest examples/cluster.yaml --zones zones
  dig @127.0.0.1 -p 1053 hello.default.svc.cluster.local
`;

function version(): string {
  const packageJson = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

function fail(message: string, exitCode: number): never {
  process.stderr.write(`clusterdns: ${message}\n`);
  process.exit(exitCode);
}

async function serve(rawArgv: string[]): Promise<void> {
  const argv = normalizeConfFlag(rawArgv);
  let options;
  try {
    options = parseServeArgs(argv);
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`, 2);
  }
  const logger = createLogger({ format: options.logFormat, level: options.logLevel });
  if (options.conf !== undefined) {
    const { serveCorefile } = await import('./serve-corefile.js');
    return serveCorefile({ conf: options.conf, options, given: givenFlags(argv), logger, fail });
  }
  if (options.kubeDnsConfig !== undefined) {
    try {
      const kubeDns = readKubeDnsConfig(options.kubeDnsConfig);
      if (options.upstreams.length === 0) options.upstreams = kubeDns.upstreams;
      options.stubDomains = [...kubeDns.stubDomains, ...options.stubDomains];
    } catch (err) {
      fail(`${(err as Error).message} [${(err as ClusterDnsError).code}]`, 1);
    }
  }
  // Flags are checked (exit 2) before credentials are looked for (exit 1), whatever their order.
  let autopath: AutopathSettings | undefined;
  try {
    autopath = autopathFromFlags(options.autopath, options.autopathNamespace);
  } catch (err) {
    fail(`${(err as Error).message} [${(err as ClusterDnsError).code}]`, 2);
  }
  let forward: ForwardSettings | undefined;
  try {
    forward = forwardFromFlags(options);
  } catch (err) {
    fail(`${(err as Error).message} [${(err as ClusterDnsError).code ?? ErrorCodes.CONFIG_INVALID_VALUE}]`, 2);
  }
  let kubernetes;
  if (options.noKubernetes) {
    if (options.manifests.length > 0 || options.kubeconfig || options.context || options.namespaces.length > 0 || options.labels) {
      fail('--no-kubernetes serves no cluster data: drop --manifest, --kubeconfig, --context, --namespaces and --labels', 2);
    }
  } else if (options.manifests.length === 0) {
    try {
      const { loadKubeConfig } = await import('../kube-api/load-kubeconfig.js'); // loads @kubernetes/client-node's KubeConfig
      const found = await loadKubeConfig({ kubeconfig: options.kubeconfig, context: options.context });
      logger.info({ source: found.source, files: found.files, context: found.context, server: found.server }, 'using Kubernetes credentials');
      kubernetes = { kubeConfig: found.kubeConfig, namespaces: options.namespaces, labelSelector: options.labels };
    } catch (err) {
      const code = (err as { code?: string }).code ?? ErrorCodes.KUBE_CONFIG;
      fail(`${(err as Error).message} [${code}]\n(or serve a snapshot: --manifest FILE)`, 1);
    }
  } else if (options.kubeconfig || options.context || options.namespaces.length > 0 || options.labels) {
    fail('--kubeconfig, --context, --namespaces and --labels select the Kubernetes API source; drop --manifest', 2);
  }
  // --workers N > 1: this process becomes the primary of N node:cluster workers (src/workers/primary.ts).
  const start = options.workers > 1 ? await multiCore(options, logger) : startClusterDnsServer;
  let dns;
  try {
    dns = await start({
      autopath,
      manifest: options.manifests,
      kubernetes,
      listen: options.listen,
      zones: options.zones,
      ttl: options.ttl,
      pods: options.pods,
      health: options.health,
      ready: options.ready,
      metrics: options.metrics,
      zoneDirectory: options.zoneDirectory,
      forward,
      fallthrough: kubernetesFallthrough(options.noKubernetes, forward !== undefined || options.zoneDirectory !== undefined),
      lameduckMs: options.lameduckMs,
      logQueries: options.logQueries,
      loadbalance: options.loadbalance,
      endpointPodNames: options.endpointPodNames,
      explainFromAnywhere: options.explainFromAnywhere,
      acl: options.acl,
      tcpMaxConnections: options.tcpMaxConnections,
      tcpIdleTimeoutMs: options.tcpIdleTimeoutMs,
      tcpMaxInFlightPerConnection: options.tcpMaxInFlight,
      version: version(),
      logger,
      // A big YAML snapshot takes seconds to parse: off the thread that answers queries.
      manifestParseWorker: fileURLToPath(new URL('../manifest/parse-worker.js', import.meta.url)),
      // One full GC releases what the first load left behind, before /ready turns 200 (a multi-core
      // primary and its workers compact on their own: src/workers/).
      onInitialLoad: () => compactAfterInitialLoad(logger),
    });
  } catch (err) {
    const code = err instanceof ClusterDnsError ? ` [${err.code}]` : '';
    fail(`${(err as Error).message}${code}`, 1);
  }
  // Before 'serving' is logged; until here, bin.ts's start-up handler exits 0 on a signal.
  stopOnSignals(() => dns.close(), () => dns.shutdown(), logger);
  logger.info(
    {
      address: dns.server,
      zones: options.zones,
      ttl: options.ttl,
      pods: options.pods,
      ...(autopath ? { autopath } : {}),
      ...(options.zoneDirectory ? { zoneDirectory: options.zoneDirectory } : {}),
      ...(forward ? { upstreams: forward.upstreams, stubDomains: forward.stubDomains } : { forwarding: 'off (outside names are REFUSED)' }),
    },
    'serving',
  );
  // CoreDNS `loop`: an upstream that sends our own probe back would make every outside name time out.
  void dns.loopCheck.then((report) => {
    if (report === null || report.loops.length === 0) return;
    logger.fatal({ loops: report.loops }, report.message);
    void dns.close().finally(() => fail(report.message, 1));
  });
}

/**
 * Which NXDOMAINs of the cluster and reverse zones go on to the zone files and the forwarder, as the Corefile
 * kubeadm writes says (`kubernetes cluster.local in-addr.arpa ip6.arpa { fallthrough in-addr.arpa ip6.arpa }`):
 * a PTR for an address outside the cluster (`dig -x 8.8.8.8`, a zone of `--zones`) is not the cluster's to
 * deny. With --no-kubernetes nothing is the cluster's. Nothing when there is nowhere to go on to.
 */
function kubernetesFallthrough(noKubernetes: boolean, answersOutside: boolean): string[] | undefined {
  if (!answersOutside) return undefined;
  return noKubernetes ? [] : ['in-addr.arpa', 'ip6.arpa'];
}

/** `--autopath @kubernetes` (as the Corefile's `autopath @kubernetes`) or `--autopath FILE` (a resolv.conf). */
function autopathFromFlags(source: string | undefined, namespace: string | undefined): AutopathSettings | undefined {
  if (source === undefined) return undefined;
  if (source === '@kubernetes') return { hostSearch: hostSearchDomains(), ...(namespace === undefined ? {} : { defaultNamespace: namespace }) };
  if (source.startsWith('@')) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `--autopath: expected @kubernetes or a resolv.conf file, got "${source}"`);
  }
  if (namespace !== undefined) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, '--autopath-namespace: only with --autopath @kubernetes (a resolv.conf file gives every client one search path)');
  }
  const search = readResolvConfSearch(source, '--autopath');
  if (search.length === 0) throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `--autopath: ${source} has no search line`);
  return { search };
}

/**
 * The forwarding settings of the flags: --upstream, or else the nameservers of --resolv-conf (a missing
 * /etc/resolv.conf just means no forwarding; a --resolv-conf that cannot be read is an error).
 */
function forwardFromFlags(options: ServeOptions): ForwardSettings | undefined {
  let upstreams = options.upstreams;
  if (upstreams.length === 0) {
    const explicit = options.resolvConf !== SERVE_DEFAULTS.resolvConf;
    upstreams = explicit || existsSync(options.resolvConf) ? readResolvConfNameservers(options.resolvConf).map(formatUpstream) : [];
  }
  if (upstreams.length === 0 && options.stubDomains.length === 0) return undefined;
  const forward: ForwardSettings = {
    upstreams,
    stubDomains: options.stubDomains,
    cacheSize: options.cacheSize,
    cacheTtl: options.cacheTtl,
    serveStale: options.serveStale,
    maxConcurrent: options.maxConcurrent,
    expireMs: options.forwardExpireMs,
  };
  parseForwardRoutes(forward); // a bad address is a bad command line (exit 2)
  return forward;
}

async function multiCore(options: ServeOptions, logger: Logger) {
  // SIGTERM or SIGINT before start-up is done: stop the workers started so far and exit 0, as once serving
  // (serve()'s own handlers take over when start-up returns).
  const starting = new AbortController();
  const stopStarting = (signal: NodeJS.Signals) => starting.abort(signal);
  process.once('SIGTERM', stopStarting);
  process.once('SIGINT', stopStarting);
  releaseStartUpSignals();
  const { startMultiCore } = await import('../workers/primary.js');
  return async (dnsOptions: ServerInternalOptions) => {
    try {
      return await startMultiCore({ ...dnsOptions, workers: options.workers, logFormat: options.logFormat, logLevel: options.logLevel, signal: starting.signal });
    } catch (err) {
      if (!starting.signal.aborted) throw err;
      logger.info({ signal: starting.signal.reason }, 'stopped during start-up');
      process.exit(0);
    } finally {
      process.off('SIGTERM', stopStarting);
      process.off('SIGINT', stopStarting);
    }
  };
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'serve':
    if (rest.includes('--help') || rest.includes('-h')) process.stdout.write(USAGE);
    else await serve(rest);
    break;
  case 'explain': {
    const { runExplain, EXPLAIN_USAGE } = await import('./explain-command.js');
    if (rest.includes('--help') || rest.includes('-h')) process.stdout.write(EXPLAIN_USAGE);
    else process.exitCode = await runExplain(rest);
    break;
  }
  case '--version':
  case '-v':
  case 'version':
    process.stdout.write(`${version()}\n`);
    break;
  case '--help':
  case '-h':
  case 'help':
    process.stdout.write(USAGE);
    break;
  default:
    fail(
      command === undefined ? `missing command\n\n${USAGE}` : `unknown command "${command}" [${ErrorCodes.CONFIG_INVALID_FLAG}]\n\n${USAGE}`,
      2,
    );
}
