// A real DNS server of the test suite, on 127.0.0.1 port 0 over UDP and TCP, told per name how to answer:
// records, NXDOMAIN/NODATA with a SOA, truncation (TC over UDP, the full answer over TCP), delays, silence,
// forged replies (wrong id, question, class, source port or address) raced ahead of the real one, garbage,
// and 64 KiB TCP replies, TCP connections closed on a query. It counts every query it receives, per name and
// transport, and the TCP connections it accepts and has open, and lets a test await those counts instead of
// sleeping.
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { createMessage, decodeMessage, encodeMessage, type Message } from '../../../src/wire/message.js';
import { RCode, RRClass, RRType, type ResourceRecord } from '../../../src/wire/types.js';

export type Forgery = 'id' | 'question' | 'class' | 'port' | 'address';

export type UpstreamAnswer =
  | { kind: 'records'; answer?: ResourceRecord[]; authority?: ResourceRecord[]; additional?: ResourceRecord[]; rcode?: number; aa?: boolean; ra?: boolean; ad?: boolean }
  | { kind: 'nxdomain'; soa: ResourceRecord }
  | { kind: 'nodata'; soa: ResourceRecord }
  /** TC and no records over UDP; the records over TCP. */
  | { kind: 'truncate'; answer: ResourceRecord[] }
  /** TC over UDP; over TCP, a reply of just under 64 KiB of TXT records. */
  | { kind: 'big-tcp' }
  /** TC and no records over UDP and over TCP alike. */
  | { kind: 'tc-forever' }
  | { kind: 'drop' }
  /** Over TCP, close the connection on receiving the query (no reply); then answer as `then`, when given. Over UDP, no reply. */
  | { kind: 'hang-up'; then?: UpstreamAnswer | ResourceRecord }
  /** A reply whose header and question match but whose answer record runs past the end. */
  | { kind: 'garbage' }
  /** Each forgery first (over UDP), then `then`. */
  | { kind: 'forged'; forgeries: Forgery[]; then: UpstreamAnswer | ResourceRecord };

export interface Behaviour {
  answer: UpstreamAnswer | ResourceRecord;
  /** Wait this long before replying. */
  delayMs?: number;
}

export interface ReceivedQuery {
  name: string;
  transport: 'udp' | 'tcp';
  message: Message;
  remotePort: number;
}

