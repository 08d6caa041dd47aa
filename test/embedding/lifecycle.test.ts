// Start and stop 100 servers: no handles (sockets, timers, DNS requests) or memory left behind.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { startClusterDns } from '../../src/embedding/index.js';
import { headlessService, service } from '../../src/testing/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const WATCHED = new Set(['UDPWRAP', 'UDPWrap', 'TCPServerWrap', 'TCPWRAP', 'TCPWrap', 'Timeout', 'QueryReqWrap', 'GetAddrInfoReqWrap', 'SendWrap', 'Immediate']);

function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) {
    if (WATCHED.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function cycle(i: number): Promise<void> {
  const dns = await startClusterDns({
    objects: [service('hello', 'default', { clusterIP: '10.96.0.20' }), headlessService('db', 'default', { endpoints: ['10.244.0.5'] })],
  });
  const r = dns.resolver();
  await r.resolve4('hello.default.svc.cluster.local');
  await new Promise<void>((resolve, reject) => dns.lookup('db', { all: true }, (err) => (err ? reject(err) : resolve())));
  await dns.apply(service(`s${i}`, 'default'));
  // Leave a query in flight at close half of the time.
  const pending = r.resolve4(`s${i}.default.svc.cluster.local`).catch(() => undefined);
  if (i % 2 === 0) await dns.close();
  else await dns[Symbol.asyncDispose]();
  await pending;
}

describe('embedding: lifecycle', () => {
  it('starts and stops 100 servers without leaking handles or memory', { timeout: 120_000 }, async () => {
    for (let i = 0; i < 10; i++) await cycle(i); // warm up (module loading, JIT, c-ares init)
    await settle();
    gc();
    const handlesBefore = resources();
    const heapBefore = process.memoryUsage().heapUsed;

    for (let i = 0; i < 100; i++) await cycle(i);
    await settle();
    gc();
    gc();
    const handlesAfter = resources();
    const heapAfter = process.memoryUsage().heapUsed;

    for (const [name, count] of handlesAfter) expect({ name, count }).toEqual({ name, count: handlesBefore.get(name) ?? 0 });
    // Each server holds a record index, caches and sockets; 100 retained servers would be far above this.
    const growth = heapAfter - heapBefore;
    expect(growth).toBeLessThan(8 * 1024 * 1024);
  });

  it('a server costs no handles after close (UDP and TCP listeners released)', async () => {
    await settle();
    const before = resources();
    const dns = await startClusterDns();
    const during = resources();
    expect((during.get('UDPWRAP') ?? during.get('UDPWrap') ?? 0) - (before.get('UDPWRAP') ?? before.get('UDPWrap') ?? 0)).toBe(1);
    expect((during.get('TCPServerWrap') ?? 0) - (before.get('TCPServerWrap') ?? 0)).toBe(1);
    await dns.close();
    await settle();
    expect(resources()).toEqual(before);
  });
});
