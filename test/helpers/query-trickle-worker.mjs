// The sending side of query-trickle.ts, on a worker thread of its own: the server under test runs on the main
// thread, and a trickle sharing its event loop would stop sending exactly while that loop is blocked, so it
// could never see the pause it is there to measure. Plain JavaScript with no project imports: a worker does
// not go through the test runner's TypeScript transform. A query is built by hand (RFC 1035 4.1).
import dgram from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';

const { port, questions, intervalMs, timeoutMs, maxQueries } = workerData;

function encodeQuery(id, name, type) {
  const labels = name.replace(/\.$/, '').split('.').filter((label) => label !== '');
  const parts = [Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const label of labels) parts.push(Buffer.from([label.length]), Buffer.from(label, 'ascii'));
  parts.push(Buffer.from([0, type >> 8, type & 0xff, 0, 1]));
  return Buffer.concat(parts);
}

const socket = dgram.createSocket('udp4');
const inFlight = new Map();
const latencies = [];
const rcodes = {};
let sent = 0;
let lost = 0;
let nextId = 1;
let stopping = false;

socket.on('message', (packet) => {
  if (packet.length < 4) return;
  const id = packet.readUInt16BE(0);
  const at = inFlight.get(id);
  if (at === undefined) return;
  inFlight.delete(id);
  latencies.push(performance.now() - at);
  const rcode = packet[3] & 0x0f;
  if (rcodes[rcode] === undefined) parentPort.postMessage({ kind: 'first', rcode }); // for QueryTrickle.firstReply
  rcodes[rcode] = (rcodes[rcode] ?? 0) + 1;
  if (stopping && inFlight.size === 0) finish();
});

function send() {
  const now = performance.now();
  for (const [id, at] of inFlight) {
    if (now - at > timeoutMs) {
      inFlight.delete(id);
      lost++;
    }
  }
  if (sent >= maxQueries) return;
  const question = questions[sent % questions.length];
  const id = nextId;
  nextId = nextId === 0xffff ? 1 : nextId + 1;
  inFlight.set(id, performance.now());
  sent++;
  socket.send(encodeQuery(id, question.name, question.type), port, '127.0.0.1');
}

let timer;
let deadline;
function finish() {
  clearInterval(timer);
  clearTimeout(deadline);
  lost += inFlight.size;
  inFlight.clear();
  socket.close();
  parentPort.postMessage({ kind: 'report', sent, lost, latencies, rcodes });
}

parentPort.on('message', (message) => {
  if (message === 'stop' && !stopping) {
    stopping = true;
    clearInterval(timer);
    if (inFlight.size === 0) finish();
    else deadline = setTimeout(finish, timeoutMs);
  }
});

socket.bind(0, '127.0.0.1', () => {
  timer = setInterval(send, intervalMs);
  send();
  parentPort.postMessage({ kind: 'started' });
});
