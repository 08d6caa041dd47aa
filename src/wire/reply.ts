// Assembling a reply from the query's own bytes and a compiled tail. CONTRACT (implementation pending).
import type { CompiledAnswer } from './compiled-answer.js';
import type { EdnsInfo, ParsedQuery } from './query.js';

/** The UDP payload size we advertise and honour at most (DNS Flag Day 2020 default). */
export const DEFAULT_EDNS_UDP_SIZE = 1232;

/**
 * The reply to `query`: its header (id, opcode, RD, CD echoed; QR, AA per answer, RA false, rcode patched),
 * its question bytes verbatim (so the client's letter case comes back), the compiled tail, and an OPT when
 * the query had one. When the result would exceed `maxSize` (512, or the EDNS size capped at
 * DEFAULT_EDNS_UDP_SIZE, for UDP; 65535 for TCP) it is cut at the last whole RRset that fits and TC is set if
 * an answer or authority RRset was dropped (RFC 1035 4.2.1, RFC 2181 9, RFC 6891 7).
 */
export function buildReply(_raw: Uint8Array, _query: ParsedQuery, _answer: CompiledAnswer, _maxSize: number): Buffer {
  throw new Error('not implemented');
}

/** A header-only (plus question when readable, plus OPT when present) reply carrying `rcode`. */
export function buildErrorReply(
  _raw: Uint8Array,
  _id: number,
  _flags: number,
  _questionEnd: number | null,
  _edns: EdnsInfo | null,
  _rcode: number,
): Buffer {
  throw new Error('not implemented');
}

/** maxSize for a UDP reply to this query (RFC 6891 6.2.5). */
export function udpLimit(query: ParsedQuery): number {
  if (!query.edns) return 512;
  return Math.min(Math.max(query.edns.udpSize, 512), DEFAULT_EDNS_UDP_SIZE);
}
