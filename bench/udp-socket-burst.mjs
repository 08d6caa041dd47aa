#!/usr/bin/env node
// After a burst of N datagrams in flight at once (what N upstream exchanges in flight make: src/forward/
// exchange.ts opens a socket per question), do later, unrelated datagrams leave objects that outlive two
// scavenges? Run under node's GC trace and read `promoted=` per scavenge:
//   node --max-semi-space-size=1 --trace-gc-nvp bench/udp-socket-burst.mjs [N] [DATAGRAMS] | grep -o 'promoted=[0-9]*'
// The upstream is a socket in this process that answers every packet with itself, QR set. At
// --max-semi-space-size=1 a burst of about a hundred is enough (sent through one socket or many, the same); at 2
// it is not. docs/benchmarks.md (stop 15) has the figures.
import dgram from 'node:dgram';

const burst = Number(process.argv[2] ?? 470);
const datagrams = Number(process.argv[3] ?? 60_000);
const question = Buffer.from('000001000001000000000000026831036677640562656e63680000010001', 'hex');

const bound = (socket) => new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
const upstream = dgram.createSocket('udp4');
await bound(upstream);
upstream.on('message', (packet, remote) => {
  packet[2] |= 0x80;
  upstream.send(packet, remote.port, remote.address);
});

// The burst: every socket open at once, each closed on its reply or after 2 s (a burst can overflow the
// upstream's receive buffer, and UDP drops what does not fit).
await Promise.all(
  Array.from({ length: burst }, () => new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const done = () => {
      clearTimeout(timer);
      socket.close();
      resolve();
    };
    const timer = setTimeout(done, 2000);
    socket.once('message', done);
    socket.send(question, upstream.address().port, '127.0.0.1');
  })),
);

// The measured part: a server socket answering a client, one datagram at a time, 8 in flight.
const server = dgram.createSocket('udp4');
const client = dgram.createSocket('udp4');
await bound(server);
await bound(client);
server.on('message', (message, remote) => {
  const name = message.toString('latin1', 13, 21);
  server.send(Buffer.from(name, 'latin1'), remote.port, remote.address);
});
let answered = 0;
await new Promise((resolve) => {
  client.on('message', () => {
    if (++answered >= datagrams) resolve();
    else client.send(question, server.address().port, '127.0.0.1');
  });
  for (let i = 0; i < 8; i++) client.send(question, server.address().port, '127.0.0.1');
});
for (const socket of [server, client, upstream]) socket.close();
console.log(`${burst} sockets at once, then ${answered} datagrams answered`);
