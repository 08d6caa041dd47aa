// DNS over TCP (RFC 1035 4.2.2, RFC 7766): 2-byte length framing, several queries per connection, pipelined
// queries answered as each is ready (RFC 7766 6.2.1.1), an idle timeout (6.2.3), a bound on the queries a
// connection may have unanswered, a cap on open connections past which the longest-idle one is closed to make
// room (6.2.3: servers may close idle connections under pressure), and replies still written after the client
// half-closes its side.
import net from 'node:net';
import { TCP_LIMIT } from '../wire/types.js';
import type { QueryProcessor } from './query-processor.js';
import type { ServerStats } from './server-stats.js';

export interface TcpListenerOptions {
  /** Close a connection with no query in flight after this long without traffic (RFC 7766 6.2.3). */
  idleTimeoutMs: number;
  /**
   * Queries of one connection that may be unanswered at once (RFC 7766 6.2.1.1). Beyond it the connection's
   * further frames wait, unparsed, and the socket stops reading, so one client cannot queue unbounded work.
   */
  maxInFlightPerConnection: number;
  /**
   * Open connections at most. A connection past it closes the one idle longest (nothing unanswered); when every
   * connection is busy, the new one is closed at once. A busy connection is never cut.
   */
  maxConnections: number;
}

/** What the listener can do to one open connection. */
interface Connection {
  /** Ends the connection once its queries are answered (draining). */
  endWhenAnswered: () => void;
  /** Nothing unanswered and no whole query waiting: closing it loses no answer. */
  idle: () => boolean;
}

const tcpLimit = () => TCP_LIMIT;

export class TcpListener {
  private server: net.Server | null = null;
  /** Open connections, least recently active first (a connection moves to the end when it receives data). */
  private readonly connections = new Map<net.Socket, Connection>();
  private draining = false;

  constructor(
    private readonly processor: QueryProcessor,
    private readonly stats: ServerStats,
    private readonly options: TcpListenerOptions,
  ) {}

  listen(host: string, port: number): Promise<number> {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        this.server = null;
        reject(err);
      };
      server.once('error', onError);
      // Not exclusive: in a node:cluster worker (--workers N, src/workers/) the listener must share the
      // primary's handle so every worker accepts on one port; outside a cluster the flag changes nothing.
      server.listen({ host, port, exclusive: false }, () => {
        server.off('error', onError);
        server.on('error', () => {});
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.connections.keys()) socket.destroy();
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Stop accepting, read no more queries, answer those in flight, then end each connection (RFC 7766 6.2.3:
   * the server may close idle connections). Resolves once every connection is closed; close() cuts the rest.
   */
  async drain(): Promise<void> {
    this.draining = true;
    const server = this.server;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const connection of this.connections.values()) connection.endWhenAnswered();
    await closed;
  }

  private accept(socket: net.Socket): void {
    if (!this.server || this.draining) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.options.maxConnections && !this.closeLongestIdle()) {
      // RFC 7766 6.2.3: every connection is busy; refusing the newcomer keeps the answers in flight.
      this.stats.tcpClosed.refused++;
      socket.destroy();
      return;
    }
    this.stats.tcpConnections++;
    this.stats.tcpOpen++;
    socket.setNoDelay(true);
    const { idleTimeoutMs, maxInFlightPerConnection } = this.options;
    socket.setTimeout(idleTimeoutMs);
    const remoteAddress = socket.remoteAddress ?? '';
    const remotePort = socket.remotePort ?? 0;
    /** Bytes received and not yet handed to the processor: a partial frame, or frames waiting for room. */
    let pending: Buffer | null = null;
    let inFlight = 0;
    let clientEnded = false;
    let finished = false;
    /** Set while frames are being taken from `pending`, so a synchronous reply does not re-enter. */
    let draining = false;

    const hasWholeFrame = () => pending !== null && pending.length >= 2 && pending.length - 2 >= pending.readUInt16BE(0);
    const finishIfDone = () => {
      // The client sent its last query (half-close): end our side once every one of them is answered.
      if (clientEnded && inFlight === 0 && !finished && !hasWholeFrame()) {
        finished = true;
        socket.end();
      }
    };
    /** Draining: the queries in flight are answered, no more are read, then our side ends. */
    let ending = false;
    const endWhenAnswered = () => {
      ending = true;
      socket.pause();
      if (inFlight === 0 && !finished) {
        finished = true;
        // Once the replies and our FIN are out the connection is done, whether or not the client closes its side.
        socket.end(() => socket.destroy());
      }
    };
    const connection: Connection = { endWhenAnswered, idle: () => inFlight === 0 && !hasWholeFrame() };
    this.connections.set(socket, connection);
    const send = (reply: Buffer | null) => {
      inFlight--;
      if (reply && !socket.destroyed) {
        const frame = Buffer.allocUnsafe(2 + reply.length);
        frame.writeUInt16BE(reply.length, 0);
        reply.copy(frame, 2);
        socket.write(frame);
      }
      if (ending) endWhenAnswered();
      else if (!draining && !socket.destroyed) drain();
    };
    /** Hand whole frames to the processor while the connection has room; read more when it has. */
    const drain = () => {
      draining = true;
      let data = pending;
      let offset = 0;
      while (data !== null && inFlight < maxInFlightPerConnection && data.length - offset >= 2) {
        const length = data.readUInt16BE(offset);
        if (length === 0) {
          // A zero-length message cannot be a DNS query: the stream is out of step, so end it.
          socket.destroy();
          return;
        }
        if (data.length - offset - 2 < length) break;
        const message = data.subarray(offset + 2, offset + 2 + length);
        offset += 2 + length;
        inFlight++;
        this.processor.process(message, 'tcp', remoteAddress, remotePort, tcpLimit, send);
        if (socket.destroyed) return;
      }
      draining = false;
      if (data !== null && offset > 0) pending = offset < data.length ? data.subarray(offset) : null;
      if (inFlight >= maxInFlightPerConnection || hasWholeFrame()) {
        if (!socket.isPaused()) socket.pause();
      } else if (socket.isPaused() && !clientEnded) {
        socket.resume();
      }
      finishIfDone();
    };

    socket.on('data', (chunk: Buffer) => {
      if (ending) return;
      // Most recently active last: the cap closes from the front.
      if (this.connections.delete(socket)) this.connections.set(socket, connection);
      pending = pending === null ? chunk : Buffer.concat([pending, chunk]);
      // Replies to the queries of one chunk (pipelined clients send many) leave in one write, not one each.
      socket.cork();
      drain();
      socket.uncork();
    });
    socket.on('end', () => {
      clientEnded = true;
      finishIfDone();
    });
    socket.on('timeout', () => {
      // Idle: nothing unanswered and nothing received for idleTimeoutMs. Busy: look again after another period
      // (a write restarts the timer, but a dropped query writes nothing).
      if (inFlight === 0 && !hasWholeFrame()) {
        this.stats.tcpClosed.idleTimeout++;
        socket.destroy();
      } else {
        socket.setTimeout(idleTimeoutMs);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.stats.tcpOpen--;
      this.connections.delete(socket);
    });
  }

  /** At the cap: close the connection idle longest; false when every one has queries unanswered. */
  private closeLongestIdle(): boolean {
    for (const [socket, connection] of this.connections) {
      if (!connection.idle()) continue;
      this.connections.delete(socket);
      this.stats.tcpClosed.evicted++;
      // Read no more and send our FIN: the client reconnects when it has another query (RFC 7766 6.2.3).
      connection.endWhenAnswered();
      return true;
    }
    return false;
  }
}
