// A steady trickle of UDP queries to a running server, each timed from send to reply: what a client sees while
// the server is busy with something else (a big list, a watch flood). The queries are sent from a worker
// thread (query-trickle-worker.mjs), so a blocked server event loop shows as late replies instead of as
// queries never sent.
import { Worker } from 'node:worker_threads';
import { RCode } from '../../src/wire/types.js';

const RCODE_NAMES = new Map<number, string>(Object.entries(RCode).map(([name, value]) => [value, name]));
const WORKER = new URL('./query-trickle-worker.mjs', import.meta.url);

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
  /** Resolves once a reply with this rcode has come (at once if one has); rejects after boundMs. */
  firstReply(rcode: number, boundMs?: number): Promise<void>;
  /** Stop sending, wait for the replies still due (at most timeoutMs), end the worker and report. */
  stop(): Promise<TrickleReport>;
}

interface WorkerReport {
  kind: 'report';
  sent: number;
  lost: number;
  latencies: number[];
  rcodes: Record<string, number>;
}

export async function startQueryTrickle(options: TrickleOptions): Promise<QueryTrickle> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const worker = new Worker(WORKER, {
    workerData: {
      port: options.port,
      questions: options.questions,
      intervalMs: options.intervalMs ?? 10,
      timeoutMs,
      maxQueries: options.maxQueries ?? 100_000,
    },
  });
  const messages: { kind: string }[] = [];
  const waiters: (() => void)[] = [];
  worker.on('message', (message: { kind: string }) => {
    messages.push(message);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = (kind: string, boundMs: number, match: (m: { kind: string }) => boolean = () => true): Promise<{ kind: string }> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`query trickle: no '${kind}' within ${boundMs} ms`)), boundMs);
      const look = (): void => {
        const found = messages.find((m) => m.kind === kind && match(m));
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(look);
      };
      look();
    });
  await next('started', 10_000);
  return {
    async firstReply(rcode, boundMs = 10_000) {
      await next('first', boundMs, (m) => (m as { rcode?: number }).rcode === rcode);
    },
    async stop() {
      worker.postMessage('stop');
      const report = (await next('report', timeoutMs + 10_000)) as WorkerReport;
      await worker.terminate();
      const sorted = [...report.latencies].sort((x, y) => x - y);
      const rcodes: Record<string, number> = {};
      for (const [code, count] of Object.entries(report.rcodes)) rcodes[RCODE_NAMES.get(Number(code)) ?? code] = count;
      return {
        sent: report.sent,
        answered: sorted.length,
        lost: report.lost,
        maxLatencyMs: Math.round(sorted.at(-1) ?? 0),
        p99LatencyMs: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? sorted.at(-1) ?? 0),
        rcodes,
      };
    },
  };
}
