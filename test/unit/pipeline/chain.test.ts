import { describe, expect, it } from 'vitest';
import { Chain, MAX_CHASE } from '../../../src/pipeline/chain.js';
import type { DnsRequest, Handler, HandlerResult } from '../../../src/pipeline/handler.js';
import { HeaderFlag } from '../../../src/wire/header.js';
import { createMessage, decodeMessage, encodeMessage } from '../../../src/wire/message.js';
import { buildReply } from '../../../src/wire/reply.js';
import { parseQuery } from '../../../src/wire/query.js';
import { RCode, RRClass, RRType, type ResourceRecord } from '../../../src/wire/types.js';

function request(name = 'a.test'): DnsRequest {
  const raw = encodeMessage(createMessage({ id: 1, questions: [{ name, type: RRType.A, class: RRClass.IN }] }));
  const parsed = parseQuery(raw);
  if (parsed.kind !== 'ok') throw new Error('query did not parse');
  return { raw, query: parsed.query, transport: 'udp', remoteAddress: '127.0.0.1', remotePort: 1 };
}

type Step = 'skip' | 'servfail' | 'nxdomain' | 'async-skip' | 'async-nxdomain' | 'throw' | 'async-throw';

/** A handler that records that it ran, then does what `step` says. */
function handler(step: Step, calls: string[], name: string): Handler {
  return {
    name,
    handle(): HandlerResult | Promise<HandlerResult> {
      calls.push(name);
      switch (step) {
        case 'skip':
          return { kind: 'skip' };
        case 'servfail':
          return { kind: 'error', rcode: RCode.SERVFAIL };
        case 'nxdomain':
          return { kind: 'error', rcode: RCode.NXDOMAIN };
        case 'async-skip':
          return Promise.resolve({ kind: 'skip' });
        case 'async-nxdomain':
          return new Promise((resolve) => setTimeout(() => resolve({ kind: 'error', rcode: RCode.NXDOMAIN }), 5));
        case 'throw':
          throw new Error(`${name} threw`);
        case 'async-throw':
          return Promise.reject(new Error(`${name} rejected`));
      }
    },
  };
}

describe('Chain', () => {
  // steps, handlers that ran, the rcode of the outcome, whether the outcome came synchronously
  const table: Array<[Step[], string[], number, boolean]> = [
    [[], [], RCode.REFUSED, true],
    [['skip'], ['h0'], RCode.REFUSED, true],
    [['skip', 'skip', 'skip'], ['h0', 'h1', 'h2'], RCode.REFUSED, true],
    [['nxdomain', 'servfail'], ['h0'], RCode.NXDOMAIN, true],
    [['skip', 'servfail', 'nxdomain'], ['h0', 'h1'], RCode.SERVFAIL, true],
    [['async-skip', 'nxdomain'], ['h0', 'h1'], RCode.NXDOMAIN, false],
    [['skip', 'async-nxdomain', 'servfail'], ['h0', 'h1'], RCode.NXDOMAIN, false],
    [['async-skip', 'async-skip'], ['h0', 'h1'], RCode.REFUSED, false],
    [['async-skip', 'skip', 'async-nxdomain'], ['h0', 'h1', 'h2'], RCode.NXDOMAIN, false],
  ];

  it.each(table)('%j runs %j and answers rcode %i (sync: %s)', async (steps, ran, rcode, synchronous) => {
    const calls: string[] = [];
    const chain = new Chain(steps.map((step, i) => handler(step, calls, `h${i}`)));
    const result = chain.handle(request());
    expect(result instanceof Promise).toBe(!synchronous);
    const settled = await result;
    expect(calls).toEqual(ran);
    expect(settled).toEqual({ kind: 'error', rcode });
  });

  it('returns the first answer unchanged', () => {
    const answer = { kind: 'answer', answer: { rcode: 0 } } as unknown as HandlerResult;
    const calls: string[] = [];
    const chain = new Chain([handler('skip', calls, 'first'), { name: 'answers', handle: () => answer }, handler('servfail', calls, 'never')]);
    expect(chain.handle(request())).toBe(answer);
    expect(calls).toEqual(['first']);
  });

  it('lets a synchronous throw escape, for the server to answer SERVFAIL', () => {
    const calls: string[] = [];
    const chain = new Chain([handler('skip', calls, 'h0'), handler('throw', calls, 'h1')]);
    expect(() => chain.handle(request())).toThrow('h1 threw');
  });

  it('rejects when a handler after an asynchronous skip throws or rejects', async () => {
    const calls: string[] = [];
    await expect(new Chain([handler('async-skip', calls, 'h0'), handler('throw', calls, 'h1')]).handle(request())).rejects.toThrow('h1 threw');
    await expect(new Chain([handler('async-throw', calls, 'h2')]).handle(request())).rejects.toThrow('h2 rejected');
  });
});

