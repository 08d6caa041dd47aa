// One configuration of a Corefile: each server block a server of its own (its zones on its port, its own
// plugin chain), as CoreDNS's core/dnsserver builds them. Blocks on one address share a listener, which routes
// each question to the block with the longest matching zone (ZoneRouter). Every block that serves `kubernetes`
// is fed by one shared data source (one list/watch of the API), and health, ready and prometheus are served
// once for the whole process, with each listener's counters under its own `server` label.
import type { Logger } from 'pino';
import { startClusterDnsServer, watchesPods, type ClusterDnsServer, type ServerInternalOptions } from '../cluster-dns.js';
import type { ClusterStore } from '../cluster/cluster-store.js';
import { ClusterTee } from '../cluster/cluster-tee.js';
import { formatAddress, parseListen, type ListenAddress } from '../config/serve-options.js';
import type { LoopReport } from '../forward/loop-detection.js';
import { registerForwardMetrics } from '../http/forward-metrics.js';
import { startHttpEndpoints, type HttpEndpoints } from '../http/http-endpoints.js';
import { silentLogger } from '../log/logger.js';
import type { Handler } from '../pipeline/handler.js';
import type { ZoneRoute, ZoneRouter } from '../pipeline/zone-router.js';
import { DEFAULT_LAMEDUCK_MS, lameduck } from '../runtime/lameduck.js';
import type { DnsServer } from '../server/dns-server.js';
import { createDataSource, type DataSource } from '../sources/data-source.js';

/** A UDP+TCP listener that outlives configurations: reloads swap the routes behind it. */
export interface BlockListener {
  server: DnsServer;
  router: ZoneRouter;
  /** The address as configured (port 0 stays 0: a reload keeps the port it picked). */
  requested: string;
}

export interface ServerBlockOptions {
  /** The block's zones ('' = root). */
  zones: string[];
  options: ServerInternalOptions;
}

export interface ServerBlocksOptions {
  /** The main block first: with one block, it serves every name (its own HTTP endpoints and data source). */
  blocks: ServerBlockOptions[];
  /** The listener of an address: the running one, or a new one (not yet bound). */
  listenerFor(listen: ListenAddress, options: ServerInternalOptions): BlockListener;
  logger: Logger;
}

export interface ServerBlocks {
  /** The main block's server. */
  readonly main: ClusterDnsServer;
  readonly blocks: ReadonlyArray<{ zones: string[]; dns: ClusterDnsServer; listener: BlockListener }>;
  /** What each listener routes to in this configuration, swapped in when it takes over. */
  readonly routes: ReadonlyMap<BlockListener, ZoneRoute[]>;
  /** Close and reopen the HTTP endpoints (a reload frees their ports for the next configuration). */
  readonly http: { close?: () => Promise<void>; reopen?: () => Promise<void>; addresses(): ServerHttpAddresses };
  whenSynced(): Promise<void>;
  readonly loopCheck: Promise<LoopReport | null>;
  readonly shuttingDown: boolean;
  shutdown(): Promise<void>;
  /** Closes the blocks, the data source and the HTTP endpoints; never the listeners. */
  close(): Promise<void>;
}

type ServerHttpAddresses = ClusterDnsServer['http'];

/** After the lameduck, how long TCP connections and forwarded queries in flight may take to finish. */
const DRAIN_TIMEOUT_MS = 5000;

