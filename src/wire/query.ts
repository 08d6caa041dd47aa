// Hot-path query parsing: header, the one question, the OPT record; nothing else (docs/architecture.md "The hot path").
import { DO_BIT, validateOptions } from './edns.js';
import { HeaderFlag, opcodeOf } from './header.js';
import { WireReader } from './reader.js';
import { HEADER_LENGTH, Opcode, PLAIN_UDP_LIMIT, RCode, RRType } from './types.js';
import { WireFormatError } from './wire-format-error.js';

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

const DROP: QueryParseResult = Object.freeze({ kind: 'drop' });

/**
 * Reads a query as far as a reply needs (RFC 1035 4.1; EDNS per RFC 6891). Never throws:
 * - fewer than 12 bytes, or QR=1 → drop;
 * - opcode other than QUERY → NOTIMP, the question echoed when it can be read;
 * - QDCOUNT ≠ 1, an unreadable question, RRs that do not parse, trailing bytes, an OPT outside the additional
 *   section, two OPTs or an OPT not owned by the root (RFC 6891 6.1.1) → FORMERR;
 * - EDNS version above 0 → BADVERS (RFC 6891 6.1.3).
 */
export function parseQuery(packet: Uint8Array): QueryParseResult {
  if (packet.length < HEADER_LENGTH) return DROP;
  const flags = (packet[2] << 8) | packet[3];
  if ((flags & HeaderFlag.QR) !== 0) return DROP; // never answer a response
  const id = (packet[0] << 8) | packet[1];
  const qdcount = (packet[4] << 8) | packet[5];
  const opcode = opcodeOf(flags);
  if (opcode !== Opcode.QUERY) return notImplemented(packet, id, flags, qdcount);
  if (qdcount !== 1) {
    return errorResult(RCode.FORMERR, id, flags, null, bestEffortEdns(packet, qdcount));
  }
  const reader = new WireReader(packet, HEADER_LENGTH);
  let qname: string;
  let qtype: number;
  let qclass: number;
  try {
    qname = reader.lowercaseName();
    qtype = reader.u16();
    qclass = reader.u16();
  } catch {
    return errorResult(RCode.FORMERR, id, flags, null, null);
  }
  const questionEnd = reader.offset;
  let edns: EdnsInfo | null = null;
  if (questionEnd !== packet.length || hasRecords(packet)) {
    try {
      edns = findOpt(reader, packet);
    } catch {
      return errorResult(RCode.FORMERR, id, flags, questionEnd, null);
    }
    if (edns && edns.version > 0) return errorResult(RCode.BADVERS, id, flags, questionEnd, edns);
  }
  return {
    kind: 'ok',
    query: {
      id,
      flags,
      opcode,
      recursionDesired: (flags & HeaderFlag.RD) !== 0,
      checkingDisabled: (flags & HeaderFlag.CD) !== 0,
      qname,
      qtype,
      qclass,
      questionEnd,
      edns,
    },
  };
}

function errorResult(
  rcode: number,
  id: number,
  flags: number,
  questionEnd: number | null,
  edns: EdnsInfo | null,
): QueryParseResult {
  return { kind: 'error', rcode, id, flags, questionEnd, edns };
}

function hasRecords(packet: Uint8Array): boolean {
  return (packet[6] | packet[7] | packet[8] | packet[9] | packet[10] | packet[11]) !== 0;
}

/** NOTIMP (RFC 1035 4.1.1), echoing the question and the OPT when they can be read. */
function notImplemented(packet: Uint8Array, id: number, flags: number, qdcount: number): QueryParseResult {
  let questionEnd: number | null = null;
  let edns: EdnsInfo | null = null;
  if (qdcount === 1) {
    const reader = new WireReader(packet, HEADER_LENGTH);
    try {
      reader.skipName();
      reader.skip(4);
      questionEnd = reader.offset;
      edns = findOpt(reader, packet);
    } catch {
      edns = null;
    }
  } else {
    edns = bestEffortEdns(packet, qdcount);
  }
  return errorResult(RCode.NOTIMP, id, flags, questionEnd, edns);
}

/** The OPT of a query whose question section is being refused anyway; null when anything is malformed. */
function bestEffortEdns(packet: Uint8Array, qdcount: number): EdnsInfo | null {
  const reader = new WireReader(packet, HEADER_LENGTH);
  try {
    for (let i = 0; i < qdcount; i++) {
      reader.skipName();
      reader.skip(4);
    }
    return findOpt(reader, packet);
  } catch {
    return null;
  }
}

/**
 * Walks the answer, authority and additional sections from `reader.offset` (just past the questions) and
 * returns the OPT's content. Throws WireFormatError when a record does not parse, bytes trail the last
 * record, or the OPT breaks RFC 6891 6.1.1.
 */
function findOpt(reader: WireReader, packet: Uint8Array): EdnsInfo | null {
  const answerAndAuthority = ((packet[6] << 8) | packet[7]) + ((packet[8] << 8) | packet[9]);
  const additional = (packet[10] << 8) | packet[11];
  let edns: EdnsInfo | null = null;
  for (let i = 0; i < answerAndAuthority + additional; i++) {
    const ownerAt = reader.offset;
    reader.skipName();
    const type = reader.u16();
    if (type !== RRType.OPT) {
      reader.skip(6); // class, ttl
      reader.skip(reader.u16());
      continue;
    }
    if (i < answerAndAuthority) throw new WireFormatError('OPT outside the additional section', ownerAt);
    if (edns) throw new WireFormatError('more than one OPT record', ownerAt);
    if (!ownedByRoot(packet, ownerAt)) throw new WireFormatError('OPT record not owned by the root', ownerAt);
    const udpSize = reader.u16();
    const ttl = reader.u32();
    const rdlength = reader.u16();
    const rdataStart = reader.offset;
    reader.skip(rdlength);
    validateOptions(packet, rdataStart, rdataStart + rdlength);
    edns = {
      udpSize: udpSize < PLAIN_UDP_LIMIT ? PLAIN_UDP_LIMIT : udpSize, // RFC 6891 6.2.3, 6.2.5
      version: (ttl >>> 16) & 0xff,
      dnssecOk: (ttl & DO_BIT) !== 0,
    };
  }
  if (reader.remaining !== 0) throw new WireFormatError('trailing bytes after the last record', reader.offset);
  return edns;
}

/** The root is one zero octet, or (oddly, but legally) a pointer to one. */
function ownedByRoot(packet: Uint8Array, ownerAt: number): boolean {
  return packet[ownerAt] === 0 || new WireReader(packet, ownerAt).name() === '';
}
