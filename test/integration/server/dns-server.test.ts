import dgram from 'node:dgram';
import net, { isIP } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { DnsRequest, Handler, HandlerResult } from '../../../src/pipeline/handler.js';
import { DnsServer, type DnsServerOptions } from '../../../src/server/dns-server.js';
import { compileAnswer } from '../../../src/wire/compiled-answer.js';
import { decodeMessage, encodeMessage, createMessage } from '../../../src/wire/message.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';
import { TcpClient, frame, queryBytes, udpExchange, udpQuery } from '../../helpers/raw-query.js';

/** Answers `<anything>` A with 192.0.2.1; `boom.test` throws; `slow.test` answers after 50 ms; others skip. */
const testHandler: Handler = {
  name: 'test',
  handle(request: DnsRequest): HandlerResult | Promise<HandlerResult> {
    const { qname, qtype } = request.query;
    if (qname === 'boom.test') throw new Error('handler exploded');
    if (!qname.endsWith('.test')) return { kind: 'skip' };
    const answer = compileAnswer(qname, qtype, RRClass.IN, {
      answer: [{ name: qname, type: RRType.A, class: RRClass.IN, ttl: 5, data: '192.0.2.1' }],
      authority: [],
      additional: [],
    }, RCode.NOERROR, true);
    if (qname === 'slow.test') return new Promise((resolve) => setTimeout(() => resolve({ kind: 'answer', answer }), 50));
    return { kind: 'answer', answer };
  },
};

