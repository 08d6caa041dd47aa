// The running server (src/server/ behind src/cluster-dns.ts): batches of mutated queries over UDP and TCP,
// including TCP framing that lies (RFC 1035 4.2.2 length prefixes too long, zero, cut mid-frame), and after
// each batch a good query is answered correctly over both transports; the counters add up and nothing panics.
import dgram from 'node:dgram';
import net from 'node:net';
import { startClusterDnsServer, type ClusterDnsServer } from '../../src/cluster-dns.js';
import { upsertEvents } from '../../src/embedding/objects.js';
import { service } from '../../src/testing/index.js';
import { createMessage, decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { RRClass, RRType } from '../../src/wire/types.js';
import { mutatePacket, toHex } from '../byte-mutator.js';
import { FuzzFailure, describeError } from '../fuzz-failure.js';
import { FuzzUpstream } from '../fuzz-upstream.js';
import { queryCorpus } from '../packet-corpus.js';
import type { Prng } from '../prng.js';
import type { FuzzTarget } from './fuzz-target.js';

const GOOD_NAME = 'web.default.svc.cluster.local';
const GOOD_ADDRESS = '10.96.0.20';
/** How long a good query may take to be answered after a batch: far above a loaded machine's worst case. */
const ANSWER_TIMEOUT_MS = 3000;

interface TcpStream {
  bytes: Buffer;
  /** Sizes of the writes, so frame boundaries fall anywhere in the server's reads. */
  writes: number[];
  /** end: half-close, and the server ends its side once it has answered; destroy: a reset mid-stream. */
  ending: 'end' | 'destroy';
}

interface Batch {
  udp: Uint8Array[];
  tcp: TcpStream[];
}

export function serverTarget(): FuzzTarget<Batch> {
  const corpus = queryCorpus();
  const upstream = new FuzzUpstream();
  let server: ClusterDnsServer | null = null;
  /** Sends the mutated datagrams; replies to them are read and ignored. */
  let client: dgram.Socket | null = null;
  /** Sends only good queries, so that no reply to a mutated query (which may carry the same id) is taken for theirs. */
  let goodClient: dgram.Socket | null = null;
  let udpSent = 0;
  let goodId = 1;
  /** Replies to goodClient by id. */
  const waiting = new Map<number, (reply: Buffer) => void>();
  let current = '';

  const port = () => (server as ClusterDnsServer).address.port;
  const input = () => current;

  const goodQuery = () => {
    goodId = (goodId % 0xfffe) + 1;
    return { id: goodId, bytes: encodeMessage(createMessage({ id: goodId, rd: true, questions: [{ name: GOOD_NAME, type: RRType.A, class: RRClass.IN }] })) };
  };

  const checkGoodReply = (reply: Buffer, id: number, transport: string) => {
    let message;
    try {
      message = decodeMessage(reply);
    } catch (err) {
      throw new FuzzFailure(`the good query after a batch is answered over ${transport}`, `reply does not decode: ${describeError(err)}`, input());
    }
    const address = message.answers.find((record) => record.type === RRType.A)?.data;
    if (message.id !== id || message.rcode !== 0 || address !== GOOD_ADDRESS) {
      throw new FuzzFailure(`the good query after a batch is answered correctly over ${transport}`, `id ${message.id}/${id}, rcode ${message.rcode}, A ${String(address)}`, input());
    }
  };

  const udpGood = async () => {
    const { id, bytes } = goodQuery();
    const reply = await new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve(null);
      }, ANSWER_TIMEOUT_MS);
      waiting.set(id, (message) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(message);
      });
      goodClient!.send(bytes, port(), '127.0.0.1');
      udpSent++;
    });
    if (!reply) throw new FuzzFailure('the good query after a batch is answered over UDP', `no reply in ${ANSWER_TIMEOUT_MS} ms`, input());
    checkGoodReply(reply, id, 'UDP');
  };

  const tcpGood = async () => {
    const { id, bytes } = goodQuery();
    const reply = await tcpExchange(port(), frame(bytes));
    if (!reply) throw new FuzzFailure('the good query after a batch is answered over TCP', `no reply in ${ANSWER_TIMEOUT_MS} ms`, input());
    checkGoodReply(reply, id, 'TCP');
  };

  return {
    name: 'server',
    async setup() {
      const upstreamPort = await upstream.start();
      server = await startClusterDnsServer({
        listen: '127.0.0.1:0',
        forward: { upstreams: [`127.0.0.1:${upstreamPort}`], timeoutMs: 500 },
        tcpIdleTimeoutMs: 2000,
      });
      server.store.apply(upsertEvents([service('web', 'default', { clusterIP: GOOD_ADDRESS, ports: [{ name: 'http', port: 80 }] })], 'objects'));
      client = dgram.createSocket('udp4');
      client.on('message', () => {});
      await new Promise<void>((resolve) => client!.bind(0, '127.0.0.1', resolve));
      goodClient = dgram.createSocket('udp4');
      goodClient.on('message', (message) => {
        if (message.length >= 2) waiting.get(message.readUInt16BE(0))?.(message);
      });
      await new Promise<void>((resolve) => goodClient!.bind(0, '127.0.0.1', resolve));
    },
    generate(rng: Prng): Batch {
      return {
        udp: Array.from({ length: rng.int(9) }, () => mutatePacket(corpus, rng)),
        tcp: Array.from({ length: rng.int(3) }, () => brokenTcpStream(rng, corpus)),
      };
    },
    format: formatBatch,
    async check(batch: Batch) {
      current = formatBatch(batch);
      for (const packet of batch.udp) {
        client!.send(packet, port(), '127.0.0.1');
        udpSent++;
      }
      const closed = batch.tcp.map((stream) => sendTcpStream(port(), stream));
      await udpGood();
      // Every datagram sent before the good one was read first: each is a request, answered or dropped.
      const stats = server!.stats;
      if (stats.requests.udp !== udpSent) {
        throw new FuzzFailure('every UDP datagram is counted as a request', `${stats.requests.udp} counted, ${udpSent} sent`, input());
      }
      await Promise.all(closed);
      await tcpGood();
      if (stats.panics !== 0) throw new FuzzFailure('no query raises an unexpected exception (coredns_panics_total stays 0)', `${stats.panics} panics`, input());
    },
    async finish() {
      // Forwarded queries still in flight are answered within the forward timeout; then every request is a reply or a drop.
      const stats = server!.stats;
      const deadline = Date.now() + 5000;
      const replies = () => Object.values(stats.responses).reduce((sum, n) => sum + n, 0);
      while (stats.requests.udp + stats.requests.tcp !== replies() + stats.dropped && Date.now() < deadline) {
        await new Promise<void>((resolve) => setTimeout(resolve, 20));
      }
      const requests = stats.requests.udp + stats.requests.tcp;
      if (requests !== replies() + stats.dropped) {
        throw new FuzzFailure('every request is answered or dropped', `${requests} requests, ${replies()} replies, ${stats.dropped} dropped`, '');
      }
      const byType = stats.requestsByType.reduce((sum, n) => sum + n, 0);
      if (byType !== requests) throw new FuzzFailure('requests by type add up to requests', `${byType} by type, ${requests} requests`, '');
    },
    async teardown() {
      client?.close();
      goodClient?.close();
      await server?.close();
      await upstream.close();
    },
  };
}

