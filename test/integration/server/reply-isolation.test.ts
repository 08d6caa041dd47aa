// Replies never cross: many clients (several UDP sockets, pipelined TCP connections) asking different names at
// once, cluster names answered synchronously, forwarded names first from a slow upstream (replies arriving out
// of order) and then from the cache, each reply carries its own query's ID, question (in the client's letter
// case) and answer. The UDP listener shares one reply sink per socket and cached answers share one compiled
// tail, so a reply built for one query must never reach another client or carry another's bytes.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDnsServer, type ClusterDnsServer } from '../../../src/cluster-dns.js';
import { createMessage, decodeMessage, encodeMessage, type Message } from '../../../src/wire/message.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';
import { TcpClient, frame } from '../../helpers/raw-query.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { TestUpstream, a } from '../../helpers/upstream/test-upstream.js';

const example = new URL('../../../examples/cluster.yaml', import.meta.url).pathname;
const FORWARDED = 24;

/** name → the one answer it must get ('' for NXDOMAIN). */
const expected = new Map<string, string>([
  ['hello.default.svc.cluster.local', '10.96.0.20'],
  ['cart.shop.svc.cluster.local', '10.96.0.50'],
  ['dual.default.svc.cluster.local', '10.96.0.30'],
  ['external-service.default.svc.cluster.local', '10.96.0.40'],
  ['nope.default.svc.cluster.local', ''],
]);
for (let i = 0; i < FORWARDED; i++) expected.set(`w${i}.example.com`, `192.0.2.${i + 1}`);
const names = [...expected.keys()];

interface Asked {
  id: number;
  /** As sent: random letter case. */
  name: string;
}

/** The client's spelling: each letter upper or lower case at random (0x20 randomisation). */
function spell(name: string, random: () => number): string {
  return [...name].map((c) => (random() < 0.5 ? c.toUpperCase() : c)).join('');
}

function query(asked: Asked): Buffer {
  return encodeMessage(createMessage({ id: asked.id, rd: true, questions: [{ name: asked.name, type: RRType.A, class: RRClass.IN }] }));
}

/** Checks one reply against the query it answers; returns a description of what is wrong, or null. */
function mismatch(reply: Message, asked: Asked): string | null {
  if (reply.id !== asked.id) return `id ${reply.id} for ${asked.id}`;
  const question = reply.questions[0];
  if (question?.name.replace(/\.$/, '') !== asked.name) return `question ${question?.name} for ${asked.name}`;
  const want = expected.get(asked.name.toLowerCase());
  const got = reply.answers.filter((record) => record.type === RRType.A).map((record) => String(record.data));
  if (want === '') return reply.rcode === RCode.NXDOMAIN && got.length === 0 ? null : `rcode ${reply.rcode} ${got.join(',')} for ${asked.name}`;
  if (got.length !== 1 || got[0] !== want) return `answer ${got.join(',')} for ${asked.name} (want ${want})`;
  return reply.answers.every((record) => record.name.replace(/\.$/, '').toLowerCase() === asked.name.toLowerCase()) ? null : `owner names for ${asked.name}`;
}

/** Sends every query from one UDP socket at once; resolves with what is wrong (unanswered included). */
async function udpClient(port: number, asked: Asked[], timeoutMs: number): Promise<string[]> {
  const socket = dgram.createSocket('udp4');
  const byId = new Map(asked.map((q) => [q.id, q]));
  const problems: string[] = [];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    function done() {
      clearTimeout(timer);
      resolve();
    }
    socket.on('message', (message) => {
      const reply = decodeMessage(message);
      const q = byId.get(reply.id);
      if (q === undefined) problems.push(`a reply with id ${reply.id}, which this socket never sent`);
      else {
        const wrong = mismatch(reply, q);
        if (wrong) problems.push(wrong);
        byId.delete(reply.id);
      }
      if (byId.size === 0) done();
    });
    socket.bind(0, '127.0.0.1', () => {
      for (const q of asked) socket.send(query(q), port, '127.0.0.1');
    });
  });
  socket.close();
  for (const q of byId.values()) problems.push(`no UDP reply for ${q.name} (id ${q.id})`);
  return problems;
}

/** Pipelines every query on one TCP connection; replies may come in any order (RFC 7766 7). */
async function tcpClient(port: number, asked: Asked[], timeoutMs: number): Promise<string[]> {
  const client = await TcpClient.connect(port);
  client.socket.write(Buffer.concat(asked.map((q) => frame(query(q)))));
  const replies = await client.waitFor(asked.length, timeoutMs);
  client.socket.destroy();
  const byId = new Map(asked.map((q) => [q.id, q]));
  const problems: string[] = [];
  for (const reply of replies) {
    const q = byId.get(reply.id);
    if (q === undefined) problems.push(`a TCP reply with id ${reply.id}, which this connection never sent`);
    else {
      const wrong = mismatch(reply, q);
      if (wrong) problems.push(wrong);
      byId.delete(reply.id);
    }
  }
  for (const q of byId.values()) problems.push(`no TCP reply for ${q.name} (id ${q.id})`);
  return problems;
}

describe('replies under concurrent queries of different names', () => {
  let upstream: TestUpstream;
  let dns: ClusterDnsServer;

  beforeAll(async () => {
    upstream = new TestUpstream();
    await upstream.start();
    // Different delays, so upstream replies (and the client replies they complete) arrive out of order.
    for (let i = 0; i < FORWARDED; i++) upstream.answer(`w${i}.example.com`, { answer: a(`w${i}.example.com`, `192.0.2.${i + 1}`, 300), delayMs: (i * 7) % 40 });
    dns = await startClusterDnsServer({ manifest: example, forward: { upstreams: [`127.0.0.1:${upstream.port}`] } });
  });
  afterAll(async () => {
    await dns?.close();
    await upstream?.close();
  });

  it('gives each UDP and TCP client the reply to its own query (ID, question as spelled, answer): misses, then cache hits', { timeout: 30_000 }, async () => {
    const random = seededRandom(13);
    let nextId = 1;
    // Round 1 forwards (misses, and identical questions in flight together); rounds 2 and 3 are cache hits.
    for (let round = 1; round <= 3; round++) {
      const clients: Array<Promise<string[]>> = [];
      for (let c = 0; c < 6; c++) {
        const asked = Array.from({ length: 40 }, () => ({ id: nextId++ & 0xffff, name: spell(names[Math.floor(random() * names.length)], random) }));
        clients.push(c % 3 === 2 ? tcpClient(dns.address.port, asked, 10_000) : udpClient(dns.address.port, asked, 10_000));
      }
      const problems = (await Promise.all(clients)).flat();
      expect(problems, `round ${round}`).toEqual([]);
    }
    // Rounds 2 and 3 really were answered from the cache: the upstream saw each forwarded name at most a few times.
    const forwardedAsked = upstream.received.filter((q) => q.name.startsWith('w')).length;
    expect(forwardedAsked).toBeLessThanOrEqual(FORWARDED * 2);
  });
});
