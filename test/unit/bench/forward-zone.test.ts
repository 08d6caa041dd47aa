// The forwarded zone that clusterdns-cache's upstream serves and the query file that asks it.
import { describe, expect, it } from 'vitest';
import { forwardAddress, forwardChecks, forwardQueryLines, forwardZoneText } from '../../../bench/run/forward-zone.js';

describe('bench forward zone', () => {
  it('is a zone under fwd.bench. with SOA, NS and glue, and one A record per name with distinct addresses', () => {
    const lines = forwardZoneText(3000).trim().split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '$ORIGIN fwd.bench.',
      '$TTL 3600',
      '@ IN SOA ns.fwd.bench. hostmaster.fwd.bench. 1 3600 600 86400 60',
      '@ IN NS ns',
      'ns IN A 127.0.0.1',
    ]);
    const records = lines.slice(5);
    expect(records).toHaveLength(3000);
    expect(records[0]).toBe('h0 IN A 10.128.0.0');
    expect(records[2999]).toBe(`h2999 IN A ${forwardAddress(2999)}`);
    expect(new Set(records.map((r) => r.split(' ')[3])).size).toBe(3000);
    for (const r of records) expect(r).toMatch(/^h\d+ IN A 10\.(1[2-9]\d|2[0-5]\d)\.\d{1,3}\.\d{1,3}$/);
  });

  it('asks only names of the zone, type A, deterministically, and reaches nearly every name in four passes worth of lines', () => {
    const a = forwardQueryLines(5000, 20000);
    expect(a).toEqual(forwardQueryLines(5000, 20000));
    expect(a).not.toEqual(forwardQueryLines(5000, 20000, 14));
    const asked = new Set<number>();
    const strays = a.filter((line) => {
      const m = /^h(\d+)\.fwd\.bench A$/.exec(line);
      if (m && Number(m[1]) < 5000) asked.add(Number(m[1]));
      return !m || Number(m[1]) >= 5000;
    });
    expect(strays).toEqual([]);
    // Uniform draws: 1 − e^−4 ≈ 98 % of the names appear; a skewed generator would reach far fewer.
    expect(asked.size).toBeGreaterThan(4800);
  });

  it('cross-checks a name with an address, a name that does not exist, and a type the name lacks', () => {
    expect(forwardChecks()).toEqual([['h0.fwd.bench', 'A'], ['nothere.fwd.bench', 'A'], ['h1.fwd.bench', 'AAAA']]);
  });
});
