// From query bytes to reply bytes, shared by the UDP and TCP listeners. Only the listeners write to sockets.
// Every query is answered or deliberately dropped (docs/architecture.md "Errors"): an exception anywhere answers SERVFAIL,
// is counted and logged once per distinct message, and the process carries on.
import type { Logger } from 'pino';
import { compileRecords } from '../pipeline/chain.js';
import type { DnsRequest, Handler, HandlerResult } from '../pipeline/handler.js';
import { parseQuery, type ParsedQuery } from '../wire/query.js';
import { buildErrorReply, buildReply } from '../wire/reply.js';
import { RCode } from '../wire/types.js';
import type { ServerStats } from './server-stats.js';

export type Transport = 'udp' | 'tcp';

/** Called with the reply, or null when the query is dropped. May be called synchronously. */
export type ReplySink = (reply: Buffer | null) => void;

export class QueryProcessor {
  private readonly loggedFailures = new Set<string>();

  constructor(
    private readonly handler: Handler,
    private readonly stats: ServerStats,
    private readonly logger: Logger,
  ) {}

  /**
   * Answer `raw`. Synchronous when the handler chain is (the hot path: no promise per packet);
   * `maxSize(query)` is the reply limit for the transport.
   */
  process(raw: Uint8Array, transport: Transport, remoteAddress: string, remotePort: number, maxSize: (query: ParsedQuery) => number, send: ReplySink): void {
    this.stats.requests[transport]++;
    if (isIpv6Client(remoteAddress)) this.stats.ipv6Requests[transport]++;
    const parsed = parseQuery(raw);
    if (parsed.kind === 'drop') {
      this.stats.dropped++;
      send(null);
      return;
    }
    if (parsed.kind === 'error') {
      send(this.count(buildErrorReply(raw, parsed.id, parsed.flags, parsed.questionEnd, parsed.edns, parsed.rcode), parsed.rcode));
      return;
    }
    const query = parsed.query;
    const request: DnsRequest = { raw, query, transport, remoteAddress, remotePort };
    let result: HandlerResult | Promise<HandlerResult>;
    try {
      result = this.handler.handle(request);
    } catch (err) {
      send(this.failure(raw, query, err));
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (settled) => send(this.reply(raw, query, settled, maxSize(query))),
        (err: unknown) => send(this.failure(raw, query, err)),
      );
      return;
    }
    send(this.reply(raw, query, result, maxSize(query)));
  }

  private reply(raw: Uint8Array, query: ParsedQuery, result: HandlerResult, maxSize: number): Buffer {
    try {
      switch (result.kind) {
        case 'answer':
          return this.count(buildReply(raw, query, result.answer, maxSize), result.answer.rcode);
        case 'records':
          return this.count(buildReply(raw, query, compileRecords(query, result), maxSize), result.rcode);
        case 'error':
          return this.count(buildErrorReply(raw, query.id, query.flags, query.questionEnd, query.edns, result.rcode), result.rcode);
        case 'skip':
          // Nothing in the chain claimed the name: not ours to answer (RFC 1035 4.1.1 "Refused").
          return this.count(buildErrorReply(raw, query.id, query.flags, query.questionEnd, query.edns, RCode.REFUSED), RCode.REFUSED);
      }
    } catch (err) {
      return this.failure(raw, query, err);
    }
  }

  private failure(raw: Uint8Array, query: ParsedQuery, err: unknown): Buffer {
    this.stats.panics++;
    const message = err instanceof Error ? err.message : String(err);
    if (!this.loggedFailures.has(message) && this.loggedFailures.size < 1000) {
      this.loggedFailures.add(message);
      this.logger.error({ err, qname: query.qname, qtype: query.qtype }, 'query failed; answered SERVFAIL');
    }
    return this.count(buildErrorReply(raw, query.id, query.flags, query.questionEnd, query.edns, RCode.SERVFAIL), RCode.SERVFAIL);
  }

  private count(reply: Buffer, rcode: number): Buffer {
    this.stats.responses[rcode] = (this.stats.responses[rcode] ?? 0) + 1;
    return reply;
  }
}

/** An IPv6 client; IPv4-mapped addresses (a dual-stack socket) count as IPv4, as CoreDNS's `family` label does. */
function isIpv6Client(address: string): boolean {
  return address.includes(':') && !/^::ffff:\d/i.test(address);
}
