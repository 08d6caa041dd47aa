// DNS over TCP (RFC 1035 4.2.2, RFC 7766): 2-byte length framing, several queries per connection, pipelined
// queries answered as each is ready (RFC 7766 6.2.1.1), an idle timeout (6.2.3), and replies still written
// after the client half-closes its side.
import net from 'node:net';
import { TCP_LIMIT } from '../wire/types.js';
import type { QueryProcessor } from './query-processor.js';
import type { ServerStats } from './server-stats.js';

export interface TcpListenerOptions {
  /** Close a connection with no query in flight after this long without traffic (RFC 7766 6.2.3). */
  idleTimeoutMs: number;
  /** Stop reading from a connection while this many of its queries are unanswered (RFC 7766 6.2.1.1). */
  maxInFlightPerConnection: number;
}

const tcpLimit = () => TCP_LIMIT;

export class TcpListener {
  private server: net.Server | null = null;
  private readonly connections = new Set<net.Socket>();

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
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', onError);
        server.on('error', () => {});
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.connections.add(socket);
    this.stats.tcpConnections++;
    socket.setNoDelay(true);
    socket.setTimeout(this.options.idleTimeoutMs);
    const remoteAddress = socket.remoteAddress ?? '';
    const remotePort = socket.remotePort ?? 0;
    let pending: Buffer | null = null;
    let inFlight = 0;
    let clientEnded = false;
    let closed = false;

    const finishIfDone = () => {
      if (clientEnded && inFlight === 0 && !closed) {
        closed = true;
        socket.end();
      }
    };
    const send = (reply: Buffer | null) => {
      inFlight--;
      if (reply && !socket.destroyed) {
        const frame = Buffer.allocUnsafe(2 + reply.length);
        frame.writeUInt16BE(reply.length, 0);
        reply.copy(frame, 2);
        socket.write(frame);
      }
      if (inFlight < this.options.maxInFlightPerConnection && socket.isPaused() && !clientEnded) socket.resume();
      finishIfDone();
    };

    socket.on('data', (chunk: Buffer) => {
      let data = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = null;
      let offset = 0;
      while (data.length - offset >= 2) {
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
      if (offset < data.length) pending = Buffer.from(data.subarray(offset));
      if (inFlight >= this.options.maxInFlightPerConnection) socket.pause();
    });
    socket.on('end', () => {
      clientEnded = true;
      finishIfDone();
    });
    socket.on('timeout', () => {
      if (inFlight === 0) socket.destroy();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
  }
}
