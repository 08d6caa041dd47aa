import { describe, expect, it } from 'vitest';
import { addServerStats, createServerStats } from '../../../src/server/server-stats.js';

describe('addServerStats', () => {
  it('adds every counter, rcodes present on either side', () => {
    const into = createServerStats();
    into.requests.udp = 5;
    into.responses[0] = 4;
    into.responses[3] = 1;
    const from = { requests: { udp: 10, tcp: 2 }, ipv6Requests: { udp: 3, tcp: 1 }, responses: { 0: 9, 2: 3 }, dropped: 1, panics: 2, tcpConnections: 1, autopathSuccesses: 4 };
    expect(addServerStats(into, from)).toBe(into);
    expect(into).toEqual({ requests: { udp: 15, tcp: 2 }, ipv6Requests: { udp: 3, tcp: 1 }, responses: { 0: 13, 2: 3, 3: 1 }, dropped: 1, panics: 2, tcpConnections: 1, autopathSuccesses: 4 });
    // The source is left as it was.
    expect(from.responses).toEqual({ 0: 9, 2: 3 });
  });
});