export async function startServerBlocks(options: ServerBlocksOptions): Promise<ServerBlocks> {
  const routes = new Map<BlockListener, ZoneRoute[]>();
  const started: Array<{ zones: string[]; dns: ClusterDnsServer; listener: BlockListener }> = [];
  const single = options.blocks.length === 1;
  const main = options.blocks[0].options;
  const http: ServerBlocks['http'] = { addresses: () => ({}) };
  // Several blocks: the blocks that serve cluster data hand their stores to one shared data source.
  const stores: ClusterStore[] = [];
  const hasData = (block: ServerInternalOptions) => block.kubernetes !== undefined || [block.manifest ?? []].flat().length > 0;
  let source: DataSource | undefined;
  let endpoints: HttpEndpoints | undefined;
  const closeAll = async () => {
    await Promise.all([source?.close(), endpoints?.close(), ...started.map((block) => block.dns.close())]);
  };
  try {
    for (const block of options.blocks) {
      const built = block.options;
      const listen = typeof built.listen === 'string' ? parseListen(built.listen) : (built.listen ?? { host: '127.0.0.1', port: 0 });
      const listener = options.listenerFor(listen, built);
      const fed = !single && hasData(built);
      const dns = await startClusterDnsServer({
        ...built,
        listen,
        ...(single
          ? { httpControl: http }
          : { manifest: undefined, kubernetes: undefined, health: undefined, ready: undefined, metrics: undefined, fedExternally: fed, lameduckMs: 0 }),
        beforeListen: async (parts) => {
          if (fed) stores.push(parts.store);
          await built.beforeListen?.(parts);
        },
        sharedListener: {
          server: listener.server,
          adopt: (chain: Handler) => {
            const list = routes.get(listener) ?? [];
            // One block serves every name through its listener, as before several blocks were possible.
            for (const zone of single ? [''] : block.zones) list.push({ zone, handler: chain });
            routes.set(listener, list);
          },
        },
      });
      started.push({ zones: block.zones, dns, listener });
    }
    if (single) {
      const dns = started[0].dns;
      http.addresses = () => dns.http;
      return {
        main: dns,
        blocks: started,
        routes,
        http,
        whenSynced: () => dns.whenSynced(),
        loopCheck: dns.loopCheck,
        get shuttingDown() {
          return dns.shuttingDown;
        },
        shutdown: () => dns.shutdown(),
        close: () => dns.close(),
      };
    }
  } catch (err) {
    await closeAll();
    throw err;
  }

  const logger = options.logger ?? silentLogger();
  const fedBlocks = options.blocks.filter((block) => hasData(block.options));
  const sourceOptions = fedBlocks[0]?.options;
  const tee = new ClusterTee(stores);
  let shuttingDown: Promise<void> | undefined;
  const listeners = [...new Set(started.map((block) => block.listener))];
  try {
    source = await createDataSource({
      store: tee,
      logger,
      manifests: sourceOptions ? [sourceOptions.manifest ?? []].flat() : [],
      kubernetes: sourceOptions?.kubernetes,
      watchPods: fedBlocks.some((block) => watchesPods(block.options.pods ?? 'verified', block.options.autopath)),
      manifestParseWorker: main.manifestParseWorker,
    });
    const dataSource = source;
    const synced = () => stores.length === 0 || tee.synced;
    const startHttp = () =>
      startHttpEndpoints({
        addresses: { health: main.health, ready: main.ready, metrics: main.metrics },
        healthy: () => true,
        unready: () => (shuttingDown ? 'shutting down' : synced() ? null : 'not synced with the cluster yet'),
        metrics: {
          stats: listeners[0].server.stats,
          servers: () => listeners.map((listener) => ({ server: serverLabel(listener), stats: listener.server.stats })),
          synced,
          counts: () => tee.counts,
          watch: dataSource.watchStats,
          programming: dataSource.programmingLatency,
        },
        build: { version: main.version ?? 'unknown', revision: '' },
        extendMetrics: (registry) => {
          registerForwardMetrics(
            registry,
            started.flatMap(({ dns, listener }) => (dns.forwardStats ? [{ forward: dns.forwardStats, cache: dns.cacheStats ? { stats: dns.cacheStats, countByKind: () => dns.cacheEntries() ?? { success: 0, denial: 0 } } : null, server: serverLabel(listener) }] : [])),
          );
          main.extendMetrics?.(registry);
        },
        logger,
      });
    endpoints = await startHttp();
    http.close = async () => {
      await endpoints?.close();
    };
    http.reopen = async () => {
      endpoints = await startHttp();
    };
    http.addresses = () => endpoints?.addresses ?? {};
    await source.start();
  } catch (err) {
    await closeAll();
    throw err;
  }
  const dataSource = source;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= closeAll());
  return {
    main: started[0].dns,
    blocks: started,
    routes,
    http,
    whenSynced: () => (stores.length === 0 ? Promise.resolve() : dataSource.whenSynced()),
    loopCheck: Promise.all(started.map((block) => block.dns.loopCheck)).then((reports) => reports.find((report) => report !== null && report.loops.length > 0) ?? null),
    get shuttingDown() {
      return shuttingDown !== undefined;
    },
    shutdown: () =>
      (shuttingDown ??= (async () => {
        await lameduck(logger, main.lameduckMs ?? DEFAULT_LAMEDUCK_MS);
        await Promise.all(listeners.map((listener) => listener.server.drain(DRAIN_TIMEOUT_MS)));
        await close();
      })()),
    close,
  };
}

/** CoreDNS's `server` label: `dns://:53` for all interfaces, `dns://HOST:PORT` for a `bind` address. */
function serverLabel(listener: BlockListener): string {
  let bound: ListenAddress;
  try {
    bound = listener.server.address();
  } catch {
    return `dns://${listener.requested}`; // closed by now (a retired configuration)
  }
  return bound.host === '0.0.0.0' || bound.host === '::' ? `dns://:${bound.port}` : `dns://${formatAddress(bound)}`;
}
