// The soak's DNS clients: UDP sockets and persistent TCP connections (RFC 7766 pipelining: many queries in
// flight on one connection, matched by id). Every query ends: a reply, or null after the timeout or when its
// connection closes.
import dgram from 'node:dgram';
import net from 'node:net';
import { createMessage, decodeMessage, encodeMessage, type Message } from '../../src/wire/message.js';
import { RRClass, RRType } from '../../src/wire/types.js';

interface Pending {
  name: string;
  resolve: (reply: Message | null) => void;
  timer: NodeJS.Timeout;
}

/** Ids in flight on one socket or connection; a reply is matched by id and question. */
class PendingQueries {
  private readonly byId = new Map<number, Pending>();
  private nextId = Math.floor(Math.random() * 65_536);
  /** Replies that matched no query in flight (late after a timeout, or a wrong question). */
  unmatched = 0;

  get size(): number {
    return this.byId.size;
  }

  add(name: string, timeoutMs: number, resolve: (reply: Message | null) => void): number | null {
    if (this.byId.size >= 60_000) return null;
    while (this.byId.has(this.nextId)) this.nextId = (this.nextId + 1) & 0xffff;
    const id = this.nextId;
    this.nextId = (this.nextId + 1) & 0xffff;
    const timer = setTimeout(() => {
      this.byId.delete(id);
      resolve(null);
    }, timeoutMs);
    this.byId.set(id, { name, resolve, timer });
    return id;
  }

  settle(packet: Buffer): void {
    let reply: Message;
    try {
      reply = decodeMessage(packet);
    } catch {
      this.unmatched++;
      return;
    }
    const pending = this.byId.get(reply.id);
    if (!pending || reply.questions[0]?.name.toLowerCase() !== pending.name.toLowerCase()) {
      this.unmatched++;
      return;
    }
    clearTimeout(pending.timer);
    this.byId.delete(reply.id);
    pending.resolve(reply);
  }

  failAll(): void {
    for (const [id, pending] of this.byId) {
      clearTimeout(pending.timer);
      this.byId.delete(id);
      pending.resolve(null);
    }
  }
}

function queryBytes(id: number, name: string): Buffer {
  return encodeMessage(createMessage({ id, rd: true, questions: [{ name, type: RRType.A, class: RRClass.IN }] }));
}

export interface DnsClient {
  query(name: string): Promise<Message | null>;
  /** Replies that matched nothing in flight. */
  readonly unmatched: number;
  close(): Promise<void>;
}

export class UdpClient implements DnsClient {
  private readonly pending = new PendingQueries();
  private readonly socket = dgram.createSocket('udp4');
  private closing: Promise<void> | null = null;

  constructor(
    private readonly port: number,
    private readonly timeoutMs: number,
  ) {
    this.socket.on('message', (packet) => this.pending.settle(packet));
    this.socket.on('error', () => this.pending.failAll());
  }

  get unmatched(): number {
    return this.pending.unmatched;
  }

  query(name: string): Promise<Message | null> {
    return new Promise((resolve) => {
      const id = this.pending.add(name, this.timeoutMs, resolve);
      if (id === null) return resolve(null);
      this.socket.send(queryBytes(id, name), this.port, '127.0.0.1');
    });
  }

  close(): Promise<void> {
    this.pending.failAll();
    this.closing ??= new Promise((resolve) => this.socket.close(() => resolve()));
    return this.closing;
  }
}

export class TcpClient implements DnsClient {
  private readonly pending = new PendingQueries();
  private socket: net.Socket | null = null;
  private closed = false;
  /** Connections opened (1 + reconnects after the server closed one). */
  connections = 0;

  constructor(
    private readonly port: number,
    private readonly timeoutMs: number,
  ) {}

  get unmatched(): number {
    return this.pending.unmatched;
  }

  private connection(): net.Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = net.connect(this.port, '127.0.0.1');
    this.connections++;
    socket.setNoDelay(true);
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        this.pending.settle(buffered.subarray(2, 2 + length));
        buffered = buffered.subarray(2 + length);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      this.pending.failAll();
    });
    this.socket = socket;
    return socket;
  }

  query(name: string): Promise<Message | null> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(null);
      const id = this.pending.add(name, this.timeoutMs, resolve);
      if (id === null) return resolve(null);
      const bytes = queryBytes(id, name);
      const framed = Buffer.alloc(2 + bytes.length);
      framed.writeUInt16BE(bytes.length, 0);
      bytes.copy(framed, 2);
      this.connection().write(framed);
    });
  }

  close(): Promise<void> {
    this.closed = true;
    this.pending.failAll();
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }
}
