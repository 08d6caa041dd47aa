// Many apply calls in flight, two servers in one process, close while queries are in flight.
import { describe, expect, it } from 'vitest';
import { startClusterDns } from '../../src/embedding/index.js';
import { headlessService, service } from '../../src/testing/index.js';

describe('embedding: concurrency', () => {
  it('500 apply calls in flight: each is served when its promise resolves', async () => {
    await using dns = await startClusterDns();
    const r = dns.resolver({ timeout: 2000, tries: 3 });
    const ip = (i: number) => `10.96.${10 + (i >> 8)}.${i & 255}`;
    const name = (i: number) => `svc-${i}.ns-${i % 7}.svc.cluster.local`;
    // Every 10th apply is checked the moment it resolves (50 queries in flight, well within a UDP socket
    // buffer); the rest once all have resolved, in batches.
    const applies = Array.from({ length: 500 }, (_, i) => {
      const applied = dns.apply(service(`svc-${i}`, `ns-${i % 7}`, { clusterIP: ip(i) }));
      return i % 10 === 0 ? applied.then(() => r.resolve4(name(i))) : applied.then(() => [ip(i)]);
    });
    const immediate = await Promise.all(applies);
    immediate.forEach((answer, i) => expect(answer).toEqual([ip(i)]));
    for (let start = 0; start < 500; start += 50) {
      const batch = Array.from({ length: 50 }, (_, k) => r.resolve4(name(start + k)));
      (await Promise.all(batch)).forEach((answer, k) => expect(answer).toEqual([ip(start + k)]));
    }
    expect(dns.store.counts.services).toBe(500);
  });

  it('apply and delete of one name interleaved with queries: the last call wins', async () => {
    await using dns = await startClusterDns();
    const r = dns.resolver();
    const name = 'flip.default.svc.cluster.local';
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      if (i % 3 === 0) calls.push(dns.delete({ kind: 'Service', namespace: 'default', name: 'flip' }));
      calls.push(dns.apply(service('flip', 'default', { clusterIP: `10.96.20.${i}` })));
    }
    const queries = Array.from({ length: 50 }, () => r.resolve4(name).catch((err: NodeJS.ErrnoException) => err.code ?? 'no code'));
    await Promise.all(calls);
    for (const answer of await Promise.all(queries)) {
      if (typeof answer === 'string') expect(answer).toBe('ENOTFOUND');
      else expect(answer[0]).toMatch(/^10\.96\.20\.\d+$/);
    }
    expect(await r.resolve4(name)).toEqual(['10.96.20.99']);
  });

  it('headless services applied concurrently keep their own endpoints', async () => {
    await using dns = await startClusterDns();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        dns.apply(headlessService(`db${i}`, 'default', { endpoints: [`10.244.${i}.1`, `10.244.${i}.2`] })),
      ),
    );
    const r = dns.resolver();
    for (let i = 0; i < 50; i++) {
      expect((await r.resolve4(`db${i}.default.svc.cluster.local`)).sort()).toEqual([`10.244.${i}.1`, `10.244.${i}.2`]);
      expect(await r.resolve4(`db${i}-1.db${i}.default.svc.cluster.local`)).toEqual([`10.244.${i}.2`]);
    }
  });

  it('two servers in one process are independent', async () => {
    await using a = await startClusterDns({ objects: [service('hello', 'default', { clusterIP: '10.96.0.1' })] });
    await using b = await startClusterDns({ objects: [service('hello', 'default', { clusterIP: '10.96.0.2' })] });
    expect(a.address.port).not.toBe(b.address.port);
    const ra = a.resolver();
    const rb = b.resolver();
    expect(await ra.resolve4('hello.default.svc.cluster.local')).toEqual(['10.96.0.1']);
    expect(await rb.resolve4('hello.default.svc.cluster.local')).toEqual(['10.96.0.2']);
    await a.apply(service('only-a', 'default', { clusterIP: '10.96.0.3' }));
    expect(await ra.resolve4('only-a.default.svc.cluster.local')).toEqual(['10.96.0.3']);
    await expect(rb.resolve4('only-a.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    const { promisify } = await import('node:util');
    expect(await promisify(a.lookup)('hello')).toEqual({ address: '10.96.0.1', family: 4 });
    expect(await promisify(b.lookup)('hello')).toEqual({ address: '10.96.0.2', family: 4 });
    await a.close();
    // b keeps serving after a is gone.
    expect(await rb.resolve4('hello.default.svc.cluster.local')).toEqual(['10.96.0.2']);
  });

  it('close while queries are in flight: every query settles promptly, nothing hangs', async () => {
    const dns = await startClusterDns({ objects: [service('hello', 'default', { clusterIP: '10.96.0.20' })] });
    const r = dns.resolver({ timeout: 5000, tries: 4 });
    const { promisify } = await import('node:util');
    const lookup = promisify(dns.lookup);
    const settled = [
      ...Array.from({ length: 300 }, () => r.resolve4('hello.default.svc.cluster.local')),
      ...Array.from({ length: 100 }, () => lookup('hello')),
    ].map((p) =>
      p.then(
        () => 'ok',
        (err: NodeJS.ErrnoException) => err.code ?? 'no code',
      ),
    );
    const started = Date.now();
    await dns.close();
    const outcomes = await Promise.all(settled);
    // Long before the 5 s x 4 tries a stuck query would take.
    expect(Date.now() - started).toBeLessThan(3000);
    const codes = new Set(outcomes);
    for (const code of codes) expect(['ok', 'ECANCELLED', 'CLUSTERDNS_ERR_SERVER_CLOSED']).toContain(code);
    // After close, nothing is pending: the resolver rejects at once.
    await expect(r.resolve4('hello.default.svc.cluster.local')).rejects.toBeTruthy();
  });
});
