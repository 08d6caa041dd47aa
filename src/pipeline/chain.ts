// Handlers in order, as CoreDNS runs its plugin chain: the first that does not skip answers. A handler's
// `records` are compiled here, after the chain has followed a CNAME that leaves the handler's data
// (RFC 1034 4.3.2 step 3a) through the whole chain. Stays synchronous while every handler answers synchronously.
import { compileAnswer, type CompiledAnswer } from '../wire/compiled-answer.js';
import { HeaderFlag } from '../wire/header.js';
import { normalizeName } from '../wire/name.js';
import type { ParsedQuery } from '../wire/query.js';
import { RCode } from '../wire/types.js';
import type { DnsRequest, Handler, HandlerResult, RecordsResult } from './handler.js';

/** No handler claimed the name: not ours to answer (RFC 1035 4.1.1 "Refused"). */
const REFUSED: HandlerResult = Object.freeze({ kind: 'error', rcode: RCode.REFUSED });
const SKIP: HandlerResult = Object.freeze({ kind: 'skip' });
const NO_NAMES: readonly string[] = Object.freeze([]);

/** CNAME hops the chain follows across handlers, as resolvers bound chains (BIND and Unbound stop near 10). */
export const MAX_CHASE = 8;

export class Chain implements Handler {
  readonly name = 'chain';

  constructor(private readonly handlers: readonly Handler[]) {}

  // The continuations of a Promise live in methods of their own: a closure over a parameter makes V8 allocate
  // the function's context on every call, the synchronous ones (every cached answer) included.
  handle(request: DnsRequest): HandlerResult | Promise<HandlerResult> {
    const result = this.run(request, NO_NAMES);
    if (request.internal) return result;
    return result instanceof Promise ? this.finishLater(request, result) : this.finish(request, result);
  }

  private finishLater(request: DnsRequest, result: Promise<HandlerResult>): Promise<HandlerResult> {
    return result.then((settled) => this.finish(request, settled));
  }

  /** An internal question through the whole chain: `records`, `skip` (nobody serves it) or `error`. */
  readonly resolve = (qname: string, qtype: number, from: DnsRequest): HandlerResult | Promise<HandlerResult> =>
    this.run(internalRequest(from, qname, qtype), NO_NAMES);

  /** `chained`: the names the CNAME chain has already passed through on the way to this request. */
  private run(request: DnsRequest, chained: readonly string[]): HandlerResult | Promise<HandlerResult> {
    const result = this.from(0, request);
    if (result instanceof Promise) return this.chasedLater(request, result, chained);
    return this.chased(request, result, chained);
  }

  private chasedLater(request: DnsRequest, result: Promise<HandlerResult>, chained: readonly string[]): Promise<HandlerResult> {
    return result.then((settled) => this.chased(request, settled, chained));
  }

  private chased(request: DnsRequest, result: HandlerResult, chained: readonly string[]): HandlerResult | Promise<HandlerResult> {
    return result.kind === 'records' && result.chase !== undefined ? this.chase(request, result, chained) : result;
  }

  private from(start: number, request: DnsRequest): HandlerResult | Promise<HandlerResult> {
    for (let i = start; i < this.handlers.length; i++) {
      const result = this.handlers[i].handle(request);
      if (result instanceof Promise) return this.fromLater(i + 1, request, result);
      if (result.kind !== 'skip') return result;
    }
    return SKIP;
  }

  /** `result` of the handler before `next`; a skip goes on from `next`. */
  private fromLater(next: number, request: DnsRequest, result: Promise<HandlerResult>): Promise<HandlerResult> {
    return result.then((settled) => (settled.kind === 'skip' ? this.from(next, request) : settled));
  }

  /**
   * Appends what the chain answers for `result.chase` to the CNAME chain in `result`; the target's rcode and
   * authority section describe the end of the chain (RFC 6604 2.1). When nothing answers the target (no handler
   * serves it, the upstream failed, too many hops, a loop), the chain so far is the answer.
   */
  private chase(request: DnsRequest, result: RecordsResult, chained: readonly string[]): HandlerResult | Promise<HandlerResult> {
    const target = normalizeName(result.chase ?? '');
    const plain: RecordsResult = { ...result, chase: undefined };
    const names = [...chained, ...result.sections.answer.map((record) => normalizeName(record.name))];
    if (chained.length >= MAX_CHASE || names.includes(target)) return plain;
    const merge = (found: HandlerResult): HandlerResult => {
      if (found.kind !== 'records') return plain;
      return {
        kind: 'records',
        rcode: found.rcode,
        flags: result.flags | (found.flags & HeaderFlag.RA),
        sections: {
          answer: [...result.sections.answer, ...found.sections.answer],
          authority: found.sections.authority,
          additional: found.sections.additional,
        },
      };
    };
    const found = this.run(internalRequest(request, target, request.query.qtype), [...chained, request.query.qname]);
    return found instanceof Promise ? found.then(merge) : merge(found);
  }

  /** What the client gets: records compiled for its question; nobody claiming the name is REFUSED. */
  private finish(request: DnsRequest, result: HandlerResult): HandlerResult {
    if (result.kind === 'skip') return REFUSED;
    if (result.kind !== 'records') return result;
    return { kind: 'answer', answer: compileRecords(request.query, result) };
  }
}

/** A records result encoded for the question it answers. */
export function compileRecords(query: ParsedQuery, result: RecordsResult): CompiledAnswer {
  const authoritative = (result.flags & HeaderFlag.AA) !== 0;
  return compileAnswer(query.qname, query.qtype, query.qclass, result.sections, result.rcode, authoritative, result.flags & ~HeaderFlag.AA);
}

/** The same client asking `qname`/`qtype` on a handler's behalf. */
function internalRequest(from: DnsRequest, qname: string, qtype: number): DnsRequest {
  return { ...from, query: { ...from.query, qname, qtype }, internal: true };
}
