// A server run from a Corefile that `reload` (CoreDNS plugin/reload) can replace while it serves: the new
// configuration starts beside the old one behind the same UDP/TCP sockets, takes over once its data is synced,
// and only then is the old one closed, so no query is dropped. A Corefile that does not load leaves the
// running configuration as it is and is counted in coredns_reload_failed_total.
import { queryLogFor } from '../log/query-log.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { ClusterDnsServer, ServerInternalOptions } from '../cluster-dns.js';
import { formatAddress, type ListenAddress } from '../config/serve-options.js';
import { ClusterDnsError } from '../errors.js';
import type { LoopReport } from '../forward/loop-detection.js';
import { silentLogger } from '../log/logger.js';
import { ZoneRouter } from '../pipeline/zone-router.js';
import { DnsServer } from '../server/dns-server.js';
import { parseCorefileFile, type CorefileParseOptions } from './corefile-parser.js';
import { corefileSettings, type CorefileSettings } from './corefile-settings.js';
import { startServerBlocks, type BlockListener, type ServerBlocks } from './server-blocks.js';

export interface ReloadableServerOptions {
  /** The Corefile. */
  conf: string;
  /**
   * One server block's options from its settings (the CLI lays its flags over the main block's). With several
   * blocks it is called for each: the main block with the top-level settings (which carry health, ready,
   * prometheus and reload from whichever block gives them), the others with their own (`main` false).
   */
  build: (settings: CorefileSettings, block: { main: boolean }) => ServerInternalOptions | Promise<ServerInternalOptions>;
  logger: Logger;
  /** Read instead of /etc/resolv.conf where `forward` names it (the CLI's --resolv-conf). */
  resolvConf?: string;
  /** Environment for `{$VAR}`; default process.env. */
  env?: CorefileParseOptions['env'];
  /** Longest wait for a new configuration's data before it takes over anyway (default 60 s). */
  syncWaitMs?: number;
  /**
   * How long a replaced configuration keeps running after the switch, so questions it is still forwarding get
   * their answers (default 2500 ms: the forward timeout of 2 s and a margin).
   */
  retireMs?: number;
  /** Called for every configuration that starts serving (the first included), e.g. to watch its loop check. */
  onServing?: (dns: ClusterDnsServer, settings: CorefileSettings, servers: ReadonlyArray<{ zones: string[]; dns: ClusterDnsServer }>) => void;
}

export type ReloadOutcome = 'applied' | 'unchanged' | 'failed';

interface Generation {
  blocks: ServerBlocks;
  settings: CorefileSettings;
  /** Every listener this configuration serves through, by configured address. */
  listeners: Map<string, BlockListener>;
  /** Hash of the Corefile and every file it imported, as read. */
  digest: string;
}

export interface ReloadCounts {
  applied: number;
  failed: number;
}

export class ReloadableServer {
  readonly counts: ReloadCounts = { applied: 0, failed: 0 };
  private generation!: Generation;
  private running: Promise<ReloadOutcome> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(private readonly options: ReloadableServerOptions) {}

  /** Loads the Corefile and serves it; throws the ClusterDnsError of a Corefile that does not load. */
  static async start(options: ReloadableServerOptions): Promise<ReloadableServer> {
    const server = new ReloadableServer(options);
    const { settings, digest } = server.load();
    server.generation = await server.startGeneration(settings, digest, null);
    options.onServing?.(server.generation.blocks.main, settings, server.generation.blocks.blocks);
    server.schedule();
    return server;
  }

  /** The main server block's server. */
  get current(): ClusterDnsServer {
    return this.generation.blocks.main;
  }

  /** Every server block now serving: its zones and its server. */
  get servers(): ReadonlyArray<{ zones: string[]; dns: ClusterDnsServer }> {
    return this.generation.blocks.blocks;
  }

