// Hot-path query parsing: header, the one question, the OPT record; nothing else (DESIGN.md "The hot path").
// CONTRACT (implementation pending in this file).

export interface EdnsInfo {
  /** Requestor's UDP payload size (RFC 6891 6.2.3); values below 512 are treated as 512. */
  udpSize: number;
  version: number;
  /** DNSSEC OK bit (RFC 3225). */
  dnssecOk: boolean;
}

export interface ParsedQuery {
  id: number;
  /** Raw 16-bit flags word of the query header. */
  flags: number;
  opcode: number;
  recursionDesired: boolean;
  checkingDisabled: boolean;
  /** Lowercased, absolute, no trailing dot; "" is the root. */
  qname: string;
  qtype: number;
  qclass: number;
  /** Offset just past the question: bytes 12..questionEnd are echoed verbatim in the reply. */
  questionEnd: number;
  /** The OPT pseudo-RR when the query had one (RFC 6891), else null. */
  edns: EdnsInfo | null;
}

/**
 * ok: a well-formed standard query.
 * error: answer with this rcode (FORMERR, NOTIMP, BADVERS); `questionEnd` is set when the question could
 *   be read, so the error reply can echo it.
 * drop: no reply at all (header unreadable, or QR=1: responses are never answered).
 */
export type QueryParseResult =
  | { kind: 'ok'; query: ParsedQuery }
  | { kind: 'error'; rcode: number; id: number; flags: number; questionEnd: number | null; edns: EdnsInfo | null }
  | { kind: 'drop' };

export function parseQuery(_packet: Uint8Array): QueryParseResult {
  throw new Error('not implemented');
}
