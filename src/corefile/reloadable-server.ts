// A server run from a Corefile that `reload` (CoreDNS plugin/reload) can replace while it serves: the new
// configuration starts beside the old one behind the same UDP/TCP sockets, takes over once its data is synced,
// and only then is the old one closed, so no query is dropped. A Corefile that does not load leaves the
// running configuration as it is and is counted in coredns_reload_failed_total.
import { queryLogFor } from '../log/query-log.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { startClusterDnsServer, type ClusterDnsServer, type ServerInternalOptions } from '../cluster-dns.js';
import { formatAddress, parseListen, type ListenAddress } from '../config/serve-options.js';
import { ClusterDnsError } from '../errors.js';
import { silentLogger } from '../log/logger.js';
import type { Handler } from '../pipeline/handler.js';
import { SwappableHandler } from '../pipeline/swappable-handler.js';
import { DnsServer } from '../server/dns-server.js';
import { parseCorefileFile, type CorefileParseOptions } from './corefile-parser.js';
import { corefileSettings, type CorefileSettings } from './corefile-settings.js';

export interface ReloadableServerOptions {
  /** The Corefile. */
  conf: string;
  /** One configuration's server options from the Corefile's settings (the CLI lays its flags over them). */
  build: (settings: CorefileSettings) => ServerInternalOptions | Promise<ServerInternalOptions>;
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
  onServing?: (dns: ClusterDnsServer, settings: CorefileSettings) => void;
}

export type ReloadOutcome = 'applied' | 'unchanged' | 'failed';

interface Listener {
  server: DnsServer;
  slot: SwappableHandler;
  /** The address as configured (port 0 stays 0: a reload keeps the port it picked). */
  requested: string;
}

interface Generation {
  dns: ClusterDnsServer;
  settings: CorefileSettings;
  listener: Listener;
  http: NonNullable<ServerInternalOptions['httpControl']>;
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
    options.onServing?.(server.generation.dns, settings);
    server.schedule();
    return server;
  }

  get current(): ClusterDnsServer {
    return this.generation.dns;
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
    await this.generation.dns.shutdown();
    await this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await Promise.all([...this.retiring].map((entry) => entry.close()));
    await this.generation.dns.close();
    await this.generation.listener.server.close();
  }

  private load(): { settings: CorefileSettings; digest: string } {
    const hash = createHash('sha256');
    const readFile = (path: string) => {
      const text = readFileSync(path, 'utf8');
      hash.update(path).update('\0').update(text).update('\0');
      return text;
    };
    const blocks = parseCorefileFile(this.options.conf, { env: this.options.env, readFile });
    const settings = corefileSettings(blocks, { resolvConf: this.options.resolvConf });
    return { settings, digest: hash.digest('hex') };
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
      await old.http.close?.();
      try {
        next = await this.startGeneration(loaded.settings, loaded.digest, old.listener);
      } catch (err) {
        await old.http.reopen?.();
        throw err;
      }
    } catch (err) {
      return this.failed(err);
    }
    const synced = await Promise.race([
      next.dns.whenSynced().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(resolve, this.options.syncWaitMs ?? 60_000, false).unref()),
    ]);
    if (!synced) logger.warn({ file: this.options.conf }, 'the reloaded configuration takes over before its data is synced');
    this.generation = next;
    next.listener.slot.swap(this.adopted.get(next.dns)!);
    this.retire(old, next.listener !== old.listener);
    this.counts.applied++;
    logger.info({ file: this.options.conf, address: next.dns.server }, 'Corefile reloaded');
    this.options.onServing?.(next.dns, next.settings);
    this.schedule();
    return 'applied';
  }

  /** Replaced configurations still finishing their questions, each closed by its timer or by close(). */
  private readonly retiring = new Set<{ timer: NodeJS.Timeout; close: () => Promise<void> }>();

  private retire(old: Generation, closeListener: boolean): void {
    const entry = {
      timer: undefined as unknown as NodeJS.Timeout,
      close: async () => {
        clearTimeout(entry.timer);
        if (!this.retiring.delete(entry)) return;
        await old.dns.close();
        if (closeListener) await old.listener.server.close();
      },
    };
    entry.timer = setTimeout(() => void entry.close(), this.options.retireMs ?? 2500);
    this.retiring.add(entry);
  }

  /** Each configuration's chain, swapped in behind the listener when it takes over. */
  private readonly adopted = new WeakMap<ClusterDnsServer, Handler>();

  private async startGeneration(settings: CorefileSettings, digest: string, previous: Listener | null): Promise<Generation> {
    const built = await this.options.build(settings);
    const listen = typeof built.listen === 'string' ? parseListen(built.listen) : (built.listen ?? settings.listen);
    const sameAddress = previous !== null && previous.requested === formatAddress(listen);
    const listener: Listener = sameAddress ? previous : newListener(listen, built);
    let chain: Handler | null = null;
    const http: Generation['http'] = {};
    const dns = await startClusterDnsServer({
      ...built,
      listen,
      sharedListener: {
        server: listener.server,
        adopt: (handler) => {
          chain = handler;
          // The first configuration behind a listener serves at once; a later one after it is synced.
          if (!sameAddress) listener.slot.swap(handler);
        },
      },
      httpControl: http,
      extendMetrics: (registry) => {
        built.extendMetrics?.(registry);
      },
    }).catch(async (err: unknown) => {
      if (!sameAddress) await listener.server.close();
      throw err;
    });
    this.adopted.set(dns, chain!);
    return { dns, settings, listener, http, digest };
  }

  private failed(err: unknown): ReloadOutcome {
    this.counts.failed++;
    // coredns_reload_failed_total: the listener's counters outlive every configuration behind it.
    this.generation.listener.server.stats.reloadFailures++;
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
    const delay = reload.intervalMs + (Math.random() * 2 - 1) * reload.jitterMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.reload().finally(() => {
        if (this.timer === null) this.schedule();
      });
    }, delay);
    this.timer.unref();
  }
}

function newListener(listen: ListenAddress, built: ServerInternalOptions): Listener {
  const slot = new SwappableHandler();
  const server = new DnsServer({
    host: listen.host,
    port: listen.port,
    handler: slot,
    logger: (built.logger ?? silentLogger()).child({ component: 'server' }),
    tcpIdleTimeoutMs: built.tcpIdleTimeoutMs,
    tcpMaxInFlightPerConnection: built.tcpMaxInFlightPerConnection,
    tcpMaxConnections: built.tcpMaxConnections,
    // CoreDNS `log`, as the configuration that opened the listener says (a reload keeps the listener).
    queryLog: built.logQueries ? queryLogFor(built.logger ?? silentLogger()) : null,
    loadbalance: built.loadbalance,
  });
  return { server, slot, requested: formatAddress(listen) };
}
