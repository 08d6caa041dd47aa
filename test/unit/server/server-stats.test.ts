import { describe, expect, it } from 'vitest';
import { addServerStats, createServerStats, requestSlot, typeSlot } from '../../../src/server/server-stats.js';
import { RRType } from '../../../src/wire/types.js';

describe('addServerStats', () => {
  it('adds every counter, rcodes present on either side', () => {
    const into = createServerStats();
    into.requests.udp = 5;
    into.responses[0] = 4;
    into.responses[3] = 1;
    const from = { ...createServerStats(), requests: { udp: 10, tcp: 2 }, ipv6Requests: { udp: 3, tcp: 1 }, responses: { 0: 9, 2: 3 }, dropped: 1, panics: 2, tcpConnections: 1, autopathSuccesses: 4 };
    expect(addServerStats(into, from)).toBe(into);
    expect(into).toMatchObject({ requests: { udp: 15, tcp: 2 }, ipv6Requests: { udp: 3, tcp: 1 }, responses: { 0: 13, 2: 3, 3: 1 }, dropped: 1, panics: 2, tcpConnections: 1, autopathSuccesses: 4 });
    // The source is left as it was.
    expect(from.responses).toEqual({ 0: 9, 2: 3 });
  });

  it('adds the per-type request counts, the DO count, reload failures and every histogram bucket by bucket', () => {
    const into = createServerStats();
    const from = createServerStats();
    const aOverTcp6 = requestSlot(true, true, typeSlot(RRType.A));
    from.requestsByType[aOverTcp6] = 7;
    into.requestsByType[aOverTcp6] = 1;
    from.doRequests = 2;
    from.reloadFailures = 1;
    from.durations.counts[3] = 4;
    from.durations.sum = 0.01;
    from.responseSizes.tcp.counts[2] = 5;
    addServerStats(into, from);
    addServerStats(into, from);
    expect(into.requestsByType[aOverTcp6]).toBe(15);
    expect(into.doRequests).toBe(4);
    expect(into.reloadFailures).toBe(2);
    expect(into.durations.counts[3]).toBe(8);
    expect(into.durations.sum).toBeCloseTo(0.02);
    expect(into.responseSizes.tcp.counts[2]).toBe(10);
    expect(into.responseSizes.udp.counts.every((count) => count === 0)).toBe(true);
  });
});