export const TEST_SOA = (zone: string, ttl = 300, minimum = 60): ResourceRecord => ({
  name: zone,
  type: RRType.SOA,
  class: RRClass.IN,
  ttl,
  data: { mname: `ns.${zone || 'root'}`, rname: `hostmaster.${zone || 'root'}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum },
});

export function a(name: string, address: string, ttl = 300): ResourceRecord {
  return { name, type: RRType.A, class: RRClass.IN, ttl, data: address };
}

export class TestUpstream {
  readonly received: ReceivedQuery[] = [];
  private readonly behaviours = new Map<string, { answer: UpstreamAnswer; delayMs?: number }>();
  private udp: dgram.Socket | null = null;
  private forger: dgram.Socket | null = null;
  private otherAddress: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private readonly connections = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly events = new EventEmitter();
  port = 0;
  /** TCP connections accepted so far. */
  connectionsAccepted = 0;

  /** How to answer `name` (any case), or `name/TYPE` for one type only; a bare record answers with itself. */
  answer(name: string, behaviour: Behaviour | UpstreamAnswer | ResourceRecord): this {
    const normalized = 'kind' in behaviour || 'type' in behaviour ? { answer: asAnswer(behaviour) } : { ...behaviour, answer: asAnswer(behaviour.answer) };
    this.behaviours.set(name.toLowerCase(), normalized);
    return this;
  }

  /** Queries received for `name` (lowercase), by transport. */
  count(name: string, transport?: 'udp' | 'tcp'): number {
    const lower = name.toLowerCase();
    return this.received.filter((query) => query.name === lower && (transport === undefined || query.transport === transport)).length;
  }

  /** Resolves once `count(name, transport)` reaches `n`; rejects after `timeoutMs`. */
  waitForQueries(name: string, n: number, transport?: 'udp' | 'tcp', timeoutMs = 5000): Promise<void> {
    if (this.count(name, transport) >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('query', check);
        reject(new Error(`upstream saw ${this.count(name, transport)}/${n} queries for ${name}`));
      }, timeoutMs);
      const check = () => {
        if (this.count(name, transport) < n) return;
        clearTimeout(timer);
        this.events.off('query', check);
        resolve();
      };
      this.events.on('query', check);
    });
  }

  /** TCP connections open now. */
  get openConnections(): number {
    return this.connections.size;
  }

  /** Resolves once exactly `n` TCP connections are open (a connection closing, or opening); rejects after `timeoutMs`. */
  waitForOpenConnections(n: number, timeoutMs = 5000): Promise<void> {
    if (this.connections.size === n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('connections', check);
        reject(new Error(`the upstream has ${this.connections.size} TCP connections open, not ${n}`));
      }, timeoutMs);
      const check = () => {
        if (this.connections.size !== n) return;
        clearTimeout(timer);
        this.events.off('connections', check);
        resolve();
      };
      this.events.on('connections', check);
    });
  }

  /** Listens on `host` (127.0.0.1, or ::1), UDP and TCP on one port; resolves with the port. */
  async start(host = '127.0.0.1'): Promise<number> {
    const type = host.includes(':') ? 'udp6' : 'udp4';
    for (let attempt = 0; attempt < 10; attempt++) {
      const udp = dgram.createSocket(type);
      await new Promise<void>((resolve) => udp.bind(0, host, resolve));
      const port = udp.address().port;
      const tcp = net.createServer((socket) => this.onConnection(socket));
      const bound = await new Promise<boolean>((resolve) => {
        tcp.once('error', () => resolve(false));
        tcp.listen(port, host, () => resolve(true));
      });
      if (!bound) {
        udp.close();
        continue;
      }
      this.udp = udp;
      this.tcp = tcp;
      this.port = port;
      udp.on('message', (packet, remote) => this.onDatagram(packet, remote));
      const forger = dgram.createSocket(type);
      await new Promise<void>((resolve) => forger.bind(0, host, resolve));
      this.forger = forger;
      if (type === 'udp4') {
        // Another loopback address with the same port: every 127/8 address is local on Linux.
        const other = dgram.createSocket('udp4');
        await new Promise<void>((resolve) => other.bind(port, '127.0.0.2', resolve));
        this.otherAddress = other;
      }
      return port;
    }
    throw new Error('no free port for the test upstream');
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.connections) socket.destroy();
    const closing: Promise<void>[] = [];
    for (const socket of [this.udp, this.forger, this.otherAddress]) {
      if (socket) closing.push(new Promise((resolve) => socket.close(() => resolve())));
    }
    if (this.tcp) closing.push(new Promise((resolve) => this.tcp!.close(() => resolve())));
    this.udp = this.forger = this.otherAddress = null;
    this.tcp = null;
    await Promise.all(closing);
  }

  private record(message: Message, transport: 'udp' | 'tcp', remotePort: number): { answer: UpstreamAnswer; delayMs?: number } {
    const name = (message.questions[0]?.name ?? '').toLowerCase();
    this.received.push({ name, transport, message, remotePort });
    this.events.emit('query', name, transport);
    const type = message.questions[0]?.type ?? 0;
    return this.behaviours.get(`${name}/${type}`) ?? this.behaviours.get(name) ?? defaultBehaviour(name, type);
  }

  private later(delayMs: number | undefined, action: () => void): void {
    if (!delayMs) return action();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
  }

  private onDatagram(packet: Buffer, remote: dgram.RemoteInfo): void {
    let query: Message;
    try {
      query = decodeMessage(packet);
    } catch {
      return;
    }
    const behaviour = this.record(query, 'udp', remote.port);
    this.later(behaviour.delayMs, () => this.answerUdp(query, behaviour.answer, remote));
  }

  private answerUdp(query: Message, answer: UpstreamAnswer, remote: dgram.RemoteInfo): void {
    const send = (socket: dgram.Socket | null, bytes: Uint8Array) => {
      if (socket) socket.send(bytes, remote.port, remote.address);
    };
    if (answer.kind === 'forged') {
      for (const forgery of answer.forgeries) {
        const real = replyBytes(query, asAnswer(answer.then), 'udp');
        if (!real) continue;
        if (forgery === 'port') send(this.forger, real);
        else if (forgery === 'address') send(this.otherAddress, real);
        else send(this.udp, forged(query, forgery));
      }
      return this.answerUdp(query, asAnswer(answer.then), remote);
    }
    const bytes = replyBytes(query, answer, 'udp');
    if (bytes) send(this.udp, bytes);
  }

  private onConnection(socket: net.Socket): void {
    this.connections.add(socket);
    this.connectionsAccepted++;
    this.events.emit('connections');
    socket.on('close', () => {
      this.connections.delete(socket);
      this.events.emit('connections');
    });
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const packet = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + packet.length);
        let query: Message;
        try {
          query = decodeMessage(packet);
        } catch {
          socket.destroy();
          return;
        }
        const behaviour = this.record(query, 'tcp', socket.remotePort ?? 0);
        if (behaviour.answer.kind === 'hang-up') {
          const then = behaviour.answer.then;
          if (then !== undefined) behaviour.answer = asAnswer(then);
          socket.destroy();
          return;
        }
        const answer = behaviour.answer.kind === 'forged' ? asAnswer(behaviour.answer.then) : behaviour.answer;
        this.later(behaviour.delayMs, () => {
          const bytes = replyBytes(query, answer, 'tcp');
          if (!bytes || socket.destroyed) return;
          const framed = Buffer.alloc(2 + bytes.length);
          framed.writeUInt16BE(bytes.length, 0);
          Buffer.from(bytes).copy(framed, 2);
          socket.write(framed);
        });
      }
    });
  }
}

function asAnswer(answer: UpstreamAnswer | ResourceRecord): UpstreamAnswer {
  return 'kind' in answer ? answer : { kind: 'records', answer: [answer] };
}

function defaultBehaviour(name: string, type: number): { answer: UpstreamAnswer } {
  if (name === '' && type === RRType.NS) {
    return { answer: { kind: 'records', answer: [{ name: '', type: RRType.NS, class: RRClass.IN, ttl: 518400, data: 'a.root-servers.net' }] } };
  }
  return { answer: { kind: 'nxdomain', soa: TEST_SOA('') } };
}

function baseReply(query: Message): Message {
  return createMessage({
    id: query.id,
    qr: true,
    rd: query.rd,
    cd: query.cd,
    ra: true,
    questions: query.questions,
    edns: query.edns ? { udpSize: 1232, version: 0, dnssecOk: query.edns.dnssecOk, options: [] } : null,
  });
}

/** The reply bytes for a behaviour over a transport; null for none. */
function replyBytes(query: Message, answer: UpstreamAnswer, transport: 'udp' | 'tcp'): Uint8Array | null {
  const reply = baseReply(query);
  switch (answer.kind) {
    case 'drop':
    case 'hang-up':
      return null;
    case 'records':
      reply.answers = answer.answer ?? [];
      reply.authorities = answer.authority ?? [];
      reply.additionals = answer.additional ?? [];
      reply.rcode = answer.rcode ?? RCode.NOERROR;
      reply.aa = answer.aa ?? false;
      reply.ra = answer.ra ?? true;
      reply.ad = answer.ad ?? false;
      return encodeMessage(reply);
    case 'nxdomain':
    case 'nodata':
      reply.rcode = answer.kind === 'nxdomain' ? RCode.NXDOMAIN : RCode.NOERROR;
      reply.authorities = [answer.soa];
      return encodeMessage(reply);
    case 'truncate':
      if (transport === 'udp') reply.tc = true;
      else reply.answers = answer.answer;
      return encodeMessage(reply);
    case 'tc-forever':
      reply.tc = true;
      return encodeMessage(reply);
    case 'big-tcp': {
      if (transport === 'udp') {
        reply.tc = true;
        return encodeMessage(reply);
      }
      const name = query.questions[0].name;
      const record = (i: number): ResourceRecord => ({ name, type: RRType.TXT, class: RRClass.IN, ttl: 60, data: [`${String(i).padStart(4, '0')}${'x'.repeat(250)}`] });
      const empty = encodeMessage(reply).length;
      reply.answers.push(record(0));
      const perRecord = encodeMessage(reply).length - empty;
      const count = Math.floor((65535 - 300 - empty) / perRecord); // just under 64 KiB, room for the client's OPT
      for (let i = 1; i < count; i++) reply.answers.push(record(i));
      return encodeMessage(reply);
    }
    case 'garbage': {
      reply.answers = [a(query.questions[0].name, '192.0.2.1')];
      const bytes = encodeMessage(reply);
      return bytes.subarray(0, bytes.length - (query.edns ? 13 : 2)); // cut inside the A record's RDATA
    }
    case 'forged':
      return replyBytes(query, asAnswer(answer.then), transport);
  }
}

/** The real reply with one thing wrong. */
function forged(query: Message, forgery: 'id' | 'question' | 'class'): Uint8Array {
  const changed: Message = { ...query, questions: query.questions.map((question) => ({ ...question })) };
  if (forgery === 'id') changed.id = (query.id + 1) & 0xffff;
  if (forgery === 'question') changed.questions[0].name = `forged.${changed.questions[0].name}`;
  if (forgery === 'class') changed.questions[0].class = RRClass.CH;
  const poisoned: UpstreamAnswer = { kind: 'records', answer: [a(changed.questions[0].name, '6.6.6.6', 86400)] };
  return replyBytes(changed, poisoned, 'udp') as Uint8Array;
}
