// One question to one upstream over the wire: UDP first, the same question over TCP when the reply is
// truncated (RFC 1035 4.2.1, RFC 7766 5). Each try uses a fresh random id and, over UDP, a socket of its own,
// so its source port is fresh and chosen by the kernel (RFC 5452 4.5: the port is half the entropy that stops
// off-path forgeries; docs/forwarding.md weighs this against reusing sockets); over TCP, a connection kept
// open to the upstream (tcp-connections.ts) when the caller has one, else one of its own; a reply is accepted only when its source address and
// port, id, question name (case-insensitively), type and class match the query (RFC 5452 9.1). Anything else
// is dropped, counted, and the try keeps waiting for the real reply until its timeout.
import { randomFillSync } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { HeaderFlag } from '../wire/header.js';
import { parseIPv6, formatIPv6 } from '../wire/ip-address.js';
import { createMessage, decodeMessage, encodeMessage, type Message } from '../wire/message.js';
import { WireReader } from '../wire/reader.js';
import { HEADER_LENGTH } from '../wire/types.js';
import type { TcpAskResult, TcpConnections } from './tcp-connections.js';
import type { UpstreamAddress } from './upstream-address.js';

/** The EDNS(0) payload size we advertise upstream (DNS Flag Day 2020). */
export const UPSTREAM_EDNS_SIZE = 1232;

export interface UpstreamQuestion {
  /** Lowercase, absolute, no trailing dot. */
  name: string;
  type: number;
  class: number;
  /** The client's DO bit (RFC 3225), carried in our OPT. */
  dnssecOk: boolean;
  /** The client's CD bit (RFC 4035 3.2.2), carried in our header. */
  checkingDisabled: boolean;
}

export type ExchangeFailure = 'timeout' | 'network' | 'malformed';

export type ExchangeResult =
  | { ok: true; message: Message; transport: 'udp' | 'tcp' }
  | { ok: false; failure: ExchangeFailure; detail: string };

export interface ExchangeOptions {
  /** Per try (UDP, then TCP); default 2 s. */
  timeoutMs?: number;
  /** Skip UDP (CoreDNS `force_tcp`). */
  forceTcp?: boolean;
  /** Called for every reply dropped as not matching the query. */
  onMismatch?: () => void;
  /** Ends the exchange at once (a closing pool): its socket and timer go with it. */
  signal?: AbortSignal;
  /** The upstream's persistent TCP connections; without them, each TCP try opens and closes its own. */
  tcp?: TcpConnections;
}

export const DEFAULT_TRY_TIMEOUT_MS = 2000;

/** Ask `upstream` one question; never rejects. */
export async function exchange(upstream: UpstreamAddress, question: UpstreamQuestion, options: ExchangeOptions = {}): Promise<ExchangeResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TRY_TIMEOUT_MS;
  if (!options.forceTcp) {
    const udp = await udpTry(upstream, question, timeoutMs, options);
    if (!udp.ok || !udp.message.tc) return udp;
  }
  return tcpTry(upstream, question, timeoutMs, options);
}

/** Random 16-bit ids drawn from a refilled block of CSPRNG bytes (RFC 5452 9.2). */
const idBytes = Buffer.alloc(2048);
let idOffset = idBytes.length;
export function randomId(): number {
  if (idOffset >= idBytes.length) {
    randomFillSync(idBytes);
    idOffset = 0;
  }
  const id = idBytes.readUInt16BE(idOffset);
  idOffset += 2;
  return id;
}

function queryPacket(id: number, question: UpstreamQuestion): Buffer {
  return encodeMessage(
    createMessage({
      id,
      rd: true,
      cd: question.checkingDisabled,
      questions: [{ name: question.name, type: question.type, class: question.class }],
      edns: { udpSize: UPSTREAM_EDNS_SIZE, version: 0, dnssecOk: question.dnssecOk, options: [] },
    }),
  );
}

/** True when `reply` answers the query with `id` and `question`: QR set, same id, one matching question. */
export function repliesTo(reply: Uint8Array, id: number, question: UpstreamQuestion): boolean {
  if (reply.length < HEADER_LENGTH) return false;
  if (((reply[0] << 8) | reply[1]) !== id) return false;
  if ((reply[2] & (HeaderFlag.QR >>> 8)) === 0) return false;
  if (((reply[4] << 8) | reply[5]) !== 1) return false;
  try {
    const reader = new WireReader(reply, HEADER_LENGTH);
    return reader.lowercaseName() === question.name && reader.u16() === question.type && reader.u16() === question.class;
  } catch {
    return false;
  }
}

/** The same address in one spelling, so a reply's source compares equal to the upstream we asked. */
function canonicalAddress(host: string): string {
  if (!host.includes(':')) return host;
  const bytes = parseIPv6(host.replace(/%.*$/, ''));
  return bytes ? formatIPv6(bytes) : host;
}

