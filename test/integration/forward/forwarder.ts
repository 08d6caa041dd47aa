// A real DnsServer on 127.0.0.1:0 whose chain is [loop, forward] against test upstreams.
import { ResponseCache, type ResponseCacheOptions } from '../../../src/cache/response-cache.js';
import { createForwardStats } from '../../../src/forward/forward-stats.js';
import { ForwardRouter } from '../../../src/forward/forward-router.js';
import type { UpstreamAddress } from '../../../src/forward/upstream-address.js';
import { UpstreamPool, type UpstreamPoolOptions } from '../../../src/forward/upstream-pool.js';
import { silentLogger } from '../../../src/log/logger.js';
import { Chain } from '../../../src/pipeline/chain.js';
import { ForwardHandler } from '../../../src/pipeline/forward-handler.js';
import type { Handler } from '../../../src/pipeline/handler.js';
import { LoopHandler } from '../../../src/pipeline/loop-handler.js';
import { DnsServer } from '../../../src/server/dns-server.js';

export function local(port: number): UpstreamAddress {
  return { host: '127.0.0.1', port, family: 4 };
}

export interface ForwarderOptions {
  /** domain ("" for the default route) → upstream ports; a function receives the forwarder's own port. */
  routes: Record<string, number[]> | ((ownPort: number) => Record<string, number[]>);
  pool?: Omit<UpstreamPoolOptions, 'upstreams'>;
  /** false: no cache. */
  cache?: ResponseCacheOptions | false;
}

export interface Forwarder {
  port: number;
  server: DnsServer;
  router: ForwardRouter;
  cache: ResponseCache | null;
  loop: LoopHandler;
  stats: ReturnType<typeof createForwardStats>;
  pool(domain?: string): UpstreamPool;
  close(): Promise<void>;
}

export async function startForwarder(options: ForwarderOptions): Promise<Forwarder> {
  let chain: Handler | null = null;
  const server = new DnsServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    // The chain needs the server's own port (a loop test forwards to itself): bound after listening.
    handler: { name: 'late', handle: (request) => (chain as Handler).handle(request) },
  });
  const { port } = await server.start();
  const routes = typeof options.routes === 'function' ? options.routes(port) : options.routes;
  const stats = createForwardStats();
  const pools = new Map<string, UpstreamPool>();
  for (const [domain, ports] of Object.entries(routes)) {
    pools.set(domain, new UpstreamPool({ policy: 'sequential', timeoutMs: 500, ...options.pool, stats, upstreams: ports.map(local) }));
  }
  const router = new ForwardRouter([...pools].map(([domain, pool]) => ({ domain, pool })));
  const cache = options.cache === false ? null : new ResponseCache(options.cache ?? {});
  const loop = new LoopHandler();
  chain = new Chain([loop, new ForwardHandler({ router, cache })]);
  return {
    port,
    server,
    router,
    cache,
    loop,
    stats,
    pool: (domain = '') => pools.get(domain) as UpstreamPool,
    close: async () => {
      router.close();
      await server.close();
    },
  };
}
