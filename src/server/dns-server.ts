// UDP and TCP on one address, feeding one handler chain. Port 0 picks a free port that both transports share.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { Handler } from '../pipeline/handler.js';
import type { QueryLog } from '../log/query-log.js';
import { QueryProcessor } from './query-processor.js';
import { createServerStats, type ServerStats } from './server-stats.js';
import { TcpListener } from './tcp-listener.js';
import { UdpListener } from './udp-listener.js';

export interface DnsServerOptions {
  host: string;
  port: number;
  handler: Handler;
  logger: Logger;
  /** RFC 7766 6.2.3 idle timeout; default 10 s. */
  tcpIdleTimeoutMs?: number;
  /** Queries one TCP connection may have unanswered; default 128. */
  tcpMaxInFlightPerConnection?: number;
  /** Open TCP connections at most, past which the longest-idle one is closed; default 10,000. */
  tcpMaxConnections?: number;
  /** Counters to bump (a caller that reads them before the server exists creates them); default fresh ones. */
  stats?: ServerStats;
  /** CoreDNS `log`: a line per query; off when null or absent. */
  queryLog?: QueryLog | null;
  /** CoreDNS `loadbalance`: rotate A and AAAA RRsets per reply; default off. */
  loadbalance?: boolean;
}

export interface ServerAddress {
  host: string;
  port: number;
}

/** RFC 7766 limits of the TCP listener (the CLI's --tcp-idle-timeout, --tcp-max-in-flight, --tcp-max-conns). */
export const TCP_DEFAULTS = { idleTimeoutMs: 10_000, maxInFlightPerConnection: 128, maxConnections: 10_000 } as const;

/** How often to look for a port free on both UDP and TCP when asked for port 0. */
const PORT_ATTEMPTS = 10;

export class DnsServer {
  readonly stats: ServerStats;
  private readonly udp: UdpListener;
  private readonly tcp: TcpListener;
  private readonly processor: QueryProcessor;
  private bound: ServerAddress | null = null;
  private closed = false;

  constructor(private readonly options: DnsServerOptions) {
    this.stats = options.stats ?? createServerStats();
    const processor = new QueryProcessor(options.handler, this.stats, options.logger, { queryLog: options.queryLog, loadbalance: options.loadbalance });
    this.processor = processor;
    this.udp = new UdpListener(processor);
    this.tcp = new TcpListener(processor, this.stats, {
      idleTimeoutMs: options.tcpIdleTimeoutMs ?? TCP_DEFAULTS.idleTimeoutMs,
      maxInFlightPerConnection: options.tcpMaxInFlightPerConnection ?? TCP_DEFAULTS.maxInFlightPerConnection,
      maxConnections: options.tcpMaxConnections ?? TCP_DEFAULTS.maxConnections,
    });
  }

  async start(): Promise<ServerAddress> {
    if (this.closed) throw new ClusterDnsError(ErrorCodes.SERVER_CLOSED, 'the DNS server was closed');
    if (this.bound) return this.bound;
    const { port } = this.options;
    // A name such as `localhost` is resolved once, so UDP and TCP are sure to bind the same address.
    const host = await resolveHost(this.options.host, port);
    for (let attempt = 1; ; attempt++) {
      let udpPort: number;
      try {
        udpPort = await this.udp.listen(host, port);
      } catch (err) {
        throw listenError(host, port, 'UDP', err);
      }
      let tcpPort: number;
      try {
        tcpPort = await this.tcp.listen(host, udpPort);
      } catch (err) {
        await this.udp.close();
        // With port 0 the free UDP port may be taken on TCP: try another one.
        if (port !== 0 || attempt >= PORT_ATTEMPTS) throw listenError(host, udpPort, 'TCP', err);
        continue;
      }
      if (this.closed) {
        // close() ran while we were binding: leave no socket behind.
        await Promise.all([this.udp.close(), this.tcp.close()]);
        throw new ClusterDnsError(ErrorCodes.SERVER_CLOSED, 'the DNS server was closed while starting');
      }
      this.bound = { host, port: tcpPort };
      return this.bound;
    }
  }

  address(): ServerAddress {
    if (!this.bound) throw new ClusterDnsError(ErrorCodes.SERVER_CLOSED, 'the DNS server is not listening');
    return this.bound;
  }

  /**
   * Stop taking queries and let those in flight finish: TCP stops accepting and ends each connection once its
   * queries are answered, UDP answers no new datagram (unless `keepAnsweringUdp`); after `timeoutMs` whatever
   * is left is cut. Then closes.
   */
  async drain(timeoutMs: number, options: { keepAnsweringUdp?: boolean } = {}): Promise<void> {
    // A multi-core worker handing over to its replacement shares the UDP socket with it: a datagram this one
    // reads must still be answered, or it is lost.
    if (!options.keepAnsweringUdp) this.udp.stopAnswering();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([this.tcp.drain(), this.processor.whenIdle()]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    await this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.bound = null;
    await Promise.all([this.udp.close(), this.tcp.close()]);
  }
}

async function resolveHost(host: string, port: number): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch (err) {
    throw new ClusterDnsError(ErrorCodes.SERVER_LISTEN, `address ${host}:${port} cannot be bound: ${host} does not resolve (${(err as Error).message})`, { cause: err });
  }
}

function listenError(host: string, port: number, transport: string, err: unknown): ClusterDnsError {
  const code = (err as NodeJS.ErrnoException).code;
  const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const why =
    code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'needs privileges' : code === 'EADDRNOTAVAIL' ? 'is not an address of this machine' : `cannot be bound (${(err as Error).message})`;
  return new ClusterDnsError(ErrorCodes.SERVER_LISTEN, `address ${where} ${why} (${transport})`, { cause: err });
}
