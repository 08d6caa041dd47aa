// A steady trickle of UDP queries to a running server, each timed from send to reply: what a client sees while
// the server is busy with something else (a big list, a watch flood). One socket, one query in flight per
// interval, ids distinct so late replies are matched to their query.
import dgram from 'node:dgram';
import { createMessage, decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { RCode, RRClass } from '../../src/wire/types.js';

const RCODE_NAMES = new Map<number, string>(Object.entries(RCode).map(([name, value]) => [value, name]));

export interface TrickleOptions {
  port: number;
  /** The names asked in turn, with their type (RRType number). */
  questions: { name: string; type: number }[];
  /** One query every this many ms (default 10). */
  intervalMs?: number;
  /** A query unanswered after this long is counted lost (default 2000 ms). */
  timeoutMs?: number;
  /** Stop by itself after this many queries (a bound for a test that forgets to stop it; default 100 000). */
  maxQueries?: number;
}

export interface TrickleReport {
  sent: number;
  answered: number;
  lost: number;
  maxLatencyMs: number;
  p99LatencyMs: number;
  /** Replies by rcode name (NOERROR, NXDOMAIN, SERVFAIL, ...). */
  rcodes: Record<string, number>;
}

export interface QueryTrickle {
  /** Replies so far (to await progress with waitFor). */
  readonly answered: number;
  /** Stop sending, wait for the replies still due (at most timeoutMs), close the socket and report. */
  stop(): Promise<TrickleReport>;
}

export async function startQueryTrickle(options: TrickleOptions): Promise<QueryTrickle> {
  const intervalMs = options.intervalMs ?? 10;
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxQueries = options.maxQueries ?? 100_000;
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const inFlight = new Map<number, number>();
  const latencies: number[] = [];
  const rcodes: Record<string, number> = {};
  let sent = 0;
  let lost = 0;
  let nextId = 1;
  let drained: (() => void) | undefined;

  socket.on('message', (packet) => {
    const id = packet.readUInt16BE(0);
    const at = inFlight.get(id);
    if (at === undefined) return;
    inFlight.delete(id);
    latencies.push(performance.now() - at);
    const rcode = decodeMessage(packet).rcode;
    const name = RCODE_NAMES.get(rcode) ?? String(rcode);
    rcodes[name] = (rcodes[name] ?? 0) + 1;
    if (inFlight.size === 0) drained?.();
  });

  const send = (): void => {
    // Expire what waited too long, so a dropped query is counted and its id can be reused.
    const now = performance.now();
    for (const [id, at] of inFlight) {
      if (now - at > timeoutMs) {
        inFlight.delete(id);
        lost++;
      }
    }
    if (sent >= maxQueries) return;
    const question = options.questions[sent % options.questions.length];
    const id = nextId;
    nextId = nextId === 0xffff ? 1 : nextId + 1;
    const packet = encodeMessage(createMessage({ id, rd: true, questions: [{ name: question.name, type: question.type, class: RRClass.IN }] }));
    inFlight.set(id, performance.now());
    sent++;
    socket.send(packet, options.port, '127.0.0.1');
  };
  const timer = setInterval(send, intervalMs);
  send();

  return {
    get answered() {
      return latencies.length;
    },
    async stop() {
      clearInterval(timer);
      if (inFlight.size > 0) {
        await new Promise<void>((resolve) => {
          const deadline = setTimeout(resolve, timeoutMs);
          drained = () => {
            clearTimeout(deadline);
            resolve();
          };
        });
      }
      lost += inFlight.size;
      inFlight.clear();
      socket.close();
      const sorted = [...latencies].sort((x, y) => x - y);
      return {
        sent,
        answered: latencies.length,
        lost,
        maxLatencyMs: Math.round(sorted.at(-1) ?? 0),
        p99LatencyMs: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? sorted.at(-1) ?? 0),
        rcodes,
      };
    },
  };
}
