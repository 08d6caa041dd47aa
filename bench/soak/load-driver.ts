// Drives lookups at a fixed rate and checks every reply against ExpectedAnswers. A reply is wrong when its
// RCODE and A records equal no state the name had between (sent − programming delay) and (received), when
// it is truncated, or when it carries records for another name; a walk stops at its first wrong step. SERVFAIL
// for a forwarded name is counted apart (an upstream that did not reply in time) and checked by the caller.
import type { Message } from '../../src/wire/message.js';
import { RCode, RRType } from '../../src/wire/types.js';
import type { DnsClient } from './dns-clients.js';
import { describeExpectation, sameExpectation, type ExpectedAnswers, type Expectation } from './expected-answers.js';
import { isForwarded, type Lookup, type LookupKind, type QueryMix } from './query-mix.js';

export interface LoadCounts {
  lookups: number;
  sent: number;
  answered: number;
  timedOut: number;
  wrong: number;
  /** SERVFAIL for a forwarded name: the upstream did not reply in time, or the cache's record of that (RFC 2308 7.1). */
  forwardedServfail: number;
  /** Queries answered, by kind of lookup. */
  byKind: Partial<Record<LookupKind, number>>;
  udp: number;
  tcp: number;
}

export interface WrongAnswer {
  name: string;
  transport: 'udp' | 'tcp';
  got: string;
  accepted: string[];
  sentAtMs: number;
  latencyMs: number;
}

export function emptyCounts(): LoadCounts {
  return { lookups: 0, sent: 0, answered: 0, timedOut: 0, wrong: 0, forwardedServfail: 0, byKind: {}, udp: 0, tcp: 0 };
}

/**
 * Null when `reply` to a query for `name` (type A) equals one of the `accepted` states; otherwise what it was.
 * A truncated reply, or one carrying any record but an A for `name`, is never right: every soak answer fits.
 */
export function judgeReply(reply: Message, name: string, accepted: Expectation[]): string | null {
  if (reply.tc) return 'truncated';
  const lower = name.toLowerCase();
  const list: string[] = [];
  for (const record of reply.answers) {
    if (record.type !== RRType.A || record.name.toLowerCase() !== lower) return `unexpected record ${record.name} type ${record.type}`;
    list.push(String(record.data));
  }
  const got: Expectation = { rcode: reply.rcode, addresses: list.sort() };
  return accepted.some((e) => sameExpectation(e, got)) ? null : describeExpectation(got);
}

export interface LoadDriverOptions {
  qps: number;
  udp: DnsClient[];
  tcp: DnsClient[];
  mix: QueryMix;
  expected: ExpectedAnswers;
  counts: LoadCounts;
  wrongAnswers: WrongAnswer[];
  /** Called every tick (10 ms) with the elapsed ms, e.g. to apply churn at its own rate. */
  onTick?: (elapsedMs: number) => void;
  /** Called with each wrong answer as it is found. */
  onWrong?: (wrong: WrongAnswer) => void;
}

const TICK_MS = 10;
/** Examples of wrong answers kept for the report. */
const WRONG_KEPT = 20;

/** Runs lookups for `durationMs` at `qps`; resolves when the last one has ended (each is bounded by its timeouts). */
export async function driveLoad(options: LoadDriverOptions, durationMs: number): Promise<void> {
  const { counts } = options;
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let launched = 0;
  let nextUdp = 0;
  let nextTcp = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      options.onTick?.(elapsed);
      const due = Math.floor((Math.min(elapsed, durationMs) * options.qps) / 1000);
      // After a stall, catch up by at most one second's worth per tick.
      const burst = Math.min(due - launched, options.qps);
      for (let i = 0; i < burst; i++) {
        const lookup = options.mix.next();
        const client = lookup.transport === 'udp' ? options.udp[nextUdp++ % options.udp.length] : options.tcp[nextTcp++ % options.tcp.length];
        const run = runLookup(lookup, client, options).finally(() => inFlight.delete(run));
        inFlight.add(run);
        launched++;
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  await Promise.all(inFlight);
}

async function runLookup(lookup: Lookup, client: DnsClient, options: LoadDriverOptions): Promise<void> {
  const { counts, expected } = options;
  counts.lookups++;
  for (const name of lookup.names) {
    const sentAt = performance.now();
    counts.sent++;
    counts[lookup.transport]++;
    const reply = await client.query(name);
    const receivedAt = performance.now();
    if (!reply) {
      counts.timedOut++;
      return;
    }
    counts.answered++;
    counts.byKind[lookup.kind] = (counts.byKind[lookup.kind] ?? 0) + 1;
    const accepted = expected.acceptable(name, sentAt, receivedAt);
    const got = judgeReply(reply, name, accepted);
    if (got !== null && reply.rcode === RCode.SERVFAIL && isForwarded(name) && reply.answers.length === 0) {
      // The upstream lives in the soak's own process; checked against the server's upstream counters at the end.
      counts.forwardedServfail++;
      return;
    }
    if (got !== null) {
      counts.wrong++;
      const wrong: WrongAnswer = {
        name,
        transport: lookup.transport,
        got,
        accepted: accepted.map(describeExpectation),
        sentAtMs: Math.round(sentAt),
        latencyMs: Math.round(receivedAt - sentAt),
      };
      if (options.wrongAnswers.length < WRONG_KEPT) options.wrongAnswers.push(wrong);
      options.onWrong?.(wrong);
      return;
    }
  }
}
