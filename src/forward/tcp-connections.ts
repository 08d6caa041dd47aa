// Persistent TCP connections to one upstream, as CoreDNS keeps them (plugin/pkg/proxy, `forward { expire D }`):
// a question that goes over TCP (force_tcp, or a truncated UDP reply) is written to an open connection when
// there is one, several in flight at once and matched to their replies by id, which may come in any order
// (RFC 7766 6.2.1.1 pipelining); a connection left idle for `expireMs` is closed by us, the client (RFC 7766
// 6.2.3). A connection that carried queries before and closes before a reply (the upstream timed it out as we
// wrote) is retried once on a fresh connection within the same timeout, as CoreDNS does on ErrCachedClosed. A
// connection on which a question timed out takes no new ones (it may be dead without a FIN or RST reaching us,
// and would otherwise never go idle to expire) and closes once its last question is done.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface TcpConnectionsOptions {
  host: string;
  port: number;
  /** Idle time after which a connection is closed (CoreDNS `expire`, default 10 s). */
  expireMs: number;
  /** Queries in flight on one connection before another one is opened. */
  maxPipelined?: number;
  /** Ends every connection and query at once. */
  signal: AbortSignal;
  /** Called for a reply whose id no query in flight has (a query that timed out meanwhile). */
  onStray?: () => void;
}

export type TcpAskResult = { ok: true; reply: Buffer; id: number } | { ok: false; failure: 'timeout' | 'network'; detail: string };

/** CoreDNS's `expire` default. */
export const DEFAULT_EXPIRE_MS = 10_000;
const DEFAULT_MAX_PIPELINED = 100;

type Deliver = (result: TcpAskResult) => void;

class PipelinedConnection {
  readonly socket: net.Socket;
  readonly pending = new Map<number, Deliver>();
  /** Queries written so far: a query written after others rides a reused connection. */
  sent = 0;
  closed = false;
  /** A question timed out on it: no new ones, closed when the last is done. */
  retired = false;
  private buffered: Buffer = Buffer.alloc(0);
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    options: TcpConnectionsOptions,
    private readonly onClosed: (connection: PipelinedConnection) => void,
  ) {
    this.socket = net.connect({ host: options.host, port: options.port });
    this.socket.setNoDelay(true);
    this.socket.on('error', () => {}); // 'close' follows and fails what is pending
    this.socket.on('close', () => this.closeWith('TCP connection closed before a whole reply'));
    this.socket.on('data', (chunk: Buffer) => this.read(chunk, options.onStray));
  }

  write(id: number, packet: Buffer, deliver: Deliver): void {
    this.stopIdleTimer();
    this.pending.set(id, deliver);
    this.sent++;
    const framed = Buffer.allocUnsafe(packet.length + 2);
    framed.writeUInt16BE(packet.length, 0);
    packet.copy(framed, 2);
    this.socket.write(framed);
  }

  /** Forgets a query that timed out: the connection is retired. */
  timedOut(id: number, expireMs: number): void {
    this.pending.delete(id);
    this.retired = true;
    this.idleIfDone(expireMs);
  }

  idleIfDone(expireMs: number): void {
    if (this.pending.size > 0 || this.closed || this.idleTimer !== null) return;
    if (this.retired) {
      this.socket.destroy();
      this.closeWith('retired');
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.socket.destroy();
      this.closeWith('expired');
    }, expireMs);
    this.idleTimer.unref(); // an idle upstream connection never keeps a process alive
  }

  destroy(): void {
    this.socket.destroy();
    this.closeWith('the forwarder was closed');
  }

  private stopIdleTimer(): void {
    if (this.idleTimer === null) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private closeWith(detail: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopIdleTimer();
    this.onClosed(this);
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const deliver of waiting) deliver({ ok: false, failure: 'network', detail });
  }

  /** Length-framed replies (RFC 7766 8), each handed to the query with its id. */
  private read(chunk: Buffer, onStray: (() => void) | undefined): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 2) {
      const length = this.buffered.readUInt16BE(0);
      if (this.buffered.length < 2 + length) return;
      const reply = this.buffered.subarray(2, 2 + length);
      this.buffered = this.buffered.subarray(2 + length);
      const id = reply.length >= 2 ? reply.readUInt16BE(0) : -1;
      const deliver = this.pending.get(id);
      if (deliver === undefined) {
        onStray?.();
        continue;
      }
      this.pending.delete(id);
      deliver({ ok: true, reply, id });
    }
  }
}

export class TcpConnections {
  private readonly connections = new Set<PipelinedConnection>();
  private readonly maxPipelined: number;

  constructor(private readonly options: TcpConnectionsOptions) {
    this.maxPipelined = options.maxPipelined ?? DEFAULT_MAX_PIPELINED;
    options.signal.addEventListener('abort', () => this.close(), { once: true });
  }

  /** Connections open now. */
  get open(): number {
    return this.connections.size;
  }

  /** Queries written and waiting for their reply. */
  get inFlight(): number {
    let waiting = 0;
    for (const connection of this.connections) waiting += connection.pending.size;
    return waiting;
  }

  /**
   * Sends the packet `packetFor(id)` (with an id no other query in flight on that connection has) and resolves
   * with the reply carrying that id; never rejects.
   */
  async ask(packetFor: (id: number) => Buffer, randomId: () => number, timeoutMs: number): Promise<TcpAskResult> {
    const deadline = performance.now() + timeoutMs;
    const connection = this.pick(false);
    const reused = connection.sent > 0;
    const first = await this.askOn(connection, packetFor, randomId, timeoutMs);
    const left = deadline - performance.now();
    if (first.ok || first.failure !== 'network' || !reused || left <= 0 || this.options.signal.aborted) return first;
    // The upstream closed a connection we had used before: the query may never have reached it.
    return this.askOn(this.pick(true), packetFor, randomId, left);
  }

  close(): void {
    for (const connection of [...this.connections]) connection.destroy();
  }

  private pick(fresh: boolean): PipelinedConnection {
    if (!fresh) {
      let best: PipelinedConnection | null = null;
      for (const connection of this.connections) {
        if (!connection.retired && connection.pending.size < this.maxPipelined && (best === null || connection.pending.size < best.pending.size)) best = connection;
      }
      if (best !== null) return best;
    }
    const connection = new PipelinedConnection(this.options, (closed) => this.connections.delete(closed));
    this.connections.add(connection);
    return connection;
  }

  private askOn(connection: PipelinedConnection, packetFor: (id: number) => Buffer, randomId: () => number, timeoutMs: number): Promise<TcpAskResult> {
    let id = randomId();
    while (connection.pending.has(id)) id = randomId();
    const packet = packetFor(id);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        connection.timedOut(id, this.options.expireMs);
        resolve({ ok: false, failure: 'timeout', detail: `no TCP reply within ${Math.round(timeoutMs)} ms` });
      }, timeoutMs);
      connection.write(id, packet, (result) => {
        clearTimeout(timer);
        connection.idleIfDone(this.options.expireMs);
        resolve(result);
      });
    });
  }
}
