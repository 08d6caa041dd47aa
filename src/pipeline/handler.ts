// The pipeline contract: each handler returns answer | skip | error (DESIGN.md, modelled on hickory-dns
// Continue/Break/Skip). Only the server writes to a socket.
import type { CompiledAnswer } from '../wire/compiled-answer.js';
import type { ParsedQuery } from '../wire/query.js';

export interface DnsRequest {
  /** The query exactly as received; the reply echoes its header id and question bytes. */
  raw: Uint8Array;
  query: ParsedQuery;
  transport: 'udp' | 'tcp';
  remoteAddress: string;
  remotePort: number;
}

export type HandlerResult =
  | { kind: 'answer'; answer: CompiledAnswer }
  | { kind: 'skip' }
  | { kind: 'error'; rcode: number };

export interface Handler {
  /** Named after the CoreDNS directive it imitates (kubernetes, autopath, file, cache, forward). */
  readonly name: string;
  /** Synchronous where possible: no `async` per packet on the hot path (DESIGN.md "The hot path"). */
  handle(request: DnsRequest): HandlerResult | Promise<HandlerResult>;
}
