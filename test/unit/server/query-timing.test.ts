// coredns_dns_request_duration_seconds counts every query: synchronous answers are timed one in 16 (the others
// take the last timed duration), answers that wait for a handler are each timed.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger.js';
import type { Handler } from '../../../src/pipeline/handler.js';
import { QueryProcessor } from '../../../src/server/query-processor.js';
import { TIME_BUCKETS } from '../../../src/server/bucket-histogram.js';
import { createServerStats } from '../../../src/server/server-stats.js';
import { RCode, RRType } from '../../../src/wire/types.js';
import { queryBytes } from '../../helpers/raw-query.js';

const total = (counts: number[]) => counts.reduce((a, b) => a + b, 0);

describe('QueryProcessor timing', () => {
  it('counts every synchronous answer in the duration histogram, and times a slow asynchronous one into its bucket', async () => {
    let delayMs = 0;
    const handler: Handler = {
      name: 'test',
      handle: () => (delayMs === 0 ? { kind: 'error', rcode: RCode.NXDOMAIN } : new Promise((resolve) => setTimeout(() => resolve({ kind: 'error', rcode: RCode.NXDOMAIN }), delayMs))),
    };
    const stats = createServerStats();
    const processor = new QueryProcessor(handler, stats, silentLogger());
    const query = queryBytes('x.example', RRType.A);
    for (let i = 0; i < 40; i++) processor.process(query, 'udp', '127.0.0.1', 5353, () => 512, () => {});
    expect(total(stats.durations.counts)).toBe(40);
    expect(total(stats.requestSizes.udp.counts)).toBe(40);
    expect(stats.requestSizes.udp.sum).toBe(40 * query.length);

    delayMs = 40;
    await new Promise<void>((resolve) => processor.process(query, 'udp', '127.0.0.1', 5353, () => 512, () => resolve()));
    expect(total(stats.durations.counts)).toBe(41);
    // 40 ms lands above the 0.032 s bound.
    expect(stats.durations.counts.slice(TIME_BUCKETS.indexOf(0.064)).reduce((a, b) => a + b, 0)).toBe(1);
    expect(stats.durations.sum).toBeGreaterThanOrEqual(0.039);
  });
});
