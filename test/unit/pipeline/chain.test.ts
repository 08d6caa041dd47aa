import { describe, expect, it } from 'vitest';
import { Chain } from '../../../src/pipeline/chain.js';
import type { DnsRequest, Handler, HandlerResult } from '../../../src/pipeline/handler.js';
import { createMessage, encodeMessage } from '../../../src/wire/message.js';
import { parseQuery } from '../../../src/wire/query.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';

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
