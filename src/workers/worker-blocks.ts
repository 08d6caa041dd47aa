// A multi-core worker serving a Corefile of several server blocks: the same composition as a single process
// (src/corefile/server-blocks.ts: each block a server with its own chain, blocks on one address behind one
// listener that routes by the longest zone) but fed by the primary, as worker-main.ts feeds one block. The
// blocks that serve cluster data share the state the primary sends through a ClusterTee, and no listener binds
// before that state is applied (state before sockets). Every listener is shared with the other workers through
// node:cluster; the listeners bind in block order, so a port-0 listener pairs with the same one in every worker.
import type { Logger } from 'pino';
import { startClusterDnsServer, type ClusterDnsServer } from '../cluster-dns.js';
import type { ClusterSink } from '../cluster/cluster-sink.js';
import type { ClusterStore } from '../cluster/cluster-store.js';
import { ClusterTee } from '../cluster/cluster-tee.js';
import { formatAddress, parseListen, type ListenAddress } from '../config/serve-options.js';
import { newListener } from '../corefile/reloadable-server.js';
import type { BlockListener } from '../corefile/server-blocks.js';
import type { LoopReport } from '../forward/loop-detection.js';
import type { Handler } from '../pipeline/handler.js';
import type { ZoneRoute } from '../pipeline/zone-router.js';
import { addServerStats, createServerStats, type ServerStats } from '../server/server-stats.js';
import type { WorkerBlockConfig } from './protocol.js';
import { addResolverCounters, createResolverCounters, type ResolverCounters } from './resolver-counters.js';

/** After the primary's lameduck, how long TCP connections and forwarded queries in flight may take to finish. */
const DRAIN_TIMEOUT_MS = 5000;

export interface WorkerBlocksOptions {
  blocks: WorkerBlockConfig[];
  /** The worker's logger (warnings) and, for CoreDNS `log`, the one its query lines go to. */
  logger: Logger;
  queryLogger?: Logger;
  /**
   * Every block's store exists: feed `sink` the primary's state and resolve once it is applied; the listeners
   * bind after that.
   */
  beforeListen(sink: ClusterSink): Promise<void>;
}

export interface WorkerBlocks {
  /** The main block's address, which the primary reports. */
  readonly address: ListenAddress;
  /** Every listener's counters, summed. */
  stats(): ServerStats;
  /** The forwarders' and caches' counters of every block that forwards, summed; undefined when none does. */
  resolverCounters(): ResolverCounters | undefined;
  /** The first forwarding loop any block's probe found, or null. */
  readonly loopCheck: Promise<LoopReport | null>;
  /** Told by the primary after its lameduck: drain every listener, then close. */
  shutdown(): Promise<void>;
  /** A worker with a new configuration took this one's place: answer what is still read, then close. */
  handOver(): Promise<void>;
}

export async function startWorkerBlocks(options: WorkerBlocksOptions): Promise<WorkerBlocks> {
  const { blocks, logger } = options;
  const listeners = new Map<string, BlockListener>();
  const routes = new Map<BlockListener, ZoneRoute[]>();
  const listenerOf = blocks.map((block) => {
    const listen = typeof block.dns.listen === 'string' ? parseListen(block.dns.listen) : (block.dns.listen ?? { host: '127.0.0.1', port: 0 });
    const key = formatAddress(listen);
    let listener = listeners.get(key);
    if (listener === undefined) {
      listener = newListener(listen, { ...block.dns, logger: block.dns.logQueries && options.queryLogger ? options.queryLogger : logger });
      listeners.set(key, listener);
    }
    return { listen, listener };
  });

  // Every block reaches its beforeListen hook (its store exists, its chain is adopted) before the state is
  // asked for; then the listeners bind, in block order, and every block's own start finds them bound.
  const stores: ClusterStore[] = [];
  let arrived = 0;
  let openGate!: () => void;
  let failGate!: (err: unknown) => void;
  const gate = new Promise<void>((resolve, reject) => {
    openGate = resolve;
    failGate = reject;
  });
  gate.catch(() => {});
  const whenAllArrived = async () => {
    try {
      await options.beforeListen(new ClusterTee(stores));
      for (const listener of listeners.values()) {
        listener.router.swap(routes.get(listener) ?? []);
        await listener.server.start();
      }
      openGate();
    } catch (err) {
      failGate(err);
    }
  };

  const started: ClusterDnsServer[] = [];
  const closeAll = async () => {
    await Promise.all(started.map((dns) => dns.close()));
    await Promise.all([...listeners.values()].map((listener) => listener.server.close()));
  };
  try {
    const servers = await Promise.all(
      blocks.map(async (block, i) => {
        const { listen, listener } = listenerOf[i];
        const dns = await startClusterDnsServer({
          ...block.dns,
          listen,
          logger,
          ...(block.dns.logQueries && options.queryLogger ? { queryLogger: options.queryLogger } : {}),
          // A block without cluster data loads nothing and is synced at once, as in a single process.
          fedExternally: block.fed,
          lameduckMs: 0,
          sharedListener: {
            server: listener.server,
            adopt: (chain: Handler) => {
              const list = routes.get(listener) ?? [];
              for (const zone of block.zones) list.push({ zone, handler: chain });
              routes.set(listener, list);
            },
          },
          beforeListen: async (parts) => {
            if (block.fed) stores.push(parts.store);
            if (++arrived === blocks.length) void whenAllArrived();
            await gate;
          },
        });
        started.push(dns);
        return dns;
      }),
    );
    const mainListener = listenerOf[0].listener;
    const all = [...listeners.values()];
    let stopping: Promise<void> | undefined;
    const stop = (keepAnsweringUdp: boolean) =>
      (stopping ??= (async () => {
        await Promise.all(all.map((listener) => listener.server.drain(DRAIN_TIMEOUT_MS, { keepAnsweringUdp })));
        await closeAll();
      })());
    return {
      address: mainListener.server.address(),
      stats: () => all.reduce((sum, listener) => addServerStats(sum, listener.server.stats), createServerStats()),
      resolverCounters: () => {
        const forwarding = servers.filter((dns) => dns.forwardStats !== null && dns.forwardStats !== undefined);
        if (forwarding.length === 0) return undefined;
        return forwarding.reduce(
          (sum, dns) => addResolverCounters(sum, { forward: dns.forwardStats!, cache: dns.cacheStats ?? null, cacheEntries: dns.cacheEntries() ?? { success: 0, denial: 0 } }, true),
          createResolverCounters(),
        );
      },
      loopCheck: Promise.all(servers.map((dns) => dns.loopCheck)).then((reports) => reports.find((report) => report !== null && report.loops.length > 0) ?? null),
      shutdown: () => stop(false),
      handOver: () => stop(true),
    };
  } catch (err) {
    failGate(err); // the blocks still waiting for the state give up too
    await closeAll();
    throw err;
  }
}
