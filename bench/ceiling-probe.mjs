#!/usr/bin/env node
// The Node ceiling: a bare node:dgram socket (and a TCP listener) that answers every query with one fixed
// reply: the query's own header and question, QR/AA set, and one cached A record (owner = pointer to the
// question name). No parsing beyond finding the end of the question, no lookup. Whatever clusterdns does
// on top of this is the cost of its own work.
//
// Usage: node bench/ceiling-probe.mjs [--listen 127.0.0.1:PORT]   (logs one JSON line when listening)
import dgram from 'node:dgram';
import net from 'node:net';

const args = process.argv.slice(2);
const listenArg = args[args.indexOf('--listen') + 1] ?? '127.0.0.1:0';
const [host, portText] = args.includes('--listen') ? [listenArg.slice(0, listenArg.lastIndexOf(':')), listenArg.slice(listenArg.lastIndexOf(':') + 1)] : ['127.0.0.1', '0'];

// The answer tail: NAME=ptr(12) TYPE=A CLASS=IN TTL=5 RDLENGTH=4 10.96.0.100
const TAIL = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 96, 0, 100]);

/** Reply for one query, or null when it is not one plain query. */
function answer(q) {
  if (q.length < 17) return null;
  let i = 12;
  while (i < q.length && q[i] !== 0) i += q[i] + 1;
  const end = i + 5; // root label + QTYPE + QCLASS
  if (end > q.length) return null;
  const reply = Buffer.allocUnsafe(end + TAIL.length);
  q.copy(reply, 0, 0, end);
  reply[2] = 0x84 | (q[2] & 0x01); // QR, AA, keep RD
  reply[3] = 0x00;
  reply[6] = 0;
  reply[7] = 1; // ANCOUNT 1
  reply[8] = 0;
  reply[9] = 0;
  reply[10] = 0;
  reply[11] = 0;
  TAIL.copy(reply, end);
  return reply;
}

const udp = dgram.createSocket('udp4');
udp.on('error', () => {});
udp.on('message', (msg, rinfo) => {
  const reply = answer(msg);
  if (reply) udp.send(reply, rinfo.port, rinfo.address);
});

const tcp = net.createServer((socket) => {
  socket.setNoDelay(true);
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const out = [];
    while (pending.length >= 2) {
      const len = pending.readUInt16BE(0);
      if (pending.length < 2 + len) break;
      const reply = answer(pending.subarray(2, 2 + len));
      pending = pending.subarray(2 + len);
      if (!reply) continue;
      const framed = Buffer.allocUnsafe(2 + reply.length);
      framed.writeUInt16BE(reply.length, 0);
      reply.copy(framed, 2);
      out.push(framed);
    }
    if (out.length > 0) socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
  });
  socket.on('error', () => socket.destroy());
});

udp.bind(Number(portText), host, () => {
  const port = udp.address().port;
  tcp.listen(port, host, () => {
    process.stdout.write(`${JSON.stringify({ msg: 'listening', transport: 'udp+tcp', address: `${host}:${port}` })}\n`);
  });
});

const stop = () => {
  udp.close();
  tcp.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
