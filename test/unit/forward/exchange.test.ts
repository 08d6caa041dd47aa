import { describe, expect, it } from 'vitest';
import { exchange, repliesTo, type UpstreamQuestion } from '../../../src/forward/exchange.js';
import { createMessage, encodeMessage } from '../../../src/wire/message.js';
import { RRClass, RRType } from '../../../src/wire/types.js';
import { TestUpstream } from '../../helpers/upstream/test-upstream.js';

const question: UpstreamQuestion = { name: 'www.example.com', type: RRType.A, class: RRClass.IN, dnssecOk: false, checkingDisabled: false };

function reply(overrides: { id?: number; qr?: boolean; name?: string; type?: number; class?: number; questions?: number } = {}): Buffer {
  const q = { name: overrides.name ?? 'WWW.Example.com', type: overrides.type ?? RRType.A, class: overrides.class ?? RRClass.IN };
  return encodeMessage(createMessage({ id: overrides.id ?? 7, qr: overrides.qr ?? true, questions: Array(overrides.questions ?? 1).fill(q) }));
}

describe('repliesTo (RFC 5452 9.1)', () => {
  it.each([
    ['the matching reply, name in another case', {}, true],
    ['another id', { id: 8 }, false],
    ['a query, not a reply', { qr: false }, false],
    ['another name', { name: 'www.example.net' }, false],
    ['another type', { type: RRType.AAAA }, false],
    ['another class', { class: RRClass.CH }, false],
    ['two questions', { questions: 2 }, false],
    ['no question', { questions: 0 }, false],
  ])('%s → %s', (_what, overrides, accepted) => {
    expect(repliesTo(reply(overrides), 7, question)).toBe(accepted);
  });

  it('refuses a header too short to hold an id', () => {
    expect(repliesTo(new Uint8Array(5), 0, question)).toBe(false);
  });
});

describe('exchange', () => {
  it('uses a fresh source port and a fresh id for every query', async () => {
    const upstream = new TestUpstream();
    await upstream.start();
    try {
      const address = { host: '127.0.0.1', port: upstream.port, family: 4 as const };
      for (let i = 0; i < 8; i++) await exchange(address, question, { timeoutMs: 1000 });
      const ports = new Set(upstream.received.map((query) => query.remotePort));
      const ids = new Set(upstream.received.map((query) => query.message.id));
      expect(upstream.received).toHaveLength(8);
      expect(ports.size).toBe(8);
      expect(ids.size).toBeGreaterThanOrEqual(7); // 16 random bits: a repeat among 8 is possible, two are not plausible
    } finally {
      await upstream.close();
    }
  });

  it('talks to an IPv6 upstream over UDP and TCP, matching its source address in any spelling', async () => {
    const upstream = new TestUpstream();
    await upstream.start('::1');
    try {
      upstream.answer('www.example.com', { kind: 'truncate', answer: [{ name: 'www.example.com', type: RRType.A, class: RRClass.IN, ttl: 60, data: '192.0.2.6' }] });
      const result = await exchange({ host: '0:0:0:0:0:0:0:1', port: upstream.port, family: 6 }, question, { timeoutMs: 1000 });
      expect(result.ok && result.transport).toBe('tcp');
      expect(result.ok && result.message.answers.map((record) => record.data)).toEqual(['192.0.2.6']);
      expect([upstream.count('www.example.com', 'udp'), upstream.count('www.example.com', 'tcp')]).toEqual([1, 1]);
    } finally {
      await upstream.close();
    }
  });

  it('fails when the upstream is not listening over TCP (force_tcp), without waiting for the timeout', async () => {
    const started = Date.now();
    const result = await exchange({ host: '127.0.0.1', port: 9, family: 4 }, question, { forceTcp: true, timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: false, failure: 'network' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('ends at once when its abort signal fires', async () => {
    const upstream = new TestUpstream();
    await upstream.start();
    try {
      upstream.answer('www.example.com', { kind: 'drop' });
      const aborter = new AbortController();
      const pending = exchange({ host: '127.0.0.1', port: upstream.port, family: 4 }, question, { timeoutMs: 10_000, signal: aborter.signal });
      await upstream.waitForQueries('www.example.com', 1);
      aborter.abort();
      expect(await pending).toMatchObject({ ok: false, failure: 'network', detail: 'the forwarder was closed' });
    } finally {
      await upstream.close();
    }
  });
});
