import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamPool } from '../../../src/forward/upstream-pool.js';
import { RRClass, RRType } from '../../../src/wire/types.js';
import { TestUpstream, a } from '../../helpers/upstream/test-upstream.js';

const upstreams: TestUpstream[] = [];
afterEach(async () => {
  for (const upstream of upstreams.splice(0)) await upstream.close();
});

async function start(count: number): Promise<TestUpstream[]> {
  const started = await Promise.all(Array.from({ length: count }, async () => {
    const upstream = new TestUpstream();
    await upstream.start();
    return upstream;
  }));
  upstreams.push(...started);
  return started;
}

const ask = (name: string) => ({ name, type: RRType.A, class: RRClass.IN, dnssecOk: false, checkingDisabled: false });

describe('UpstreamPool', () => {
  it('round_robin starts each query at the next upstream; sequential always at the first', async () => {
    const servers = await start(3);
    const address = (server: TestUpstream) => ({ host: '127.0.0.1', port: server.port, family: 4 as const });
    const roundRobin = new UpstreamPool({ upstreams: servers.map(address), policy: 'round_robin' });
    for (let i = 0; i < 6; i++) await roundRobin.query(ask(`rr${i}.example`));
    expect(servers.map((server) => server.received.length)).toEqual([2, 2, 2]);
    const sequential = new UpstreamPool({ upstreams: servers.map(address), policy: 'sequential' });
    for (let i = 0; i < 3; i++) await sequential.query(ask(`seq${i}.example`));
    expect(servers.map((server) => server.received.length)).toEqual([5, 2, 2]);
    roundRobin.close();
    sequential.close();
  });

  it('random spreads queries over every upstream', async () => {
    const servers = await start(2);
    const pool = new UpstreamPool({ upstreams: servers.map((server) => ({ host: '127.0.0.1', port: server.port, family: 4 as const })) });
    for (let i = 0; i < 40; i++) await pool.query(ask(`r${i}.example`));
    // Each gets a share: the chance that either sees none of 40 is 2 × 2⁻⁴⁰.
    expect(servers.every((server) => server.received.length > 0)).toBe(true);
    pool.close();
  });

  it('close() stops health checks and ends the exchanges in flight at once', async () => {
    const [silent] = await start(1);
    silent.answer('x.example', { kind: 'drop' });
    silent.answer('y.example', { kind: 'drop' });
    silent.answer('', { kind: 'drop' });
    const pool = new UpstreamPool({ upstreams: [{ host: '127.0.0.1', port: silent.port, family: 4 }], timeoutMs: 1000, maxFails: 1, healthCheckIntervalMs: 20 });
    await pool.query(ask('x.example'));
    expect(pool.upstreams[0].isDown).toBe(true);
    expect(pool.upstreams[0].healthChecking).toBe(true);
    await silent.waitForQueries('', 1);
    const pending = pool.query(ask('y.example')); // all down: still tried
    await silent.waitForQueries('y.example', 1);
    const closedAt = Date.now();
    pool.close();
    expect(await pending).toMatchObject({ ok: false, failure: 'unreachable', detail: expect.stringContaining('the forwarder was closed') });
    expect(Date.now() - closedAt).toBeLessThan(500); // not the 1 s timeout
    expect(pool.upstreams[0].healthChecking).toBe(false);
    expect(await pool.query(ask('z.example'))).toMatchObject({ ok: false, failure: 'unreachable' });
    expect(silent.count('z.example')).toBe(0);
  });

  it('answers a question joined while in flight with the same reply, and forgets it once answered', async () => {
    const [slow] = await start(1);
    slow.answer('join.example', { answer: a('join.example', '192.0.2.9'), delayMs: 100 });
    const pool = new UpstreamPool({ upstreams: [{ host: '127.0.0.1', port: slow.port, family: 4 }] });
    const first = pool.query(ask('join.example'));
    const second = pool.query(ask('join.example'));
    expect(second).toBe(first);
    expect(pool.inFlight).toBe(1);
    await first;
    expect(pool.inFlight).toBe(0);
    await pool.query(ask('join.example'));
    expect(slow.count('join.example')).toBe(2);
    pool.close();
  });
});
