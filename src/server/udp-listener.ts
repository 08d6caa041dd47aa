// DNS over UDP (RFC 1035 4.2.1): one datagram in, at most one datagram out, sized per udpLimit (RFC 6891).
import dgram from 'node:dgram';
import { udpLimit } from '../wire/reply.js';
import type { QueryProcessor, ReplySink } from './query-processor.js';

/**
 * Replies go to the address a datagram came from, always an IP literal: answer dgram's per-send lookup at
 * once instead of through dns.lookup, which defers every send by a process.nextTick.
 */
function literalLookup(address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, address.includes(':') ? 6 : 4);
}

export class UdpListener {
  private socket: dgram.Socket | null = null;
  /** Draining: datagrams that arrive are no longer answered (replies to earlier ones still go out). */
  private answering = true;

  constructor(private readonly processor: QueryProcessor) {}

  /** Bind; resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', lookup: literalLookup });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        socket.close();
        this.socket = null;
        reject(err);
      };
      socket.once('error', onError);
      socket.bind(port, host, () => {
        socket.off('error', onError);
        // A send failure (e.g. ICMP unreachable reported on the socket) must not stop the listener.
        socket.on('error', () => {});
        // One reply sink per socket, not a closure per datagram: the processor hands the client back with the reply.
        const sendReply = (reply: Buffer | null, address: string, replyPort: number) => {
          if (reply !== null && this.socket === socket) socket.send(reply, replyPort, address);
        };
        socket.on('message', (message, remote) => this.onMessage(message, remote, sendReply));
        resolve(socket.address().port);
      });
    });
  }

  /** Answer no more datagrams; replies to those already taken still go out until close(). */
  stopAnswering(): void {
    this.answering = false;
  }

  private onMessage(message: Buffer, remote: dgram.RemoteInfo, sendReply: ReplySink): void {
    if (!this.answering) return;
    this.processor.process(message, 'udp', remote.address, remote.port, udpLimit, sendReply);
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
