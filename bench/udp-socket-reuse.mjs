#!/usr/bin/env node
// Does reusing UDP sockets to an upstream pay? Measures the forwarder's side of one UDP question over loopback
// two ways: a fresh socket per question (what src/forward/exchange.ts does: a kernel-chosen source port each
// time, RFC 5452) and one shared socket with replies matched by id. The upstream is a socket in this process
// that answers every packet with itself, QR set. Run: node bench/udp-socket-reuse.mjs [QUESTIONS] [CONCURRENCY]
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';

const total = Number(process.argv[2] ?? 20_000);
const concurrency = Number(process.argv[3] ?? 50);

const upstream = dgram.createSocket('udp4');
await new Promise((resolve) => upstream.bind(0, '127.0.0.1', resolve));
const port = upstream.address().port;
upstream.on('message', (packet, remote) => {
  packet[2] |= 0x80;
  upstream.send(packet, remote.port, remote.address);
});

function packet(id) {
  // Header + one question for example.com A IN.
  const question = Buffer.from([7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0, 0, 1, 0, 1]);
  const header = Buffer.from([id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, question]);
}

function freshSocket(id) {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (reply) => {
      if (reply.readUInt16BE(0) !== id) return;
      socket.close();
      resolve();
    });
    socket.send(packet(id), port, '127.0.0.1');
  });
}

const shared = dgram.createSocket('udp4');
await new Promise((resolve) => shared.bind(0, resolve));
const waiting = new Map();
shared.on('message', (reply) => {
  const done = waiting.get(reply.readUInt16BE(0));
  if (done) {
    waiting.delete(reply.readUInt16BE(0));
    done();
  }
});
function sharedSocket(id) {
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    shared.send(packet(id), port, '127.0.0.1');
  });
}

async function run(name, ask) {
  let next = 0;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await ask(next++ & 0xffff);
    }),
  );
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuUs = (cpu.user + cpu.system) / total;
  console.log(`${name}: ${Math.round(total / (ms / 1000))} questions/s, ${cpuUs.toFixed(1)} µs CPU per question (${total} questions, ${concurrency} in flight)`);
}

await run('fresh socket per question', freshSocket); // warm-up
await run('shared socket          ', sharedSocket);
await run('fresh socket per question', freshSocket);
await run('shared socket          ', sharedSocket);
upstream.close();
shared.close();
