// The soak's own checks (bench/soak): that an answer is judged against the state before or after a change
// only within the programming delay, that a wrong reply is caught, that heap growth beyond the index's own
// fails, and that its flags are bounded.
import { describe, expect, it } from 'vitest';
import { addresses, ExpectedAnswers, NXDOMAIN } from '../../../bench/soak/expected-answers.js';
import { HEAP_ALLOWANCE_BYTES, HEAP_BYTES_PER_OBJECT, heapVerdict } from '../../../bench/soak/heap-verdict.js';
import { judgeReply } from '../../../bench/soak/load-driver.js';
import { parseSoakOptions } from '../../../bench/soak/options.js';
import type { MemorySample } from '../../../bench/soak/soaked-server.js';
import { createMessage, decodeMessage, encodeMessage } from '../../../src/wire/message.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';

const NAME = 'churn-1.ns-0.svc.cluster.local';

function reply(rcode: number, list: string[], options: { tc?: boolean; name?: string } = {}) {
  const message = createMessage({
    id: 7,
    qr: true,
    tc: options.tc ?? false,
    rcode,
    questions: [{ name: NAME, type: RRType.A, class: RRClass.IN }],
    answers: list.map((data) => ({ name: options.name ?? NAME, type: RRType.A, class: RRClass.IN, ttl: 5, data })),
  });
  return decodeMessage(encodeMessage(message));
}

describe('ExpectedAnswers', () => {
  const expected = new ExpectedAnswers(2000, 4000);
  expected.set(NAME, addresses('10.97.0.1'), 1000);
  expected.set(NAME, NXDOMAIN, 5000);

  it('accepts only the state current when a query is sent long after the last change', () => {
    expect(expected.acceptable(NAME, 8000, 8001)).toEqual([NXDOMAIN]);
  });

  it('accepts the state before and after a change within the programming delay of it', () => {
    expect(expected.acceptable(NAME, 6500, 6501)).toEqual([addresses('10.97.0.1'), NXDOMAIN]);
  });

  it('accepts no state from before a name existed', () => {
    expect(expected.acceptable(NAME, 500, 600)).toEqual([]);
  });

  it('accepts NXDOMAIN for a name just added, within the programming delay of the add only', () => {
    const added = new ExpectedAnswers(2000, 4000);
    added.set(NAME, NXDOMAIN, 0);
    added.set(NAME, addresses('10.97.0.9'), 10_000);
    expect(added.acceptable(NAME, 10_100, 10_200)).toEqual([NXDOMAIN, addresses('10.97.0.9')]);
    expect(added.acceptable(NAME, 12_100, 12_200)).toEqual([addresses('10.97.0.9')]);
  });

  it('keeps a bounded history: states older than the delay and the kept time are dropped', () => {
    const short = new ExpectedAnswers(10, 10);
    for (let at = 0; at < 1000; at += 100) short.set(NAME, addresses(`10.0.0.${at / 100}`), at);
    expect(short.acceptable(NAME, 0, 1000)).toEqual([addresses('10.0.0.8'), addresses('10.0.0.9')]);
  });
});

describe('judgeReply', () => {
  const accepted = [addresses('10.97.0.1', '10.97.0.2')];

  it('passes a reply with the expected addresses in any order', () => {
    expect(judgeReply(reply(RCode.NOERROR, ['10.97.0.2', '10.97.0.1']), NAME, accepted)).toBeNull();
  });

  it('catches a missing address, a wrong RCODE, truncation and a record for another name', () => {
    expect(judgeReply(reply(RCode.NOERROR, ['10.97.0.1']), NAME, accepted)).toBe('NOERROR [10.97.0.1]');
    expect(judgeReply(reply(RCode.NXDOMAIN, []), NAME, accepted)).toBe('NXDOMAIN');
    expect(judgeReply(reply(RCode.NOERROR, ['10.97.0.1', '10.97.0.2'], { tc: true }), NAME, accepted)).toBe('truncated');
    expect(judgeReply(reply(RCode.NOERROR, ['10.97.0.1', '10.97.0.2'], { name: 'other.ns-0.svc.cluster.local' }), NAME, accepted)).toMatch(/^unexpected record/);
  });
});

describe('heapVerdict', () => {
  const sample = (heapUsedBytes: number, objects: number): MemorySample => ({ atSeconds: 0, phase: 'x', rssBytes: 0, heapUsedBytes, objects, settled: true });

  it('fails growth past the allowance when the objects did not grow', () => {
    const verdict = heapVerdict(sample(40e6, 3000), sample(40e6 + HEAP_ALLOWANCE_BYTES + 1, 3000));
    expect(verdict).toMatchObject({ ok: false, objectGrowth: 0, allowedBytes: HEAP_ALLOWANCE_BYTES });
  });

  it('allows the index its own growth per object held', () => {
    const growth = HEAP_ALLOWANCE_BYTES + 1000 * HEAP_BYTES_PER_OBJECT;
    expect(heapVerdict(sample(40e6, 3000), sample(40e6 + growth, 4000)).ok).toBe(true);
    expect(heapVerdict(sample(40e6, 3000), sample(40e6 + growth + 1, 4000)).ok).toBe(false);
  });
});

describe('parseSoakOptions', () => {
  it('reads every flag and refuses unknown flags and values out of range, naming the flag', () => {
    expect(parseSoakOptions(['--minutes', '0.5', '--qps', '50', '--services', '100', '--churn', '5', '--out', 'r.json'])).toMatchObject({
      minutes: 0.5,
      qps: 50,
      services: 100,
      churnPerSecond: 5,
      out: 'r.json',
    });
    expect(() => parseSoakOptions(['--minutes', '0'])).toThrow(/--minutes must be a number from 0.1/);
    expect(() => parseSoakOptions(['--qps', 'many'])).toThrow(/--qps/);
    expect(() => parseSoakOptions(['--forever'])).toThrow(/unknown flag --forever/);
  });
});
