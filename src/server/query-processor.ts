// From query bytes to reply bytes, shared by the UDP and TCP listeners. Only the listeners write to sockets.
// Every query is answered or deliberately dropped (docs/architecture.md "Errors"): an exception anywhere answers
// SERVFAIL and is counted; every SERVFAIL is logged with its cause, once per cause per interval (CoreDNS `errors`).
// The counters behind CoreDNS's metrics are bumped here: plain numbers and bucket arrays, no allocation.
import type { Logger } from 'pino';
import type { QueryLog } from '../log/query-log.js';
import { ServfailLog } from '../log/servfail-log.js';
import { compileRecords } from '../pipeline/chain.js';
import type { DnsRequest, Handler, HandlerResult } from '../pipeline/handler.js';
import { parseQuery, type ParsedQuery } from '../wire/query.js';
import { buildErrorReply, buildReply } from '../wire/reply.js';
import { RCode } from '../wire/types.js';
import { SIZE_BUCKETS, TIME_BUCKETS, observe } from './bucket-histogram.js';
import { OTHER_TYPE_SLOT, requestSlot, typeSlot, type ServerStats } from './server-stats.js';

export type Transport = 'udp' | 'tcp';

/**
 * Called with the reply, or null when the query is dropped, and the client it goes to (as given to process()).
 * May be called synchronously. One sink serves every query of a socket: no closure per datagram.
 */
export type ReplySink = (reply: Buffer | null, remoteAddress: string, remotePort: number) => void;

/**
 * A clock read can cost a sizeable part of a synchronous answer (docs/benchmarks.md "Figures behind code
 * choices"): one synchronous answer in SYNC_TIMING_SAMPLE is timed, and the others are counted with the last
 * timed duration (systematic sampling). Answers that wait for a handler (forwarding) are all timed.
 */
const SYNC_TIMING_SAMPLE = 16;
/** `started` of a query that is not timed. */
const UNTIMED = -1;

/** Why a reply without a SERVFAIL cause of its own was SERVFAIL: the handler relayed or built it so. */
const RELAYED_SERVFAIL = 'an upstream or zone answered SERVFAIL';

export interface QueryProcessorOptions {
  /** CoreDNS `log`: a line per query; null (the default) costs one test per query. */
  queryLog?: QueryLog | null;
  /** CoreDNS `loadbalance`: rotate the A and AAAA RRsets of each reply; default off (replies as compiled). */
  loadbalance?: boolean;
}