function decoded(reply: Uint8Array, transport: 'udp' | 'tcp'): ExchangeResult {
  try {
    return { ok: true, message: decodeMessage(reply), transport };
  } catch (err) {
    return { ok: false, failure: 'malformed', detail: `${transport} reply does not parse: ${(err as Error).message}` };
  }
}

const ABORTED: ExchangeResult = { ok: false, failure: 'network', detail: 'the forwarder was closed' };

/** Calls `onAbort` when `signal` fires; returns the function that stops listening. */
function whenAborted(signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    queueMicrotask(onAbort);
    return () => {};
  }
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

function udpTry(upstream: UpstreamAddress, question: UpstreamQuestion, timeoutMs: number, { onMismatch, signal }: ExchangeOptions): Promise<ExchangeResult> {
  const id = randomId();
  const packet = queryPacket(id, question);
  const expectedHost = canonicalAddress(upstream.host);
  return new Promise((resolve) => {
    const socket = dgram.createSocket(upstream.family === 6 ? 'udp6' : 'udp4');
    let done = false;
    const finish = (result: ExchangeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stopListening();
      socket.close();
      resolve(result);
    };
    const stopListening = whenAborted(signal, () => finish(ABORTED));
    const timer = setTimeout(() => finish({ ok: false, failure: 'timeout', detail: `no UDP reply within ${timeoutMs} ms` }), timeoutMs);
    socket.on('error', (err) => finish({ ok: false, failure: 'network', detail: `UDP: ${err.message}` }));
    socket.on('message', (reply, remote) => {
      if (remote.port !== upstream.port || canonicalAddress(remote.address) !== expectedHost || !repliesTo(reply, id, question)) {
        onMismatch?.();
        return;
      }
      finish(decoded(reply, 'udp'));
    });
    socket.send(packet, upstream.port, upstream.host, (err) => {
      if (err) finish({ ok: false, failure: 'network', detail: `UDP send: ${err.message}` });
    });
  });
}

/** Over a kept connection: pipelined with other questions, matched by id (RFC 7766 6.2.1.1). */
async function pooledTcpTry(tcp: TcpConnections, question: UpstreamQuestion, timeoutMs: number, { onMismatch, signal }: ExchangeOptions): Promise<ExchangeResult> {
  let stopListening = () => {};
  const aborted = new Promise<TcpAskResult>((resolve) => {
    stopListening = whenAborted(signal, () => resolve({ ok: false, failure: 'network', detail: 'the forwarder was closed' }));
  });
  const result = await Promise.race([tcp.ask((id) => queryPacket(id, question), randomId, timeoutMs), aborted]);
  stopListening();
  if (!result.ok) return result;
  if (repliesTo(result.reply, result.id, question)) return decoded(result.reply, 'tcp');
  // Nobody off-path can inject into our own connection: a reply with our id that does not answer the question
  // is the upstream's fault.
  onMismatch?.();
  return { ok: false, failure: 'malformed', detail: 'TCP reply does not answer the question' };
}

/** Length-framed messages over one connection (RFC 7766 8); a reply can be up to 65535 bytes. */
function tcpTry(upstream: UpstreamAddress, question: UpstreamQuestion, timeoutMs: number, options: ExchangeOptions): Promise<ExchangeResult> {
  if (options.tcp !== undefined) return pooledTcpTry(options.tcp, question, timeoutMs, options);
  const { onMismatch, signal } = options;
  const id = randomId();
  const packet = queryPacket(id, question);
  return new Promise((resolve) => {
    const socket = net.connect({ host: upstream.host, port: upstream.port });
    socket.setNoDelay(true);
    let done = false;
    let buffered: Buffer = Buffer.alloc(0);
    const finish = (result: ExchangeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stopListening();
      socket.destroy();
      resolve(result);
    };
    const stopListening = whenAborted(signal, () => finish(ABORTED));
    const timer = setTimeout(() => finish({ ok: false, failure: 'timeout', detail: `no TCP reply within ${timeoutMs} ms` }), timeoutMs);
    socket.on('error', (err) => finish({ ok: false, failure: 'network', detail: `TCP: ${err.message}` }));
    socket.on('close', () => finish({ ok: false, failure: 'network', detail: 'TCP connection closed before a whole reply' }));
    socket.on('connect', () => {
      const framed = Buffer.allocUnsafe(packet.length + 2);
      framed.writeUInt16BE(packet.length, 0);
      packet.copy(framed, 2);
      socket.write(framed);
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (!done && buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) return;
        const reply = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        if (repliesTo(reply, id, question)) {
          finish(decoded(reply, 'tcp'));
        } else {
          // Nobody off-path can inject into our own connection: a reply that does not match is the upstream's
          // fault, and waiting on would only delay the failure.
          onMismatch?.();
          finish({ ok: false, failure: 'malformed', detail: 'TCP reply does not answer the question' });
        }
      }
    });
  });
}
