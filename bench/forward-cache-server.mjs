#!/usr/bin/env node
// A forwarding clusterdns chain ([loop, forward + cache]) on one core, for bench/forward-cache-hits.mjs: its
// upstream is a bare dgram socket in the same process that answers every A question with 192.0.2.1, TTL 3600,
// so after one warm-up pass every query is a cache hit. Logs one JSON line when listening.
//
// Usage: node bench/forward-cache-server.mjs --listen 127.0.0.1:PORT
import dgram from 'node:dgram';
import { ResponseCache } from '../dist/cache/response-cache.js';
import { ForwardRouter } from '../dist/forward/forward-router.js';
import { UpstreamPool } from '../dist/forward/upstream-pool.js';
import { silentLogger } from '../dist/log/logger.js';
import { Chain } from '../dist/pipeline/chain.js';
import { ForwardHandler } from '../dist/pipeline/forward-handler.js';
import { LoopHandler } from '../dist/pipeline/loop-handler.js';
import { DnsServer } from '../dist/server/dns-server.js';
import { createMessage, decodeMessage, encodeMessage } from '../dist/wire/message.js';

const listen = process.argv[process.argv.indexOf('--listen') + 1] ?? '127.0.0.1:0';
const [host, port] = [listen.slice(0, listen.lastIndexOf(':')), Number(listen.slice(listen.lastIndexOf(':') + 1))];

const upstream = dgram.createSocket('udp4');
upstream.on('message', (packet, remote) => {
  const query = decodeMessage(packet);
  const question = query.questions[0];
  const reply = createMessage({ id: query.id, qr: true, rd: true, ra: true, questions: query.questions, edns: query.edns });
  reply.answers.push({ name: question.name, type: 1, class: 1, ttl: 3600, data: '192.0.2.1' });
  upstream.send(encodeMessage(reply), remote.port, remote.address);
});
await new Promise((resolve) => upstream.bind(0, '127.0.0.1', resolve));

const pool = new UpstreamPool({ upstreams: [{ host: '127.0.0.1', port: upstream.address().port, family: 4 }] });
const router = new ForwardRouter([{ domain: '', pool }]);
const cache = new ResponseCache({ maxTtl: 3600, maxEntries: 100_000 });
const chain = new Chain([new LoopHandler(), new ForwardHandler({ router, cache })]);
const server = new DnsServer({ host, port, handler: chain, logger: silentLogger() });
const address = await server.start();
process.stdout.write(`${JSON.stringify({ msg: 'listening', address: `${address.host}:${address.port}` })}\n`);

const stop = async () => {
  router.close();
  upstream.close();
  await server.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
