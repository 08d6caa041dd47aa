import { afterEach, describe, expect, it } from 'vitest';
import { detectForwardingLoop } from '../../../src/forward/loop-detection.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';
import { dig } from '../../helpers/dig.js';
import { TestUpstream, a, type UpstreamAnswer } from '../../helpers/upstream/test-upstream.js';
import { addresses, ask } from './client.js';
import { startForwarder, type Forwarder } from './forwarder.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function upstream(): Promise<TestUpstream> {
  const server = new TestUpstream();
  await server.start();
  cleanups.push(() => server.close());
  return server;
}

async function forwarder(options: Parameters<typeof startForwarder>[0]): Promise<Forwarder> {
  const started = await startForwarder(options);
  cleanups.push(() => started.close());
  return started;
}

describe('relaying an upstream reply', () => {
  it('keeps the rcode, AA/RA/AD bits and every section, with the client’s id and question spelling', async () => {
    const up = await upstream();
    up.answer('www.example.com', {
      kind: 'records',
      aa: true,
      ad: true,
      answer: [{ name: 'www.example.com', type: RRType.CNAME, class: RRClass.IN, ttl: 120, data: 'web.example.com' }, a('web.example.com', '192.0.2.10', 60)],
      authority: [{ name: 'example.com', type: RRType.NS, class: RRClass.IN, ttl: 3600, data: 'ns1.example.com' }],
      additional: [a('ns1.example.com', '192.0.2.53', 3600)],
    });
    const fwd = await forwarder({ routes: { '': [up.port] } });
    const reply = await ask(fwd.port, 'WwW.ExAmple.COM', { id: 0x4321, udpSize: 1232 });
    expect(reply.id).toBe(0x4321);
    expect(reply.questions[0].name).toBe('WwW.ExAmple.COM');
    expect([reply.rcode, reply.aa, reply.ra, reply.ad, reply.tc]).toEqual([RCode.NOERROR, true, true, true, false]);
    // Names are compressed against the question, whose bytes are the client's: they come back in its case.
    expect(reply.answers.map((record) => `${record.name} ${record.type} ${String(record.data)}`.toLowerCase())).toEqual([
      'www.example.com 5 web.example.com',
      'web.example.com 1 192.0.2.10',
    ]);
    expect(reply.authorities.map((record) => String(record.data).toLowerCase())).toEqual(['ns1.example.com']);
    expect(reply.additionals.map((record) => record.data)).toEqual(['192.0.2.53']);
    expect(reply.edns?.udpSize).toBe(1232);
  });

  it('answers dig through the forwarder, and relays NXDOMAIN with its SOA', async () => {
    const up = await upstream();
    up.answer('hello.example.org', a('hello.example.org', '198.51.100.7'));
    const fwd = await forwarder({ routes: { '': [up.port] } });
    const hello = await dig(fwd.port, 'hello.example.org', 'A');
    expect(hello.status).toBe('NOERROR');
    expect(hello.flags).toContain('ra');
    expect(hello.answer).toEqual(['hello.example.org. 300 IN A 198.51.100.7']);
    const missing = await dig(fwd.port, 'nope.example.org', 'A');
    expect(missing.status).toBe('NXDOMAIN');
    expect(missing.authority[0]).toMatch(/^\. 300 IN SOA ns\.root\. hostmaster\.root\. 1 3600 600 86400 60$/);
  });

  it('trims a large reply to what the client can take, with TC, and sends it whole over TCP', async () => {
    const up = await upstream();
    const many = Array.from({ length: 60 }, (_, i) => a('many.example.com', `10.0.${i}.1`));
    up.answer('many.example.com', { kind: 'records', answer: many });
    const fwd = await forwarder({ routes: { '': [up.port] } });
    const plain = await ask(fwd.port, 'many.example.com'); // no EDNS: 512 bytes
    expect(plain.tc).toBe(true);
    expect(plain.answers.length).toBeLessThan(60);
    const tcp = await ask(fwd.port, 'many.example.com', { tcp: true });
    expect(tcp.tc).toBe(false);
    expect(tcp.answers).toHaveLength(60);
  });

  it('passes the client’s DO and CD bits upstream in an EDNS0 OPT of 1232 bytes', async () => {
    const up = await upstream();
    const fwd = await forwarder({ routes: { '': [up.port] } });
    await ask(fwd.port, 'secure.example.net', { dnssecOk: true, cd: true });
    const seen = up.received.find((query) => query.name === 'secure.example.net')!.message;
    expect(seen.edns).toMatchObject({ udpSize: 1232, dnssecOk: true });
    expect(seen.cd).toBe(true);
    expect(seen.rd).toBe(true);
  });
});