function frame(message: Uint8Array, length = message.length): Buffer {
  const out = Buffer.alloc(2 + message.length);
  out.writeUInt16BE(length & 0xffff, 0);
  out.set(message, 2);
  return out;
}

/** Mutated queries for one TCP connection, some in frames that lie (RFC 1035 4.2.2). */
function brokenTcpStream(rng: Prng, corpus: readonly Uint8Array[]): TcpStream {
  const chunks: Buffer[] = [];
  const frames = rng.range(1, 4);
  for (let i = 0; i < frames; i++) {
    const packet = mutatePacket(corpus, rng);
    const kind = rng.int(6);
    if (kind === 0) chunks.push(frame(packet, packet.length + rng.range(1, 300))); // claims more than follows
    else if (kind === 1) chunks.push(frame(packet, Math.max(0, packet.length - rng.range(1, 12)))); // claims less
    else if (kind === 2) chunks.push(frame(new Uint8Array(0))); // zero length
    else if (kind === 3) chunks.push(frame(packet).subarray(0, rng.int(packet.length + 2))); // cut mid-frame
    else chunks.push(frame(packet));
  }
  const bytes = Buffer.concat(chunks);
  const writes: number[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = Math.min(bytes.length - at, rng.range(1, 64));
    writes.push(size);
    at += size;
  }
  return { bytes, writes, ending: rng.pick(['end', 'destroy'] as const) };
}

function formatBatch(batch: Batch): string {
  return [...batch.udp.map((packet) => `udp:${toHex(packet)}`), ...batch.tcp.map((stream) => `tcp(${stream.ending}):${stream.bytes.toString('hex')}`)].join(' ');
}

/** Resolves once the connection is closed (by either side, or by us after ANSWER_TIMEOUT_MS). */
function sendTcpStream(port: number, stream: TcpStream): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => socket.destroy(), ANSWER_TIMEOUT_MS);
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect', () => {
      let at = 0;
      for (const size of stream.writes) {
        socket.write(stream.bytes.subarray(at, at + size));
        at += size;
      }
      if (stream.ending === 'end') socket.end();
      else socket.destroy();
    });
  });
}

/** One framed query on a fresh connection; the reply, or null on timeout. */
function tcpExchange(port: number, framed: Buffer): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buffer = Buffer.alloc(0);
    const finish = (reply: Buffer | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(null), ANSWER_TIMEOUT_MS);
    socket.on('error', () => finish(null));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) finish(buffer.subarray(2, 2 + buffer.readUInt16BE(0)));
    });
    socket.on('connect', () => socket.write(framed));
  });
}
