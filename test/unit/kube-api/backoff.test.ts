import { describe, expect, it } from 'vitest';
import { Backoff, DEFAULT_BACKOFF } from '../../../src/kube-api/backoff.js';

describe('Backoff', () => {
  it('doubles from the base delay up to the maximum (no jitter)', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => b.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(b.attempts).toBe(6);
  });

  it('draws each delay from [delay × (1 − jitter), delay]', () => {
    const high = new Backoff({ baseMs: 1000, jitter: 0.5, random: () => 0 });
    const low = new Backoff({ baseMs: 1000, jitter: 0.5, random: () => 0.999999 });
    expect(high.next()).toBe(1000);
    expect(low.next()).toBe(500);
    const spread = new Set(Array.from({ length: 50 }, () => new Backoff({ baseMs: 1000 }).next()));
    for (const d of spread) expect(d).toBeGreaterThanOrEqual(500);
    for (const d of spread) expect(d).toBeLessThanOrEqual(1000);
    expect(spread.size).toBeGreaterThan(5);
  });

  it('starts over after reset()', () => {
    const b = new Backoff({ baseMs: 10, maxMs: 1000, jitter: 0 });
    b.next();
    b.next();
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(10);
  });

  it('never overflows after very many failures', () => {
    const b = new Backoff({ baseMs: 800, maxMs: 30_000, jitter: 0 });
    let last = 0;
    for (let i = 0; i < 5000; i++) last = b.next();
    expect(last).toBe(30_000);
  });

  it('has client-go-like defaults and rejects nonsense', () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 800, maxMs: 30_000, factor: 2, jitter: 0.5 });
    expect(() => new Backoff({ baseMs: -1 })).toThrow(RangeError);
    expect(() => new Backoff({ maxMs: Number.NaN })).toThrow(RangeError);
    // maxMs below baseMs is lifted to baseMs.
    expect(new Backoff({ baseMs: 50, maxMs: 10, jitter: 0 }).next()).toBe(50);
  });
});
