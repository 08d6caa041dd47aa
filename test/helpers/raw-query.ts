// Crafted packets over real sockets, for what dig cannot send.
import dgram from 'node:dgram';
import net from 'node:net';
import { createMessage, decodeMessage, encodeMessage, type Message } from '../../src/wire/message.js';
import { RRClass } from '../../src/wire/types.js';

export function queryBytes(name: string, type: number, extra: Partial<Parameters<typeof createMessage>[0]> = {}): Buffer {
  return encodeMessage(createMessage({ id: 0x1234, rd: true, questions: [{ name, type, class: RRClass.IN }], ...extra }));
}

/** Send one datagram; resolve with the reply, or null when none arrives within `timeoutMs`. */
export function udpExchange(port: number, packet: Uint8Array, timeoutMs = 1000): Promise<Buffer | null> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(null), timeoutMs);
    function finish(reply: Buffer | null) {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    }
    socket.once('message', (message) => finish(message));
    socket.send(packet, port, '127.0.0.1');
  });
}

export async function udpQuery(port: number, name: string, type: number): Promise<Message> {
  const reply = await udpExchange(port, queryBytes(name, type));
  if (!reply) throw new Error(`no UDP reply for ${name}`);
  return decodeMessage(reply);
}

export function frame(message: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + message.length);
  out.writeUInt16BE(message.length, 0);
  Buffer.from(message).copy(out, 2);
  return out;
}

/** A TCP connection that collects length-prefixed replies. */
export class TcpClient {
  readonly replies: Buffer[] = [];
  closed = false;
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 2 && this.buffer.length >= 2 + this.buffer.readUInt16BE(0)) {
        const length = this.buffer.readUInt16BE(0);
        this.replies.push(this.buffer.subarray(2, 2 + length));
        this.buffer = this.buffer.subarray(2 + length);
      }
      this.wake();
    });
    // The server ending its side (FIN) or resetting both count as closed: with allowHalfOpen the client
    // would otherwise keep its own side open and never see 'close'.
    for (const event of ['end', 'close']) {
      socket.on(event, () => {
        this.closed = true;
        this.wake();
      });
    }
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => resolve(new TcpClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Resolve once `count` replies arrived (or the connection closed); reject after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 2000): Promise<Message[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < count && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out with ${this.replies.length}/${count} TCP replies`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.replies.slice(0, count).map((reply) => decodeMessage(reply));
  }

  /** Resolve when the server closes the connection; reject after `timeoutMs`. */
  async waitClosed(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