describe('the wire path', () => {
  it('asks again over TCP when the UDP reply is truncated', async () => {
    const up = await upstream();
    up.answer('tc.example.com', { kind: 'truncate', answer: [a('tc.example.com', '192.0.2.99')] });
    const fwd = await forwarder({ routes: { '': [up.port] } });
    const reply = await ask(fwd.port, 'tc.example.com');
    expect(addresses(reply)).toEqual(['192.0.2.99']);
    expect([up.count('tc.example.com', 'udp'), up.count('tc.example.com', 'tcp')]).toEqual([1, 1]);
  });

  it('takes a 64 KiB TCP reply and relays it whole over TCP', async () => {
    const up = await upstream();
    up.answer('big.example.com', { kind: 'big-tcp' });
    const fwd = await forwarder({ routes: { '': [up.port] } });
    const reply = await ask(fwd.port, 'big.example.com', { type: RRType.TXT, tcp: true });
    expect(reply.rcode).toBe(RCode.NOERROR);
    expect(reply.answers.length).toBeGreaterThan(240);
  });

  it('relays an upstream that truncates over TCP too with TC set, neither hanging nor caching it', async () => {
    const up = await upstream();
    up.answer('tc-forever.example.com', { kind: 'tc-forever' });
    const fwd = await forwarder({ routes: { '': [up.port] } });
    const reply = await ask(fwd.port, 'tc-forever.example.com', { tcp: true });
    expect([reply.rcode, reply.tc, reply.answers.length]).toEqual([RCode.NOERROR, true, 0]);
    expect(fwd.cache?.size).toBe(0);
    expect([up.count('tc-forever.example.com', 'udp'), up.count('tc-forever.example.com', 'tcp')]).toEqual([1, 1]);
  });

  it('ignores and counts forged replies (wrong id, question, class, source port, source address) and accepts the real one', async () => {
    const up = await upstream();
    up.answer('bank.example.com', { kind: 'forged', forgeries: ['id', 'question', 'class', 'port', 'address'], then: a('bank.example.com', '192.0.2.1') });
    const fwd = await forwarder({ routes: { '': [up.port] }, cache: false });
    const reply = await ask(fwd.port, 'bank.example.com');
    expect(addresses(reply)).toEqual(['192.0.2.1']);
    expect(fwd.stats.mismatchedReplies).toBe(5);
  });

  it('accepts no forgery from a flood raced ahead of the real reply', async () => {
    const up = await upstream();
    up.answer('flood.example.com', { kind: 'forged', forgeries: Array(200).fill('id'), then: a('flood.example.com', '192.0.2.2') });
    const fwd = await forwarder({ routes: { '': [up.port] }, cache: false });
    const reply = await ask(fwd.port, 'flood.example.com');
    expect(addresses(reply)).toEqual(['192.0.2.2']);
    expect(fwd.stats.mismatchedReplies).toBe(200);
  });

  it.each([
    ['garbage', { kind: 'garbage' }, {}],
    ['silence', { kind: 'drop' }, {}],
    ['a reply slower than the timeout', { kind: 'records', answer: [a('x.example.com', '192.0.2.3')] }, { delayMs: 900 }],
  ] satisfies Array<[string, UpstreamAnswer, { delayMs?: number }]>)('answers SERVFAIL within the timeout for %s, and nothing stays in flight', async (_what, answer, extra) => {
    const up = await upstream();
    up.answer('x.example.com', { answer, ...extra });
    const fwd = await forwarder({ routes: { '': [up.port] }, pool: { timeoutMs: 300 } });
    const started = Date.now();
    const reply = await ask(fwd.port, 'x.example.com');
    expect(reply.rcode).toBe(RCode.SERVFAIL);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(fwd.pool().inFlight).toBe(0);
  });
});

