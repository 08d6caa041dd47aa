// Many apply calls in flight, two servers in one process, close while queries are in flight.
import { describe, expect, it } from 'vitest';
import { startClusterDns } from '../../src/embedding/index.js';
import { headlessService, service } from '../../src/testing/index.js';

describe('embedding: concurrency', () => {
  it('500 apply calls made back to back without awaiting: each resolves with its own change served, none is lost', async () => {
    await using dns = await startClusterDns();
    const r = dns.resolver({ timeout: 2000, tries: 3 });
    const ip = (i: number) => `10.96.${10 + (i >> 8)}.${i & 255}`;
    const name = (i: number) => `svc-${i}.ns-${i % 7}.svc.cluster.local`;
    // apply() changes the store before its promise settles, so all 500 calls are made before the first
    // `then` runs; every 10th is queried the moment it resolves (50 queries in flight at once).
    const storedWhenResolved: number[] = [];
    const applies = Array.from({ length: 500 }, (_, i) => {
      const applied = dns.apply(service(`svc-${i}`, `ns-${i % 7}`, { clusterIP: ip(i) }));
      const served = applied.then(() => storedWhenResolved.push(dns.store.counts.services));
      return i % 10 === 0 ? served.then(() => r.resolve4(name(i))) : served.then(() => [ip(i)]);
    });
    const immediate = await Promise.all(applies);
    immediate.forEach((answer, i) => expect(answer).toEqual([ip(i)]));
    // Every call had changed the store by the time its promise resolved (the first resolves after all 500 calls).
    expect(storedWhenResolved).toEqual(Array.from({ length: 500 }, () => 500));
    for (let start = 0; start < 500; start += 50) {
      const batch = Array.from({ length: 50 }, (_, k) => r.resolve4(name(start + k)));
      (await Promise.all(batch)).forEach((answer, k) => expect(answer).toEqual([ip(start + k)]));
    }
    expect(dns.store.counts.services).toBe(500);
  });

  it('queries in flight while apply/delete change one name: each answer is a state the name had during its flight', async () => {
    await using dns = await startClusterDns();
    const r = dns.resolver({ timeout: 2000, tries: 3 });
    const name = 'flip.default.svc.cluster.local';
    // states[v] is what the name answers after change v: an address, or NXDOMAIN after a delete.
    const states: string[] = ['ENOTFOUND'];
    const pending: Array<Promise<{ sent: number; received: number; answer: string }>> = [];
    for (let step = 1; step <= 121; step++) {
      if (step % 4 === 0) {
        await dns.delete({ kind: 'Service', namespace: 'default', name: 'flip' });
        states.push('ENOTFOUND');
      } else {
        await dns.apply(service('flip', 'default', { clusterIP: `10.96.20.${step}` }));
        states.push(`10.96.20.${step}`);
      }
      // Two queries leave now; the loop changes the name again before the server has read them.
      for (let q = 0; q < 2; q++) {
        const sent = states.length - 1;
        pending.push(
          r.resolve4(name).then(
            (addresses) => ({ sent, received: states.length - 1, answer: addresses.join(',') }),
            (err: NodeJS.ErrnoException) => ({ sent, received: states.length - 1, answer: err.code ?? String(err) }),
          ),
        );
      }
      // One turn of the event loop (I/O included) between changes, so queries are answered mid-churn.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const outcomes = await Promise.all(pending);
    for (const { sent, received, answer } of outcomes) {
      expect(states.slice(sent, received + 1)).toContain(answer);
    }
    // The interleaving is real: some queries were answered only after later changes had been made.
    expect(outcomes.filter((o) => o.received > o.sent).length).toBeGreaterThan(0);
    // And queries did see intermediate states, not only the last one.
    expect(new Set(outcomes.map((o) => o.answer)).size).toBeGreaterThan(10);
    expect(await r.resolve4(name)).toEqual(['10.96.20.121']);
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
