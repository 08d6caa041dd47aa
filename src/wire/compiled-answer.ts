// A response compiled once per (qname, qtype) when the index changes, replayed per query
// (DESIGN.md "The hot path"). CONTRACT (implementation pending in this file).
import type { ResourceRecord } from './types.js';

export interface Sections {
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

/** A point where the tail can be cut for truncation without splitting an RRset (RFC 2181 9). */
export interface TruncationPoint {
  /** Bytes of `tail` kept. */
  length: number;
  answerCount: number;
  authorityCount: number;
  additionalCount: number;
}

export interface CompiledAnswer {
  rcode: number;
  authoritative: boolean;
  /** Answer, authority and additional sections, encoded as if the question's qname sat at offset 12. */
  tail: Buffer;
  answerCount: number;
  authorityCount: number;
  additionalCount: number;
  /** Whole-RRset boundaries in ascending order, the full tail last. */
  truncationPoints: TruncationPoint[];
}

/** Encode sections for a question (qname lowercase, absolute, no trailing dot). */
export function compileAnswer(
  _qname: string,
  _qtype: number,
  _qclass: number,
  _sections: Sections,
  _rcode: number,
  _authoritative: boolean,
): CompiledAnswer {
  throw new Error('not implemented');
}