describe('the upstream pool', () => {
  it('fails over to the next upstream when one times out', async () => {
    const dead = await upstream();
    dead.answer('fail.example.com', { kind: 'drop' });
    const alive = await upstream();
    alive.answer('fail.example.com', a('fail.example.com', '192.0.2.4'));
    const fwd = await forwarder({ routes: { '': [dead.port, alive.port] }, pool: { timeoutMs: 200 } });
    const reply = await ask(fwd.port, 'fail.example.com');
    expect(addresses(reply)).toEqual(['192.0.2.4']);
    expect([dead.count('fail.example.com'), alive.count('fail.example.com')]).toEqual([1, 1]);
    expect(fwd.stats.requests[`127.0.0.1:${dead.port}`]).toBe(1);
    expect(fwd.stats.responses[`127.0.0.1:${alive.port}`]).toEqual({ [RCode.NOERROR]: 1 });
  });

  it('marks an upstream down after 2 failures, health-checks it with . NS, passes it over, and brings it back when it answers', async () => {
    const flaky = await upstream();
    flaky.answer('', { kind: 'drop' });
    flaky.answer('a.example.com', { kind: 'drop' });
    flaky.answer('b.example.com', { kind: 'drop' });
    const steady = await upstream();
    const fwd = await forwarder({ routes: { '': [flaky.port, steady.port] }, pool: { timeoutMs: 150, healthCheckIntervalMs: 100 }, cache: false });
    const down = new Promise((resolve) => fwd.pool().once('down', resolve));
    await ask(fwd.port, 'a.example.com');
    await ask(fwd.port, 'b.example.com');
    await down;
    expect(fwd.pool().upstreams[0].isDown).toBe(true);
    await flaky.waitForQueries('', 2); // background priming queries
    expect(fwd.stats.healthcheckFailures[`127.0.0.1:${flaky.port}`]).toBeGreaterThanOrEqual(1);
    await ask(fwd.port, 'c.example.com');
    expect(flaky.count('c.example.com')).toBe(0); // a down upstream is passed over
    const up = new Promise((resolve) => fwd.pool().once('up', resolve));
    flaky.answer('', { kind: 'records', answer: [{ name: '', type: RRType.NS, class: RRClass.IN, ttl: 60, data: 'a.root-servers.net' }] });
    await up;
    await ask(fwd.port, 'd.example.com');
    expect(flaky.count('d.example.com')).toBe(1);
  });

  it('still tries upstreams that are all down', async () => {
    const only = await upstream();
    only.answer('', { kind: 'drop' });
    only.answer('e.example.com', { kind: 'drop' });
    const fwd = await forwarder({ routes: { '': [only.port] }, pool: { timeoutMs: 100, maxFails: 1, healthCheckIntervalMs: 5000 }, cache: false });
    await ask(fwd.port, 'e.example.com');
    expect(fwd.pool().upstreams[0].isDown).toBe(true);
    only.answer('f.example.com', a('f.example.com', '192.0.2.6'));
    expect(addresses(await ask(fwd.port, 'f.example.com'))).toEqual(['192.0.2.6']);
  });

  it('answers SERVFAIL at once past max_concurrent, counts the rejects, and the in-flight count returns to zero', async () => {
    const slow = await upstream();
    const names = Array.from({ length: 6 }, (_, i) => `slow${i}.example.com`);
    // The delay keeps the first four in flight while the last two arrive, even on a busy machine.
    for (const name of names) slow.answer(name, { answer: a(name, '192.0.2.7'), delayMs: 800 });
    const fwd = await forwarder({ routes: { '': [slow.port] }, pool: { maxConcurrent: 4, timeoutMs: 2000 } });
    const replies = await Promise.all(names.map((name) => ask(fwd.port, name)));
    expect(replies.filter((reply) => reply.rcode === RCode.SERVFAIL)).toHaveLength(2);
    expect(replies.filter((reply) => reply.rcode === RCode.NOERROR)).toHaveLength(4);
    expect(fwd.stats.maxConcurrentRejects).toBe(2);
    expect(fwd.pool().inFlight).toBe(0);
  });

  it('sends identical questions in flight upstream once and answers every client', async () => {
    const slow = await upstream();
    slow.answer('same.example.com', { answer: a('same.example.com', '192.0.2.8'), delayMs: 600 });
    const fwd = await forwarder({ routes: { '': [slow.port] }, cache: false, pool: { timeoutMs: 2000 } });
    const spellings = ['same.example.com', 'SAME.example.com', 'Same.Example.Com', 'same.EXAMPLE.com', 'sAmE.example.com'];
    const replies = await Promise.all(spellings.concat(spellings).map((name, i) => ask(fwd.port, name, { id: i })));
    expect(replies.map(addresses)).toEqual(Array(10).fill(['192.0.2.8']));
    expect(replies.map((reply) => reply.questions[0].name)).toEqual(spellings.concat(spellings));
    expect(slow.count('same.example.com')).toBe(1);
  });
});

