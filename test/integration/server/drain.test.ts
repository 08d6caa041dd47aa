// DnsServer.drain over real sockets: after the lameduck, TCP stops accepting, an idle connection is ended at
// once, a connection with a query in flight gets its reply and only then is ended, UDP answers no new datagram,
// and drain resolves once nothing is left.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger.js';
import type { Handler, HandlerResult } from '../../../src/pipeline/handler.js';
import { DnsServer } from '../../../src/server/dns-server.js';
import { RCode, RRType } from '../../../src/wire/types.js';
import { TcpClient, frame, queryBytes, udpExchange } from '../../helpers/raw-query.js';

const servers: DnsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Answers `slow.test` when the test says so; everything else NXDOMAIN at once. */
function slowHandler(): { handler: Handler; arrived: Promise<void>; release: () => void } {
  let release = () => {};
  let arrived = () => {};
  const arrival = new Promise<void>((resolve) => (arrived = resolve));
  const handler: Handler = {
    name: 'slow',
    handle: (request): HandlerResult | Promise<HandlerResult> => {
      if (request.query.qname !== 'slow.test') return { kind: 'error', rcode: RCode.NXDOMAIN };
      arrived();
      return new Promise((resolve) => (release = () => resolve({ kind: 'error', rcode: RCode.REFUSED })));
    },
  };
  return { handler, arrived: arrival, release: () => release() };
}

const refused = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });

describe('DnsServer.drain', () => {
  it('ends idle TCP connections at once, answers the query in flight before ending its connection, and refuses new ones', async () => {
    const slow = slowHandler();
    const server = new DnsServer({ host: '127.0.0.1', port: 0, handler: slow.handler, logger: silentLogger() });
    servers.push(server);
    const { port } = await server.start();
    const idle = await TcpClient.connect(port);
    const busy = await TcpClient.connect(port);
    busy.socket.write(frame(queryBytes('slow.test', RRType.A)));
    await slow.arrived;

    const drained = server.drain(10_000);
    await idle.waitClosed(5000);
    expect(busy.closed).toBe(false);
    expect(await refused(port)).toBe('ECONNREFUSED');
    // UDP takes no new query once draining.
    expect(await udpExchange(port, queryBytes('other.test', RRType.A), 300)).toBeNull();

    slow.release();
    const [reply] = await busy.waitFor(1, 5000);
    expect(reply.rcode).toBe(RCode.REFUSED);
    await busy.waitClosed(5000);
    // Resolved by the connections closing, not by the 10 s deadline.
    const started = performance.now();
    await drained;
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('cuts what is still in flight once its deadline passes', async () => {
    const slow = slowHandler();
    const server = new DnsServer({ host: '127.0.0.1', port: 0, handler: slow.handler, logger: silentLogger() });
    servers.push(server);
    const { port } = await server.start();
    const busy = await TcpClient.connect(port);
    busy.socket.write(frame(queryBytes('slow.test', RRType.A)));
    await slow.arrived;
    await server.drain(200);
    await busy.waitClosed(5000);
    expect(busy.replies).toHaveLength(0);
    slow.release();
  });
});
