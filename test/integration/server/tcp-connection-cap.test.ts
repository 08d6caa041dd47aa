// RFC 7766 6.2.3 under pressure: with the cap on open TCP connections lowered to 20, more clients than that
// still get answers over TCP and UDP; the server closes the connection idle longest to make room, never one
// with a query unanswered, and refuses a newcomer only when every connection is busy.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger.js';
import type { DnsRequest, Handler, HandlerResult } from '../../../src/pipeline/handler.js';
import { DnsServer } from '../../../src/server/dns-server.js';
import { compileAnswer } from '../../../src/wire/compiled-answer.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';
import { TcpClient, frame, queryBytes, udpQuery } from '../../helpers/raw-query.js';

/** Answers every name with 192.0.2.1; `held.test` only once the test releases it. */
function gatedHandler() {
  const held: Array<() => void> = [];
  const arrivals: Array<() => void> = [];
  const answerOf = (qname: string, qtype: number): HandlerResult => ({
    kind: 'answer',
    answer: compileAnswer(qname, qtype, RRClass.IN, { answer: [{ name: qname, type: RRType.A, class: RRClass.IN, ttl: 5, data: '192.0.2.1' }], authority: [], additional: [] }, RCode.NOERROR, true),
  });
  const handler: Handler = {
    name: 'gated',
    handle(request: DnsRequest) {
      const { qname, qtype } = request.query;
      if (qname !== 'held.test') return answerOf(qname, qtype);
      for (const arrived of arrivals.splice(0)) arrived();
      return new Promise<HandlerResult>((resolve) => held.push(() => resolve(answerOf(qname, qtype))));
    },
  };
  return {
    handler,
    /** Resolves once `count` held queries are waiting in the handler. */
    async heldCount(count: number): Promise<void> {
      while (held.length < count) await new Promise<void>((resolve) => arrivals.push(resolve));
    },
    release: () => held.splice(0).forEach((answer) => answer()),
  };
}

const servers: DnsServer[] = [];
const clients: TcpClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(handler: Handler, maxConnections: number): Promise<{ server: DnsServer; port: number }> {
  const server = new DnsServer({ host: '127.0.0.1', port: 0, handler, logger: silentLogger(), tcpMaxConnections: maxConnections });
  servers.push(server);
  return { server, port: (await server.start()).port };
}

async function connect(port: number): Promise<TcpClient> {
  const client = await TcpClient.connect(port);
  clients.push(client);
  return client;
}

/** Resolves once the server has accepted `count` connections in all. */
async function accepted(server: DnsServer, count: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (server.stats.tcpConnections + server.stats.tcpClosed.refused < count) {
    if (Date.now() > deadline) throw new Error(`server accepted ${server.stats.tcpConnections}/${count} connections`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('--tcp-max-conns: the cap on open TCP connections (RFC 7766 6.2.3)', () => {
  it('past a cap of 20, closes the longest-idle connections first, keeps the busy one and still answers new TCP and UDP queries', async () => {
    const gate = gatedHandler();
    const { server, port } = await start(gate.handler, 20);
    const first: TcpClient[] = [];
    for (let i = 0; i < 20; i++) {
      first.push(await connect(port));
      await accepted(server, i + 1); // one at a time, so the server's idle order is the order of this array
    }
    // The oldest connection has a query in flight: busy, so it must survive the pressure.
    first[0].socket.write(frame(queryBytes('held.test', RRType.A)));
    await gate.heldCount(1);

    const extra: TcpClient[] = [];
    for (let i = 0; i < 5; i++) {
      extra.push(await connect(port));
      await accepted(server, 21 + i);
    }
    // The five idle longest (1..5; 0 is busy) were closed to make room, each with our FIN.
    await Promise.all(first.slice(1, 6).map((client) => client.waitClosed(5000)));
    expect(server.stats.tcpClosed).toEqual({ idleTimeout: 0, evicted: 5, refused: 0 });
    expect(server.stats.tcpOpen).toBe(20);

    // The rest are open and answer: the newer idle ones, and the new ones.
    for (const client of [...first.slice(6), ...extra]) {
      client.socket.write(frame(queryBytes('still.test', RRType.A)));
      const [reply] = await client.waitFor(1);
      expect(reply.answers.map((record) => record.data)).toEqual(['192.0.2.1']);
    }
    expect(first[0].closed).toBe(false);
    expect(await udpQuery(port, 'udp.test', RRType.A)).toMatchObject({ rcode: RCode.NOERROR });

    // A new TCP client at the cap is answered too (it closes the now idle-longest connection).
    const late = await connect(port);
    late.socket.write(frame(queryBytes('late.test', RRType.A)));
    expect((await late.waitFor(1))[0].answers).toHaveLength(1);
    expect(server.stats.tcpClosed.evicted).toBe(6);

    // The busy connection gets its answer once the handler has it: it was never cut.
    gate.release();
    const [held] = await first[0].waitFor(1);
    expect(held).toMatchObject({ rcode: RCode.NOERROR, questions: [{ name: 'held.test' }] });
    expect(first[0].closed).toBe(false);
  });

  it('when every connection has a query unanswered, closes the newcomer and answers the busy ones', async () => {
    const gate = gatedHandler();
    const { server, port } = await start(gate.handler, 3);
    const busy: TcpClient[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await connect(port);
      client.socket.write(frame(queryBytes('held.test', RRType.A)));
      await gate.heldCount(i + 1);
      busy.push(client);
    }
    const newcomer = await connect(port);
    await newcomer.waitClosed(5000);
    expect(server.stats.tcpClosed).toEqual({ idleTimeout: 0, evicted: 0, refused: 1 });
    gate.release();
    for (const client of busy) expect((await client.waitFor(1))[0].rcode).toBe(RCode.NOERROR);
    expect(await udpQuery(port, 'udp.test', RRType.A)).toMatchObject({ rcode: RCode.NOERROR });
  });

  it('counts a connection closed by the idle timeout, and the open gauge returns to zero', async () => {
    const server = new DnsServer({ host: '127.0.0.1', port: 0, handler: gatedHandler().handler, logger: silentLogger(), tcpIdleTimeoutMs: 100 });
    servers.push(server);
    const { port } = await server.start();
    const client = await connect(port);
    await client.waitClosed(5000);
    expect(server.stats.tcpClosed.idleTimeout).toBe(1);
    const deadline = Date.now() + 5000;
    while (server.stats.tcpOpen !== 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(server.stats.tcpOpen).toBe(0);
  });
});