export class QueryProcessor {
  private readonly servfails: ServfailLog;
  private readonly queryLog: QueryLog | null;
  private readonly loadbalance: boolean;
  /** Replies built with loadbalance on: each rotates its address RRsets by this count. */
  private rotation = 0;
  /** Queries whose handler answered asynchronously and whose reply has not been sent yet (for draining). */
  private pending = 0;
  /** Synchronous queries since the last timed one, and that one's duration in seconds. */
  private untimed = 0;
  private lastSyncSeconds = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly handler: Handler,
    private readonly stats: ServerStats,
    logger: Logger,
    options: QueryProcessorOptions = {},
  ) {
    this.servfails = new ServfailLog(logger);
    this.queryLog = options.queryLog ?? null;
    this.loadbalance = options.loadbalance ?? false;
  }

  /** 1, 2, ... wrapping before it loses integer precision; 0 means no rotation, so it is skipped. */
  private nextRotation(): number {
    this.rotation = this.rotation >= 0x3fffffff ? 1 : this.rotation + 1;
    return this.rotation;
  }

  /** Queries still waiting for an asynchronous handler. */
  get inFlight(): number {
    return this.pending;
  }

  /** Resolves once no query waits for an asynchronous handler. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Answer `raw`. Synchronous when the handler chain is (the hot path: no promise per packet);
   * `maxSize(query)` is the reply limit for the transport.
   */
  process(raw: Uint8Array, transport: Transport, remoteAddress: string, remotePort: number, maxSize: (query: ParsedQuery) => number, send: ReplySink): void {
    // The query log prints every query's own duration.
    const started = this.queryLog !== null || ++this.untimed >= SYNC_TIMING_SAMPLE ? performance.now() : UNTIMED;
    const stats = this.stats;
    stats.requests[transport]++;
    const ipv6 = isIpv6Client(remoteAddress);
    if (ipv6) stats.ipv6Requests[transport]++;
    const parsed = parseQuery(raw);
    if (parsed.kind === 'drop') {
      stats.requestsByType[requestSlot(transport === 'tcp', ipv6, OTHER_TYPE_SLOT)]++;
      stats.dropped++;
      send(null, remoteAddress, remotePort);
      return;
    }
    if (parsed.kind === 'error') {
      stats.requestsByType[requestSlot(transport === 'tcp', ipv6, OTHER_TYPE_SLOT)]++;
      const reply = buildErrorReply(raw, parsed.id, parsed.flags, parsed.questionEnd, parsed.edns, parsed.rcode);
      send(this.count(reply, parsed.rcode, transport, raw.length, this.syncSeconds(started)), remoteAddress, remotePort);
      return;
    }
    const query = parsed.query;
    stats.requestsByType[requestSlot(transport === 'tcp', ipv6, typeSlot(query.qtype))]++;
    if (query.edns !== null && query.edns.dnssecOk) stats.doRequests++;
    const request: DnsRequest = { raw, query, transport, remoteAddress, remotePort };
    let result: HandlerResult | Promise<HandlerResult>;
    try {
      result = this.handler.handle(request);
    } catch (err) {
      send(this.done(request, this.failure(raw, query, err), RCode.SERVFAIL, started, true), remoteAddress, remotePort);
      return;
    }
    if (result instanceof Promise) {
      this.answerLater(request, result, maxSize, started === UNTIMED ? performance.now() : started, send);
      return;
    }
    send(this.answer(request, result, maxSize(query), started, true), remoteAddress, remotePort);
  }

  /**
   * A handler that answers later (forwarding). Its own method: closures in process() would make V8 allocate
   * their context on every query, the synchronous ones included.
   */
  private answerLater(request: DnsRequest, result: Promise<HandlerResult>, maxSize: (query: ParsedQuery) => number, started: number, send: ReplySink): void {
    const { raw, query } = request;
    this.pending++;
    result
      .then(
        (settled) => this.answer(request, settled, maxSize(query), started, false),
        (err: unknown) => this.done(request, this.failure(raw, query, err), RCode.SERVFAIL, started, false),
      )
      .then((reply) => {
        this.settled();
        send(reply, request.remoteAddress, request.remotePort);
      });
  }

  /** `sync`: answered within process(), so `started` may be UNTIMED (see SYNC_TIMING_SAMPLE). */
  private answer(request: DnsRequest, result: HandlerResult, maxSize: number, started: number, sync: boolean): Buffer | null {
    const { raw, query } = request;
    if (result.kind === 'drop') {
      // CoreDNS acl `drop`: no reply, counted as a dropped query.
      this.stats.dropped++;
      return null;
    }
    let reply: Buffer;
    let rcode: number;
    try {
      switch (result.kind) {
        case 'answer':
          reply = buildReply(raw, query, result.answer, maxSize, this.loadbalance ? this.nextRotation() : 0);
          rcode = result.answer.rcode;
          break;
        case 'records':
          reply = buildReply(raw, query, compileRecords(query, result), maxSize, this.loadbalance ? this.nextRotation() : 0);
          rcode = result.rcode;
          break;
        case 'error':
          reply = buildErrorReply(raw, query.id, query.flags, query.questionEnd, query.edns, result.rcode, result.extendedError);
          rcode = result.rcode;
          break;
        case 'skip':
          // Nothing in the chain claimed the name: not ours to answer (RFC 1035 4.1.1 "Refused").
          reply = buildErrorReply(raw, query.id, query.flags, query.questionEnd, query.edns, RCode.REFUSED);
          rcode = RCode.REFUSED;
          break;
      }
    } catch (err) {
      return this.done(request, this.failure(raw, query, err), RCode.SERVFAIL, started, sync);
    }
    if (rcode === RCode.SERVFAIL) this.servfails.report((result.kind === 'error' && result.cause) || RELAYED_SERVFAIL, query.qname, query.qtype);
    return this.done(request, reply, rcode, started, sync);
  }

  /** An exception in the chain: SERVFAIL, counted as CoreDNS counts a recovered panic. */
  private failure(raw: Uint8Array, query: ParsedQuery, err: unknown): Buffer {
    this.stats.panics++;
    const message = err instanceof Error ? err.message : String(err);
    this.servfails.report(`unexpected error: ${message}`, query.qname, query.qtype, err);
    return buildErrorReply(raw, query.id, query.flags, query.questionEnd, query.edns, RCode.SERVFAIL);
  }

  private done(request: DnsRequest, reply: Buffer, rcode: number, started: number, sync: boolean): Buffer {
    const seconds = sync ? this.syncSeconds(started) : (performance.now() - started) / 1000;
    this.count(reply, rcode, request.transport, request.raw.length, seconds);
    if (this.queryLog !== null) {
      const { query, transport, remoteAddress, remotePort, raw } = request;
      this.queryLog.write({ remoteAddress, remotePort, transport, query, size: raw.length, reply, rcode, seconds });
    }
    return reply;
  }

  /** A synchronous answer's duration: measured when it was sampled, else the last measured one. */
  private syncSeconds(started: number): number {
    if (started === UNTIMED) return this.lastSyncSeconds;
    this.untimed = 0;
    this.lastSyncSeconds = (performance.now() - started) / 1000;
    return this.lastSyncSeconds;
  }

  private count(reply: Buffer, rcode: number, transport: Transport, requestSize: number, seconds: number): Buffer {
    const stats = this.stats;
    stats.responses[rcode] = (stats.responses[rcode] ?? 0) + 1;
    observe(stats.durations, TIME_BUCKETS, seconds);
    observe(stats.requestSizes[transport], SIZE_BUCKETS, requestSize);
    observe(stats.responseSizes[transport], SIZE_BUCKETS, reply.length);
    return reply;
  }

  private settled(): void {
    this.pending--;
    if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/** An IPv6 client; IPv4-mapped addresses (a dual-stack socket) count as IPv4, as CoreDNS's `family` label does. */
function isIpv6Client(address: string): boolean {
  return address.includes(':') && !/^::ffff:\d/i.test(address);
}
