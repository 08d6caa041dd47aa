// CoreDNS `forward` with `cache` in front of it (plugin/forward, plugin/cache), kept thin: the router picks
// the upstream pool for the name (none: skip, so outside names stay REFUSED); a fresh cache entry answers at
// once, synchronously; a miss goes upstream and the reply is relayed as received and cached. When every
// upstream fails (or answers SERVFAIL/REFUSED), an entry inside the serve-stale window answers with TTL 30
// (RFC 8767 4), else SERVFAIL; past the in-flight cap, SERVFAIL at once (CoreDNS max_concurrent).
import type { CacheEntry, ResponseCache } from '../cache/response-cache.js';
import type { UpstreamQuestion } from '../forward/exchange.js';
import type { ForwardRouter } from '../forward/forward-router.js';
import { relayedReply, type RelayedReply } from '../forward/relay.js';
import type { PoolResult, UpstreamPool } from '../forward/upstream-pool.js';
import { compileAnswer } from '../wire/compiled-answer.js';
import { HeaderFlag } from '../wire/header.js';
import type { Message } from '../wire/message.js';
import { RCode, RRType } from '../wire/types.js';
import type { DnsRequest, Handler, HandlerResult } from './handler.js';

export interface ForwardHandlerOptions {
  router: ForwardRouter;
  /** The response cache; without one every question goes upstream. */
  cache?: ResponseCache | null;
}

const SKIP: HandlerResult = Object.freeze({ kind: 'skip' });
const REJECTED: HandlerResult = Object.freeze({ kind: 'error', rcode: RCode.SERVFAIL, cause: 'forward: max_concurrent reached' });
const REFUSED: HandlerResult = Object.freeze({ kind: 'error', rcode: RCode.REFUSED });

export class ForwardHandler implements Handler {
  readonly name = 'forward';
  private readonly router: ForwardRouter;
  private readonly cache: ResponseCache | null;
  /** Replies already cached: identical questions in flight share one upstream reply, cached once. */
  private readonly stored = new WeakSet<Message>();

  constructor(options: ForwardHandlerOptions) {
    this.router = options.router;
    this.cache = options.cache ?? null;
    if (this.cache) this.cache.onPrefetch = (entry) => this.prefetch(entry);
  }

  handle(request: DnsRequest): HandlerResult | Promise<HandlerResult> {
    const query = request.query;
    const pool = this.router.route(query.qname);
    if (pool === null) return SKIP;
    // Zone transfers are not forwarded: they need a stream of messages, not one reply.
    if (query.qtype === RRType.AXFR || query.qtype === RRType.IXFR) return REFUSED;
    const dnssecOk = query.edns !== null && query.edns.dnssecOk;
    if (this.cache !== null) {
      const entry = this.cache.lookup(query.qname, query.qtype, query.qclass, dnssecOk);
      if (entry !== undefined) return request.internal ? this.cachedRecords(entry) : (entry.result as HandlerResult);
    }
    return this.forward(request, pool, dnssecOk);
  }

  /** A miss: the question goes upstream. Its own method, so a hit never allocates the closure's context. */
  private forward(request: DnsRequest, pool: UpstreamPool, dnssecOk: boolean): Promise<HandlerResult> {
    const query = request.query;
    const question: UpstreamQuestion = {
      name: query.qname,
      type: query.qtype,
      class: query.qclass,
      dnssecOk,
      checkingDisabled: query.checkingDisabled,
    };
    return pool.query(question).then((result) => this.answer(request, question, result));
  }

  private answer(request: DnsRequest, question: UpstreamQuestion, result: PoolResult): HandlerResult {
    if (!result.ok) return result.failure === 'rejected' ? REJECTED : (this.stale(request, question) ?? { kind: 'error', rcode: RCode.SERVFAIL, cause: `forward: no upstream answered (${result.detail})` });
    const reply = relayedReply(result.message);
    if (reply.rcode === RCode.SERVFAIL || reply.rcode === RCode.REFUSED) {
      const stale = this.stale(request, question);
      if (stale) return stale;
    }
    if (this.cache !== null && !this.stored.has(result.message)) {
      this.stored.add(result.message);
      this.cache.store(cachedQuestion(question), reply);
    }
    return this.result(request, reply);
  }

  /** The relayed reply: records for the chain's internal requests, compiled for a client. */
  private result(request: DnsRequest, reply: RelayedReply): HandlerResult {
    const sections = { answer: reply.answer, authority: reply.authority, additional: reply.additional };
    if (request.internal) {
      return { kind: 'records', rcode: reply.rcode, flags: (reply.authoritative ? HeaderFlag.AA : 0) | reply.extraFlags, sections };
    }
    const { qname, qtype, qclass } = request.query;
    return { kind: 'answer', answer: compileAnswer(qname, qtype, qclass, sections, reply.rcode, reply.authoritative, reply.extraFlags) };
  }

  private cachedRecords(entry: CacheEntry): HandlerResult {
    return { kind: 'records', rcode: entry.rcode, flags: entry.extraFlags, sections: (this.cache as ResponseCache).records(entry) };
  }

  /** An expired entry inside the serve-stale window, with TTL 30; null when there is none. */
  private stale(request: DnsRequest, question: UpstreamQuestion): HandlerResult | null {
    if (this.cache === null) return null;
    const entry = this.cache.stale(question.name, question.type, question.class, question.dnssecOk);
    if (entry === null) return null;
    if (request.internal) {
      const sections = this.cache.records(entry);
      for (const section of [sections.answer, sections.authority, sections.additional]) {
        for (const record of section) record.ttl = STALE_RECORD_TTL;
      }
      return { kind: 'records', rcode: entry.rcode, flags: entry.extraFlags, sections };
    }
    return { kind: 'answer', answer: this.cache.staleAnswer(entry) };
  }

  /** Refreshes a popular entry before it expires (CoreDNS `prefetch`); the reply replaces it and keeps its hit count. */
  private prefetch(entry: CacheEntry): void {
    const { qname, qtype, qclass, dnssecOk } = entry.question;
    const pool: UpstreamPool | null = this.router.route(qname);
    if (pool === null || this.cache === null) return;
    const cache = this.cache;
    void pool.query({ name: qname, type: qtype, class: qclass, dnssecOk, checkingDisabled: false }).then((result) => {
      entry.prefetching = false;
      // A failing upstream must not replace a good entry: it stays until it expires (and may then be served stale).
      if (result.ok && result.message.rcode !== RCode.SERVFAIL && result.message.rcode !== RCode.REFUSED) {
        cache.store(entry.question, relayedReply(result.message), entry);
      }
    });
  }
}

/** RFC 8767 4: the TTL of records served stale. */
const STALE_RECORD_TTL = 30;

function cachedQuestion(question: UpstreamQuestion) {
  return { qname: question.name, qtype: question.type, qclass: question.class, dnssecOk: question.dnssecOk };
}
