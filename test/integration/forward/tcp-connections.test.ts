import { afterEach, describe, expect, it } from 'vitest';
import { RCode } from '../../../src/wire/types.js';
import { TestUpstream, a } from '../../helpers/upstream/test-upstream.js';
import { addresses, ask } from './client.js';
import { startForwarder, type ForwarderOptions } from './forwarder.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(pool: ForwarderOptions['pool'] = {}) {
  const up = new TestUpstream();
  await up.start();
  cleanups.push(() => up.close());
  const fwd = await startForwarder({ routes: { '': [up.port] }, cache: false, pool: { forceTcp: true, ...pool } });
  cleanups.push(() => fwd.close());
  return { up, fwd, tcp: fwd.pool().upstreams[0].tcp };
}

describe('persistent TCP connections to an upstream (CoreDNS forward expire, RFC 7766 6.2)', () => {
  it('asks question after question over one connection', async () => {
    const { up, fwd, tcp } = await setup();
    for (let i = 0; i < 5; i++) {
      up.answer(`q${i}.example.com`, a(`q${i}.example.com`, `192.0.2.${i + 1}`));
      expect(addresses(await ask(fwd.port, `q${i}.example.com`))).toEqual([`192.0.2.${i + 1}`]);
    }
    expect(up.count('q4.example.com', 'tcp')).toBe(1);
    expect(up.connectionsAccepted).toBe(1);
    expect(tcp.open).toBe(1);
  });

  it('pipelines questions in flight together on one connection and matches replies that come back in reverse order by id', async () => {
    const { up, fwd, tcp } = await setup();
    const names = Array.from({ length: 8 }, (_, i) => `p${i}.example.com`);
    // The first question is answered last: the replies arrive in the reverse order of the questions.
    names.forEach((name, i) => up.answer(name, { answer: a(name, `192.0.2.${i + 10}`), delayMs: 20 * (names.length - i) }));
    const replies = await Promise.all(names.map((name) => ask(fwd.port, name)));
    expect(replies.map(addresses)).toEqual(names.map((_, i) => [`192.0.2.${i + 10}`]));
    expect(up.connectionsAccepted).toBe(1);
    expect(tcp.inFlight).toBe(0);
  });

  it('closes a connection idle for expire, and opens a new one for the next question', async () => {
    const { up, fwd, tcp } = await setup({ expireMs: 50 });
    up.answer('idle.example.com', a('idle.example.com', '192.0.2.30'));
    await ask(fwd.port, 'idle.example.com');
    expect(up.connectionsAccepted).toBe(1);
    await up.waitForOpenConnections(0, 2000); // closed by the forwarder after 50 ms idle
    expect(tcp.open).toBe(0);
    expect(addresses(await ask(fwd.port, 'idle.example.com'))).toEqual(['192.0.2.30']);
    expect(up.connectionsAccepted).toBe(2);
  });

  it('keeps a busy connection past expire: only idle time counts', async () => {
    const { up, fwd } = await setup({ expireMs: 100 });
    up.answer('slow.example.com', { answer: a('slow.example.com', '192.0.2.31'), delayMs: 250 });
    expect(addresses(await ask(fwd.port, 'slow.example.com'))).toEqual(['192.0.2.31']);
    expect(up.connectionsAccepted).toBe(1);
    expect(up.openConnections).toBe(1);
  });

  it('retries on a fresh connection when the upstream closes a reused one on the question, and answers', async () => {
    const { up, fwd, tcp } = await setup();
    up.answer('first.example.com', a('first.example.com', '192.0.2.40'));
    await ask(fwd.port, 'first.example.com');
    up.answer('dropped.example.com', { kind: 'hang-up', then: a('dropped.example.com', '192.0.2.41') });
    expect(addresses(await ask(fwd.port, 'dropped.example.com'))).toEqual(['192.0.2.41']);
    expect(up.count('dropped.example.com', 'tcp')).toBe(2);
    expect(up.connectionsAccepted).toBe(2);
    expect(tcp.inFlight).toBe(0);
  });

  it('answers SERVFAIL within the timeout when the upstream closes every connection on the question, and nothing stays in flight', async () => {
    const { up, fwd, tcp } = await setup({ timeoutMs: 1000 });
    up.answer('first.example.com', a('first.example.com', '192.0.2.50'));
    await ask(fwd.port, 'first.example.com');
    up.answer('broken.example.com', { kind: 'hang-up' });
    const started = performance.now();
    const reply = await ask(fwd.port, 'broken.example.com');
    expect(reply.rcode).toBe(RCode.SERVFAIL);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(up.count('broken.example.com', 'tcp')).toBe(2); // the reused connection, then one fresh
    expect(fwd.pool().inFlight).toBe(0);
    expect(tcp.inFlight).toBe(0);
    await up.waitForOpenConnections(0);
    expect(tcp.open).toBe(0);
  });

  it('retires a connection on which a question timed out: it closes, and the next question opens a fresh one', async () => {
    const { up, fwd, tcp } = await setup({ timeoutMs: 200 });
    up.answer('late.example.com', { answer: a('late.example.com', '192.0.2.70'), delayMs: 1000 });
    up.answer('next.example.com', a('next.example.com', '192.0.2.71'));
    expect((await ask(fwd.port, 'late.example.com')).rcode).toBe(RCode.SERVFAIL);
    await up.waitForOpenConnections(0); // nothing else was waiting on it: closed at once
    expect(addresses(await ask(fwd.port, 'next.example.com'))).toEqual(['192.0.2.71']);
    expect(up.connectionsAccepted).toBe(2);
    expect(tcp.open).toBe(1);
  });

  it('closes every connection when the forwarder closes', async () => {
    const { up, fwd, tcp } = await setup();
    up.answer('last.example.com', a('last.example.com', '192.0.2.60'));
    await ask(fwd.port, 'last.example.com');
    expect(up.openConnections).toBe(1);
    fwd.pool().close();
    expect(tcp.open).toBe(0);
    await up.waitForOpenConnections(0);
  });
});
