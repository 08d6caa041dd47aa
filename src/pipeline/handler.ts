// The pipeline contract: each handler returns answer | records | skip | error (modelled on hickory-dns
// Continue/Break/Skip; docs/architecture.md "Life of a query"). Only the server writes to a socket.
import type { CompiledAnswer } from '../wire/compiled-answer.js';
import type { ParsedQuery } from '../wire/query.js';
import type { ResourceRecord } from '../wire/types.js';

export interface DnsRequest {
  /** The query exactly as received; the reply echoes its header id and question bytes. */
  raw: Uint8Array;
  query: ParsedQuery;
  transport: 'udp' | 'tcp';
  remoteAddress: string;
  remotePort: number;
  /**
   * The chain asks on behalf of another handler (a CNAME target to chase, an autopath expansion): the handler
   * answers with `records` (or skip / error), never a compiled `answer`. `raw` is then the client's own query.
   */
  internal?: boolean;
}

export interface RecordSections {
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

/** Records a handler found, for the chain to compile (and extend, when `chase` names a CNAME target). */
export interface RecordsResult {
  kind: 'records';
  rcode: number;
  /** Header bits the reply sets: HeaderFlag.AA, RA, AD. */
  flags: number;
  sections: RecordSections;
  /**
   * The answer ends in a CNAME whose target this handler does not serve: the chain resolves the target through
   * the whole chain and appends what it finds (RFC 1034 4.3.2 step 3a).
   */
  chase?: string;
}

export type HandlerResult =
  | { kind: 'answer'; answer: CompiledAnswer }
  | RecordsResult
  | { kind: 'skip' }
  /**
   * `cause` says why, for the SERVFAIL log (CoreDNS `errors`); `extendedError` is an RFC 8914 info code the reply
   * carries when the query has EDNS.
   */
  | { kind: 'error'; rcode: number; cause?: string; extendedError?: number }
  /** No reply at all (CoreDNS acl `drop`). */
  | { kind: 'drop' };

export interface Handler {
  /** Named after the CoreDNS directive it imitates (kubernetes, autopath, file, cache, forward). */
  readonly name: string;
  /** Synchronous where possible: no `async` per packet on the hot path (docs/architecture.md "The hot path"). */
  handle(request: DnsRequest): HandlerResult | Promise<HandlerResult>;
}

/** Runs a question through the whole chain as an internal request (CNAME chasing, autopath). */
export type Resolve = (qname: string, qtype: number, from: DnsRequest) => HandlerResult | Promise<HandlerResult>;