  /** The bound HTTP endpoints (health, ready and prometheus serve the whole process). */
  get http(): ClusterDnsServer['http'] {
    return this.generation.blocks.http.addresses();
  }

  /** CoreDNS `loop`: the first forwarding loop any block's probe found, or null. */
  get loopCheck(): Promise<LoopReport | null> {
    return this.generation.blocks.loopCheck;
  }

  get settings(): CorefileSettings {
    return this.generation.settings;
  }

  /**
   * Reads the Corefile again and applies it when it changed (or always, with `force`: SIGHUP). Reloads run one
   * at a time; one asked for during another runs after it.
   */
  reload(force = false): Promise<ReloadOutcome> {
    if (this.running) {
      this.again ||= force;
      return this.running;
    }
    this.running = this.reloadOnce(force).finally(() => {
      this.running = null;
      if (this.again && !this.closed) {
        this.again = false;
        void this.reload(true);
      }
    });
    return this.running;
  }

  /**
   * SIGTERM (CoreDNS `health { lameduck }`): no more reloads; the current configuration turns /ready 503, answers
   * through its lameduck period and drains the listener; then everything closes.
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.generation.blocks.shutdown();
    await this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await Promise.all([...this.retiring].map((entry) => entry.close()));
    await this.generation.blocks.close();
    await Promise.all([...this.generation.listeners.values()].map((listener) => listener.server.close()));
  }

  private load(): { settings: CorefileSettings; digest: string } {
    return readCorefile(this.options.conf, this.options);
  }

  private async reloadOnce(force: boolean): Promise<ReloadOutcome> {
    const { logger } = this.options;
    let loaded;
    try {
      loaded = this.load();
    } catch (err) {
      return this.failed(err);
    }
    if (!force && loaded.digest === this.generation.digest) return 'unchanged';
    const old = this.generation;
    let next: Generation;
    try {
      // The old configuration's HTTP ports are freed for the new one, and given back if it does not start.
      await old.blocks.http.close?.();
      try {
        next = await this.startGeneration(loaded.settings, loaded.digest, old.listeners);
      } catch (err) {
        await old.blocks.http.reopen?.();
        throw err;
      }
    } catch (err) {
      return this.failed(err);
    }
    const synced = await Promise.race([
      next.blocks.whenSynced().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(resolve, this.options.syncWaitMs ?? 60_000, false).unref()),
    ]);
    if (!synced) logger.warn({ file: this.options.conf }, 'the reloaded configuration takes over before its data is synced');
    this.generation = next;
    for (const [listener, routes] of next.blocks.routes) listener.router.swap(routes);
    this.retire(old, [...old.listeners.values()].filter((listener) => ![...next.listeners.values()].includes(listener)));
    this.counts.applied++;
    logger.info({ file: this.options.conf, address: next.blocks.main.server }, 'Corefile reloaded');
    this.options.onServing?.(next.blocks.main, next.settings, next.blocks.blocks);
    this.schedule();
    return 'applied';
  }

  /** Replaced configurations still finishing their questions, each closed by its timer or by close(). */
  private readonly retiring = new Set<{ timer: NodeJS.Timeout; close: () => Promise<void> }>();

  private retire(old: Generation, closeListeners: BlockListener[]): void {
    const entry = {
      timer: undefined as unknown as NodeJS.Timeout,
      close: async () => {
        clearTimeout(entry.timer);
        if (!this.retiring.delete(entry)) return;
        await old.blocks.close();
        await Promise.all(closeListeners.map((listener) => listener.server.close()));
      },
    };
    entry.timer = setTimeout(() => void entry.close(), this.options.retireMs ?? 2500);
    this.retiring.add(entry);
  }