const servers: DnsServer[] = [];
async function start(options: Partial<DnsServerOptions> = {}): Promise<number> {
  const server = new DnsServer({ host: '127.0.0.1', port: 0, handler: testHandler, logger: silentLogger(), ...options });
  servers.push(server);
  return (await server.start()).port;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('DnsServer over UDP', () => {
  it('answers, echoing the id and the question', async () => {
    const port = await start();
    const reply = await udpQuery(port, 'a.test', RRType.A);
    expect(reply).toMatchObject({ id: 0x1234, qr: true, aa: true, rcode: RCode.NOERROR });
    expect(reply.questions).toEqual([{ name: 'a.test', type: RRType.A, class: RRClass.IN }]);
    expect(reply.answers.map((r) => r.data)).toEqual(['192.0.2.1']);
  });

  it('replies to IPv6 and IPv4-mapped clients of an IPv6 socket (the reply address is the datagram source)', async () => {
    const server = new DnsServer({ host: '::', port: 0, handler: testHandler, logger: silentLogger() });
    servers.push(server);
    const { port } = await server.start();
    for (const [type, address] of [['udp6', '::1'], ['udp4', '127.0.0.1']] as const) {
      const socket = dgram.createSocket(type);
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply over ${type}`)), 2000);
        socket.once('message', (message) => {
          clearTimeout(timer);
          resolve(message);
        });
        socket.send(queryBytes('v6.test', RRType.A), port, address);
      });
      socket.close();
      expect(decodeMessage(reply).answers.map((r) => r.data)).toEqual(['192.0.2.1']);
    }
  });

  it('answers asynchronous handlers too', async () => {
    const port = await start();
    expect((await udpQuery(port, 'slow.test', RRType.A)).answers).toHaveLength(1);
  });

  it('answers REFUSED when no handler claims the name', async () => {
    const port = await start();
    expect((await udpQuery(port, 'example.com', RRType.A)).rcode).toBe(RCode.REFUSED);
  });

  it('answers SERVFAIL when a handler throws, and keeps answering', async () => {
    const port = await start();
    expect((await udpQuery(port, 'boom.test', RRType.A)).rcode).toBe(RCode.SERVFAIL);
    expect(servers[0].stats.panics).toBe(1);
    expect((await udpQuery(port, 'a.test', RRType.A)).rcode).toBe(RCode.NOERROR);
  });

  it('drops packets without a readable header, and responses', async () => {
    const port = await start();
    expect(await udpExchange(port, Buffer.from([1, 2, 3]), 300)).toBeNull();
    const response = encodeMessage(createMessage({ id: 5, qr: true, questions: [{ name: 'a.test', type: 1, class: 1 }] }));
    expect(await udpExchange(port, response, 300)).toBeNull();
  });

  it('answers FORMERR for a readable header with junk, and for two questions', async () => {
    const port = await start();
    const junk = Buffer.concat([queryBytes('a.test', RRType.A).subarray(0, 12), Buffer.from([0xc0, 0xff, 0xff])]);
    const junkReply = await udpExchange(port, junk);
    expect(junkReply && decodeMessage(junkReply).rcode).toBe(RCode.FORMERR);
    const two = encodeMessage(createMessage({ id: 7, questions: [{ name: 'a.test', type: 1, class: 1 }, { name: 'b.test', type: 1, class: 1 }] }));
    const twoReply = await udpExchange(port, two);
    expect(twoReply && decodeMessage(twoReply)).toMatchObject({ id: 7, rcode: RCode.FORMERR });
  });

  it('answers NOTIMP for opcodes other than QUERY', async () => {
    const port = await start();
    const reply = await udpExchange(port, queryBytes('a.test', RRType.A, { opcode: 2 }));
    expect(reply && decodeMessage(reply)).toMatchObject({ rcode: RCode.NOTIMP, opcode: 2 });
  });

  it('1,000 garbage packets: each is counted, short ones dropped, the rest answered (mostly FORMERR), and it still answers', async () => {
    const port = await start();
    const stats = servers[0]!.stats;
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const replies: Buffer[] = [];
    let onReply: (() => void) | undefined;
    socket.on('message', (message) => {
      replies.push(message);
      onReply?.();
    });
    const SENTINEL_ID = 0xbeef;
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256);
    const sent: Buffer[] = [];
    try {
      // Batches of 50, each followed by a valid query: the listener handles datagrams in order, so the
      // sentinel's reply means the batch before it was processed (and no socket buffer overflows).
      for (let batch = 0; batch < 20; batch++) {
        for (let k = 0; k < 50; k++) {
          const i = batch * 50 + k;
          const packet = Buffer.from(Array.from({ length: 1 + (i % 80) }, random));
          if (packet.length > 2) packet[2]! &= 0x07; // QR=0 and opcode QUERY: past the header checks to the parser
          if (packet.length >= 12 && i % 2 === 1) packet.writeUInt16BE(1, 4); // QDCOUNT 1: random bytes as the question
          sent.push(packet);
          socket.send(packet, port, '127.0.0.1');
        }
        const answered = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`batch ${batch}: no sentinel reply`)), 2000);
          onReply = () => {
            if (replies.at(-1)!.readUInt16BE(0) !== SENTINEL_ID) return;
            clearTimeout(timer);
            resolve();
          };
        });
        socket.send(queryBytes('sentinel.test', RRType.A, { id: SENTINEL_ID }), port, '127.0.0.1');
        await answered;
      }
    } finally {
      socket.close();
    }

    const short = sent.filter((packet) => packet.length < 12).length; // no DNS header: nothing to reply to
    const garbageReplies = replies.filter((reply) => reply.readUInt16BE(0) !== SENTINEL_ID);
    const rcodes = garbageReplies.map((reply) => reply[3]! & 0x0f);
    const formerr = rcodes.filter((rcode) => rcode === RCode.FORMERR).length;

    expect(stats.requests.udp).toBe(1000 + 20);
    expect(stats.dropped).toBe(short);
    expect(replies).toHaveLength(1000 - short + 20);
    expect(garbageReplies).toHaveLength(1000 - short);
    // The counters agree with what went on the wire, rcode by rcode.
    expect(stats.responses[RCode.FORMERR]).toBe(formerr);
    expect(Object.values(stats.responses).reduce((sum, n) => sum + n, 0)).toBe(replies.length);
    expect(stats.panics).toBe(0);
    // Random bytes after a query header are almost never a valid question: most replies are FORMERR.
    expect(formerr).toBeGreaterThan(0.8 * (1000 - short));
    // Every reply is a response carrying the id of the packet it answers, in the order they were sent.
    const answeredIds = sent.filter((packet) => packet.length >= 12).map((packet) => packet.readUInt16BE(0));
    expect(garbageReplies.map((reply) => reply.readUInt16BE(0))).toEqual(answeredIds);
    for (const reply of replies) expect(reply[2]! & 0x80).toBe(0x80);
    expect((await udpQuery(port, 'a.test', RRType.A)).rcode).toBe(RCode.NOERROR);
  });
});

describe('DnsServer over TCP (RFC 7766)', () => {
  it('answers on the same port as UDP, several queries on one connection', async () => {
    const port = await start();
    const client = await TcpClient.connect(port);
    client.socket.write(frame(queryBytes('a.test', RRType.A)));
    await client.waitFor(1);
    client.socket.write(frame(queryBytes('b.test', RRType.A)));
    const replies = await client.waitFor(2);
    expect(replies.map((r) => r.questions[0].name)).toEqual(['a.test', 'b.test']);
    client.destroy();
  });

  it('reassembles a query split byte by byte', async () => {
    const port = await start();
    const client = await TcpClient.connect(port);
    for (const byte of frame(queryBytes('split.test', RRType.A))) {
      client.socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await client.waitFor(1))[0].answers).toHaveLength(1);
    client.destroy();
  });

  it('answers pipelined queries sent in one write, each as it is ready', async () => {
    const port = await start();
    const client = await TcpClient.connect(port);
    client.socket.write(Buffer.concat(['slow.test', 'a.test', 'b.test'].map((name) => frame(queryBytes(name, RRType.A)))));
    const replies = await client.waitFor(3);
    // The slow one is answered last: replies are not held back for order (RFC 7766 6.2.1.1).
    expect(replies.map((r) => r.questions[0].name)).toEqual(['a.test', 'b.test', 'slow.test']);
    client.destroy();
  });

  it('still delivers the reply after the client half-closes', async () => {
    const port = await start();
    const client = await TcpClient.connect(port);
    client.socket.end(frame(queryBytes('slow.test', RRType.A)));
    expect((await client.waitFor(1))[0].answers).toHaveLength(1);
    await client.waitClosed(2000);
  });

  it('closes idle connections', async () => {
    const port = await start({ tcpIdleTimeoutMs: 150 });
    const client = await TcpClient.connect(port);
    await client.waitClosed(2000);
    expect(client.closed).toBe(true);
  });

  it('a zero-length frame closes only that connection', async () => {
    const port = await start();
    const bad = await TcpClient.connect(port);
    const good = await TcpClient.connect(port);
    bad.socket.write(Buffer.from([0, 0]));
    await bad.waitClosed(2000);
    good.socket.write(frame(queryBytes('a.test', RRType.A)));
    expect((await good.waitFor(1))[0].rcode).toBe(RCode.NOERROR);
    good.destroy();
  });
});

describe('DnsServer lifecycle', () => {
  it('rejects with SERVER_LISTEN when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const server = new DnsServer({ host: '127.0.0.1', port, handler: testHandler, logger: silentLogger() });
    await expect(server.start()).rejects.toMatchObject({ code: ErrorCodes.SERVER_LISTEN, message: expect.stringContaining(`127.0.0.1:${port} is in use (TCP)`) });
    await server.close();
    await new Promise((resolve) => blocker.close(resolve));
  });

  it('close() releases both sockets and open connections', async () => {
    const port = await start();
    const client = await TcpClient.connect(port);
    await servers.pop()!.close();
    await client.waitClosed(2000);
    expect(await udpExchange(port, queryBytes('a.test', RRType.A), 200)).toBeNull();
  });
});

/** A handler whose answers wait until the test releases them; counts how many wait at once. */
function heldHandler() {
  const waiting: Array<() => void> = [];
  const state = { calls: 0, concurrent: 0, maxConcurrent: 0 };
  const handler: Handler = {
    name: 'held',
    handle(request) {
      state.calls++;
      state.concurrent++;
      state.maxConcurrent = Math.max(state.maxConcurrent, state.concurrent);
      const result = testHandler.handle(request) as HandlerResult;
      return new Promise((resolve) =>
        waiting.push(() => {
          state.concurrent--;
          resolve(result);
        }),
      );
    },
  };
  const releaseAll = () => {
    for (const release of waiting.splice(0)) release();
  };
  return { handler, state, releaseAll };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DnsServer over TCP: bounds and edge cases', () => {
  it('works on at most maxInFlight queries of a connection at once, and answers them all', async () => {
    const held = heldHandler();
    const port = await start({ handler: held.handler, tcpMaxInFlightPerConnection: 3 });
    const client = await TcpClient.connect(port);
    const names = Array.from({ length: 10 }, (_, i) => `q${i}.test`);
    client.socket.write(Buffer.concat(names.map((name) => frame(queryBytes(name, RRType.A)))));
    await tick(100);
    expect(held.state.calls).toBe(3);
    const deadline = Date.now() + 3000;
    while (client.replies.length < 10 && Date.now() < deadline) {
      held.releaseAll();
      await tick(10);
    }
    const replies = await client.waitFor(10);
    expect(replies.map((r) => r.questions[0].name).sort()).toEqual([...names].sort());
    expect(held.state.maxConcurrent).toBe(3);
    client.destroy();
  });

  it('answers 300 pipelined asynchronous queries in one write through a small bound', async () => {
    const port = await start({ tcpMaxInFlightPerConnection: 16 });
    const client = await TcpClient.connect(port);
    client.socket.write(Buffer.concat(Array.from({ length: 300 }, () => frame(queryBytes('slow.test', RRType.A)))));
    const replies = await client.waitFor(300, 5000);
    expect(replies.every((r) => r.rcode === RCode.NOERROR && r.answers.length === 1)).toBe(true);
    client.destroy();
  });

  it('answers 1,000 pipelined synchronous queries sent in one write', async () => {
    const port = await start();
    const client = await TcpClient.connect(port);
    client.socket.write(Buffer.concat(Array.from({ length: 1000 }, (_, i) => frame(queryBytes(`n${i}.test`, RRType.A)))));
    const replies = await client.waitFor(1000, 5000);
    expect(new Set(replies.map((r) => r.questions[0].name)).size).toBe(1000);
    client.destroy();
  });

  it('answers every pipelined query before closing after a half-close', async () => {
    const port = await start();
    const client = await TcpClient.connect(port);
    client.socket.end(Buffer.concat(['slow.test', 'a.test', 'example.com'].map((name) => frame(queryBytes(name, RRType.A)))));
    await client.waitClosed(2000);
    expect(client.replies.map((r) => decodeMessage(r).questions[0].name).sort()).toEqual(['a.test', 'example.com', 'slow.test']);
  });

  it('keeps the connection for a query slower than the idle timeout, then closes it', async () => {
    const port = await start({ tcpIdleTimeoutMs: 20 });
    const client = await TcpClient.connect(port);
    client.socket.write(frame(queryBytes('slow.test', RRType.A)));
    expect((await client.waitFor(1))[0].answers).toHaveLength(1);
    await client.waitClosed(2000);
  });

  it('answers FORMERR for a garbled frame, drops a response frame, and keeps the connection', async () => {
    const port = await start();
    const client = await TcpClient.connect(port);
    const garbled = Buffer.concat([queryBytes('a.test', RRType.A).subarray(0, 12), Buffer.from([0xc0, 0xff, 0xff])]);
    const response = encodeMessage(createMessage({ id: 5, qr: true, questions: [{ name: 'x.test', type: 1, class: 1 }] }));
    client.socket.write(Buffer.concat([frame(garbled), frame(response), frame(queryBytes('after.test', RRType.A))]));
    const replies = await client.waitFor(2);
    expect(replies.map((r) => [r.rcode, r.questions[0]?.name])).toEqual([
      [RCode.FORMERR, undefined],
      [RCode.NOERROR, 'after.test'],
    ]);
    await tick(50);
    expect(client.replies).toHaveLength(2);
    expect(client.closed).toBe(false);
    client.destroy();
  });
});

describe('DnsServer accounting', () => {
  it('counts requests by transport and responses by rcode', async () => {
    const port = await start();
    const server = servers[0];
    await udpQuery(port, 'a.test', RRType.A);
    await udpQuery(port, 'example.com', RRType.A);
    await udpQuery(port, 'boom.test', RRType.A);
    const client = await TcpClient.connect(port);
    client.socket.write(frame(queryBytes('b.test', RRType.A)));
    await client.waitFor(1);
    client.destroy();
    expect(server.stats.requests).toEqual({ udp: 3, tcp: 1 });
    expect(server.stats.responses).toEqual({ [RCode.NOERROR]: 2, [RCode.REFUSED]: 1, [RCode.SERVFAIL]: 1 });
    expect(server.stats.panics).toBe(1);
    expect(server.stats.tcpConnections).toBe(1);
  });

  it('logs a failure once per distinct message, counting every one', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const port = await start({ logger: pino({ level: 'info' }, destination) });
    for (let i = 0; i < 3; i++) expect((await udpQuery(port, 'boom.test', RRType.A)).rcode).toBe(RCode.SERVFAIL);
    expect(servers[0].stats.panics).toBe(3);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, qname: 'boom.test', err: { message: 'handler exploded' } });
  });

  it('resolves a host name once so UDP and TCP share one address', async () => {
    const server = new DnsServer({ host: 'localhost', port: 0, handler: testHandler, logger: silentLogger() });
    servers.push(server);
    const { host, port } = await server.start();
    expect(isIP(host)).not.toBe(0);
    expect(server.address()).toEqual({ host, port });
  });

  it('rejects start() after close()', async () => {
    const server = new DnsServer({ host: '127.0.0.1', port: 0, handler: testHandler, logger: silentLogger() });
    await server.close();
    await expect(server.start()).rejects.toMatchObject({ code: ErrorCodes.SERVER_CLOSED });
  });
});
