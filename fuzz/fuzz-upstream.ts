// A loopback upstream for the server target, so that mutated queries outside the cluster zone exercise the
// forwarder and the cache without leaving the machine: every readable query gets NXDOMAIN with its question.
import dgram from 'node:dgram';
import { parseQuery } from '../src/wire/query.js';
import { buildErrorReply } from '../src/wire/reply.js';
import { RCode } from '../src/wire/types.js';

export class FuzzUpstream {
  private socket: dgram.Socket | null = null;
  port = 0;

  async start(): Promise<number> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    socket.on('message', (packet, remote) => {
      const parsed = parseQuery(packet);
      if (parsed.kind !== 'ok') return;
      const { query } = parsed;
      socket.send(buildErrorReply(packet, query.id, query.flags, query.questionEnd, query.edns, RCode.NXDOMAIN), remote.port, remote.address);
    });
    this.socket = socket;
    this.port = socket.address().port;
    return this.port;
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