  private async startGeneration(settings: CorefileSettings, digest: string, previous: Map<string, BlockListener> | null): Promise<Generation> {
    const servers = settings.servers ?? [{ zones: [''], listen: settings.listen, settings, file: '', line: 0 }];
    const blocks = [];
    for (const [i, server] of servers.entries()) {
      // The main block is built from the top-level settings, which hold the process-wide directives.
      blocks.push({ zones: server.zones, options: await this.options.build(i === 0 ? settings : server.settings, { main: i === 0 }) });
    }
    const listeners = new Map<string, BlockListener>();
    const fresh: BlockListener[] = [];
    const listenerFor = (listen: ListenAddress, built: ServerInternalOptions): BlockListener => {
      const requested = formatAddress(listen);
      let listener = listeners.get(requested) ?? previous?.get(requested);
      if (listener === undefined) {
        listener = newListener(listen, built);
        fresh.push(listener);
      }
      listeners.set(requested, listener);
      return listener;
    };
    let started: ServerBlocks;
    try {
      started = await startServerBlocks({ blocks, listenerFor, logger: this.options.logger });
    } catch (err) {
      await Promise.all(fresh.map((listener) => listener.server.close()));
      throw err;
    }
    // A listener this configuration opened serves at once; one it shares with the running configuration
    // switches over once the new data is synced.
    for (const listener of fresh) listener.router.swap(started.routes.get(listener) ?? []);
    return { blocks: started, settings, listeners, digest };
  }

  private failed(err: unknown): ReloadOutcome {
    this.counts.failed++;
    // coredns_reload_failed_total: the listener's counters outlive every configuration behind it.
    [...this.generation.listeners.values()][0].server.stats.reloadFailures++;
    const error = err as Error;
    this.options.logger.error(
      { file: this.options.conf, code: err instanceof ClusterDnsError ? err.code : undefined, err: error.message },
      `Corefile not reloaded, the running configuration stays: ${error.message}`,
    );
    return 'failed';
  }

  /** The next poll: CoreDNS's interval with a random jitter either side. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const reload = this.generation.settings.reload;
    if (reload === null || this.closed) return;
    const delay = reloadDelay(reload);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.reload().finally(() => {
        if (this.timer === null) this.schedule();
      });
    }, delay);
    this.timer.unref();
  }
}

/** A listener for one address, not yet bound, routing by zone; a multi-core worker builds its blocks' the same way. */
export function newListener(listen: ListenAddress, built: ServerInternalOptions): BlockListener {
  const router = new ZoneRouter();
  const server = new DnsServer({
    host: listen.host,
    port: listen.port,
    handler: router,
    logger: (built.logger ?? silentLogger()).child({ component: 'server' }),
    tcpIdleTimeoutMs: built.tcpIdleTimeoutMs,
    tcpMaxInFlightPerConnection: built.tcpMaxInFlightPerConnection,
    tcpMaxConnections: built.tcpMaxConnections,
    // CoreDNS `log`, as the configuration that opened the listener says (a reload keeps the listener).
    queryLog: built.logQueries ? queryLogFor(built.logger ?? silentLogger()) : null,
    loadbalance: built.loadbalance,
  });
  return { server, router, requested: formatAddress(listen) };
}

/** The Corefile's settings, and a hash of it and every file it imported (a reload applies only a change). */
export function readCorefile(conf: string, options: { env?: CorefileParseOptions['env']; resolvConf?: string } = {}): { settings: CorefileSettings; digest: string } {
  const hash = createHash('sha256');
  const readFile = (path: string) => {
    const text = readFileSync(path, 'utf8');
    hash.update(path).update('\0').update(text).update('\0');
    return text;
  };
  const blocks = parseCorefileFile(conf, { env: options.env, readFile });
  const settings = corefileSettings(blocks, { resolvConf: options.resolvConf });
  return { settings, digest: hash.digest('hex') };
}

/** CoreDNS `reload`'s next poll: the interval with a random jitter either side. */
export function reloadDelay(reload: NonNullable<CorefileSettings['reload']>): number {
  return reload.intervalMs + (Math.random() * 2 - 1) * reload.jitterMs;
}