/** A handler serving fixed records per name: `cname` entries end in a target it leaves to the chain. */
function zoneHandler(name: string, data: Record<string, { a?: string; cname?: string }>, asked: string[]): Handler {
  return {
    name,
    handle(req: DnsRequest): HandlerResult | Promise<HandlerResult> {
      const entry = data[req.query.qname];
      if (entry === undefined) return { kind: 'skip' };
      asked.push(`${name}:${req.query.qname}${req.internal ? ' (internal)' : ''}`);
      if (entry.cname !== undefined) {
        const record = { name: req.query.qname, type: RRType.CNAME, class: RRClass.IN, ttl: 60, data: entry.cname } as ResourceRecord;
        return { kind: 'records', rcode: RCode.NOERROR, flags: HeaderFlag.AA, sections: { answer: [record], authority: [], additional: [] }, chase: entry.cname };
      }
      const record = { name: req.query.qname, type: RRType.A, class: RRClass.IN, ttl: 30, data: entry.a } as ResourceRecord;
      const result: HandlerResult = { kind: 'records', rcode: RCode.NOERROR, flags: HeaderFlag.RA, sections: { answer: [record], authority: [], additional: [] } };
      return name === 'async' ? Promise.resolve(result) : result;
    },
  };
}

function answerLines(req: DnsRequest, result: HandlerResult): string[] {
  if (result.kind !== 'answer') throw new Error(`expected an answer, got ${result.kind}`);
  const message = decodeMessage(buildReply(req.raw, req.query, result.answer, 65535));
  return [`rcode ${message.rcode}${message.aa ? ' aa' : ''}${message.ra ? ' ra' : ''}`, ...message.answers.map((r) => `${r.name} ${r.type} ${String(r.data)}`)];
}

describe('Chain: CNAMEs that leave a handler (RFC 1034 4.3.2 step 3a)', () => {
  it('resolves a chased target through a later handler and appends its records, keeping AA and taking RA', () => {
    const asked: string[] = [];
    const chain = new Chain([
      zoneHandler('file', { 'api.example.internal': { cname: 'hello.svc.test' } }, asked),
      zoneHandler('kubernetes', { 'hello.svc.test': { a: '10.0.0.1' } }, asked),
    ]);
    const req = request('api.example.internal');
    const result = chain.handle(req);
    expect(result instanceof Promise).toBe(false); // every handler answered synchronously
    expect(answerLines(req, result as HandlerResult)).toEqual(['rcode 0 aa ra', 'api.example.internal 5 hello.svc.test', 'hello.svc.test 1 10.0.0.1']);
    expect(asked).toEqual(['file:api.example.internal', 'kubernetes:hello.svc.test (internal)']);
  });

  it('chases through an asynchronous handler', async () => {
    const asked: string[] = [];
    const chain = new Chain([zoneHandler('file', { 'a.test': { cname: 'www.example.com' } }, asked), zoneHandler('async', { 'www.example.com': { a: '192.0.2.7' } }, asked)]);
    const req = request('a.test');
    expect(answerLines(req, await chain.handle(req))).toEqual(['rcode 0 aa ra', 'a.test 5 www.example.com', 'www.example.com 1 192.0.2.7']);
  });

  it('serves the CNAME alone when no handler answers the target', () => {
    const chain = new Chain([zoneHandler('file', { 'a.test': { cname: 'nowhere.example' } }, [])]);
    const req = request('a.test');
    expect(answerLines(req, chain.handle(req) as HandlerResult)).toEqual(['rcode 0 aa', 'a.test 5 nowhere.example']);
  });

  it('cuts a CNAME loop across handlers and stops after MAX_CHASE hops', () => {
    const loop = new Chain([zoneHandler('file', { 'a.test': { cname: 'b.test' }, 'b.test': { cname: 'a.test' } }, [])]);
    const req = request('a.test');
    expect(answerLines(req, loop.handle(req) as HandlerResult)).toEqual(['rcode 0 aa', 'a.test 5 b.test', 'b.test 5 a.test']);

    const long: Record<string, { cname?: string; a?: string }> = {};
    for (let i = 0; i < 20; i++) long[`n${i}.test`] = { cname: `n${i + 1}.test` };
    const asked: string[] = [];
    const req2 = request('n0.test');
    const lines = answerLines(req2, new Chain([zoneHandler('file', long, asked)]).handle(req2) as HandlerResult);
    expect(lines.length - 1).toBe(MAX_CHASE + 1); // the first answer plus MAX_CHASE chased hops
  });

  it('answers an internal request with records, and skip when nobody serves the name', () => {
    const chain = new Chain([zoneHandler('kubernetes', { 'hello.svc.test': { a: '10.0.0.1' } }, [])]);
    const from = request('x.test');
    const found = chain.resolve('hello.svc.test', RRType.A, from) as HandlerResult;
    expect(found.kind).toBe('records');
    expect(chain.resolve('other.test', RRType.A, from)).toEqual({ kind: 'skip' });
  });
});