describe('routing', () => {
  it('sends names under a stub domain to its upstreams only, the longest matching domain winning', async () => {
    const general = await upstream();
    const corp = await upstream();
    const eng = await upstream();
    for (const [server, address] of [[general, '192.0.2.1'], [corp, '192.0.2.2'], [eng, '192.0.2.3']] as const) {
      for (const name of ['www.example.com', 'intranet.corp.example', 'build.eng.corp.example', 'corp.example']) server.answer(name, a(name, address));
    }
    const fwd = await forwarder({ routes: { '': [general.port], 'corp.example': [corp.port], 'eng.corp.example': [eng.port] } });
    expect(addresses(await ask(fwd.port, 'www.example.com'))).toEqual(['192.0.2.1']);
    expect(addresses(await ask(fwd.port, 'intranet.corp.example'))).toEqual(['192.0.2.2']);
    expect(addresses(await ask(fwd.port, 'corp.example'))).toEqual(['192.0.2.2']);
    expect(addresses(await ask(fwd.port, 'build.eng.corp.example'))).toEqual(['192.0.2.3']);
    expect([general.received.length, corp.received.length, eng.received.length]).toEqual([1, 2, 1]);
  });

  it('refuses zone transfers instead of forwarding them', async () => {
    const up = await upstream();
    const fwd = await forwarder({ routes: { '': [up.port] } });
    expect((await ask(fwd.port, 'example.com', { type: RRType.AXFR, tcp: true })).rcode).toBe(RCode.REFUSED);
    expect(up.received).toHaveLength(0);
  });

  it('refuses names outside every stub domain when there is no default upstream', async () => {
    const corp = await upstream();
    const fwd = await forwarder({ routes: { 'corp.example': [corp.port] } });
    expect((await ask(fwd.port, 'www.example.com')).rcode).toBe(RCode.REFUSED);
    expect(corp.received).toHaveLength(0);
  });
});

describe('loop detection', () => {
  it('detects a server that forwards to itself and names the upstream', async () => {
    const fwd = await forwarder({ routes: (ownPort) => ({ '': [ownPort] }) });
    const report = await detectForwardingLoop(fwd.pool(), fwd.loop);
    expect(report.loops).toEqual([{ upstream: `127.0.0.1:${fwd.port}`, probe: expect.stringMatching(/^[0-9]+\.[0-9]+$/) }]);
    expect(report.message).toContain(`127.0.0.1:${fwd.port}`);
    expect(report.message).toContain('127.0.0.53');
  });

  it('finds no loop when the upstream is a real resolver', async () => {
    const up = await upstream();
    const fwd = await forwarder({ routes: { '': [up.port] } });
    const report = await detectForwardingLoop(fwd.pool(), fwd.loop);
    expect(report).toEqual({ loops: [], message: '' });
    expect(up.received.map((query) => query.message.questions[0].type)).toEqual([13]); // one HINFO probe reached it
  });
});

