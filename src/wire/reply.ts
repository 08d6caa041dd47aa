// Assembling a reply from the query's own bytes and a compiled tail: one allocation, a few copies.
import type { CompiledAnswer, TruncationPoint } from './compiled-answer.js';
import { EMPTY_OPT_LENGTH, writeEmptyOpt } from './edns.js';
import { HeaderFlag, OPCODE_MASK, RCODE_MASK, writeHeader } from './header.js';
import type { EdnsInfo, ParsedQuery } from './query.js';
import { HEADER_LENGTH } from './types.js';

/** The UDP payload size we advertise and honour at most (DNS Flag Day 2020 default). */
export const DEFAULT_EDNS_UDP_SIZE = 1232;

/**
 * The reply to `query`: its header (id, opcode, RD, CD echoed; QR, AA and extra bits such as RA per answer,
 * rcode patched),
 * its question bytes verbatim (so the client's letter case comes back), the compiled tail, and an OPT when
 * the query had one. When the result would exceed `maxSize` (512, or the EDNS size capped at
 * DEFAULT_EDNS_UDP_SIZE, for UDP; 65535 for TCP) it is cut at the last whole RRset that fits and TC is set if
 * an answer or authority RRset was dropped (RFC 1035 4.2.1, RFC 2181 9, RFC 6891 7).
 */
export function buildReply(raw: Uint8Array, query: ParsedQuery, answer: CompiledAnswer, maxSize: number, rotateBy = 0): Buffer {
  const questionEnd = query.questionEnd;
  const optLength = query.edns ? EMPTY_OPT_LENGTH : 0;
  const room = maxSize - questionEnd - optLength; // bytes left for the tail
  let kept: TruncationPoint | null = null;
  let tailLength = answer.tail.length;
  let answerCount = answer.answerCount;
  let authorityCount = answer.authorityCount;
  let additionalCount = answer.additionalCount;
  let flags = replyFlags(query.flags, answer.rcode) | (answer.authoritative ? HeaderFlag.AA : 0) | answer.extraFlags;
  if (tailLength > room) {
    kept = lastPointWithin(answer.truncationPoints, room);
    tailLength = kept ? kept.length : 0;
    answerCount = kept ? kept.answerCount : 0;
    authorityCount = kept ? kept.authorityCount : 0;
    additionalCount = kept ? kept.additionalCount : 0;
    // RFC 2181 9: TC only when required data (answer, authority) is missing, not for additional data.
    if (answerCount < answer.answerCount || authorityCount < answer.authorityCount) flags |= HeaderFlag.TC;
  }
  const reply = Buffer.allocUnsafe(questionEnd + tailLength + optLength);
  writeHeader(reply, query.id, flags, 1, answerCount, authorityCount, additionalCount + (query.edns ? 1 : 0));
  copyQuestion(raw, questionEnd, reply);
  answer.tail.copy(reply, questionEnd, 0, tailLength);
  if (rotateBy > 0 && answer.rotations !== null) rotateAddresses(answer, reply, questionEnd, tailLength, rotateBy);
  if (query.edns) writeEmptyOpt(reply, questionEnd + tailLength, DEFAULT_EDNS_UDP_SIZE, answer.rcode, query.edns.dnssecOk);
  return reply;
}

/**
 * CoreDNS `loadbalance`: each address RRset of the answer starts `rotateBy` records later (modulo its size), so
 * successive replies spread clients over the addresses. Only RDATA moves; RRsets cut by truncation are left.
 */
function rotateAddresses(answer: CompiledAnswer, reply: Buffer, questionEnd: number, tailLength: number, rotateBy: number): void {
  const tail = answer.tail;
  for (const { offsets, size } of answer.rotations!) {
    const n = offsets.length;
    const shift = rotateBy % n;
    if (shift === 0 || offsets[n - 1] + size > tailLength) continue;
    // Byte loops: Buffer#copy's native call costs more than copying 4 or 16 bytes.
    for (let i = 0; i < n; i++) {
      const from = offsets[(i + shift) % n];
      const to = questionEnd + offsets[i];
      for (let b = 0; b < size; b++) reply[to + b] = tail[from + b];
    }
  }
}

/** The largest whole-RRset cut that fits in `room` bytes (points ascend); null when not even the first does. */
function lastPointWithin(points: readonly TruncationPoint[], room: number): TruncationPoint | null {
  for (let i = points.length - 1; i >= 0; i--) {
    if (points[i].length <= room) return points[i];
  }
  return null;
}

/** QR set; opcode, RD and CD echoed (RFC 1035 4.1.1, RFC 4035 3.2.2); RA clear; the low 4 RCODE bits. */
function replyFlags(queryFlags: number, rcode: number): number {
  return HeaderFlag.QR | (queryFlags & (OPCODE_MASK | HeaderFlag.RD | HeaderFlag.CD)) | (rcode & RCODE_MASK);
}

/** The client's question bytes, verbatim (its letter case included). */
function copyQuestion(raw: Uint8Array, questionEnd: number, reply: Buffer): void {
  for (let i = HEADER_LENGTH; i < questionEnd; i++) reply[i] = raw[i];
}

/** The EDNS option code of an Extended DNS Error (RFC 8914 2) and its length with a 2-byte info code. */
const EDE_OPTION_CODE = 15;
const EDE_OPTION_LENGTH = 6;

/**
 * A header-only (plus question when readable, plus OPT when present) reply carrying `rcode`; with EDNS and an
 * `extendedError` info code, the OPT carries it as an Extended DNS Error without extra text (RFC 8914 2).
 */
export function buildErrorReply(
  raw: Uint8Array,
  id: number,
  flags: number,
  questionEnd: number | null,
  edns: EdnsInfo | null,
  rcode: number,
  extendedError?: number,
): Buffer {
  const end = questionEnd ?? HEADER_LENGTH;
  const ede = edns !== null && extendedError !== undefined ? EDE_OPTION_LENGTH : 0;
  const reply = Buffer.allocUnsafe(end + (edns ? EMPTY_OPT_LENGTH : 0) + ede);
  // An RCODE above 15 (BADVERS) keeps only its low bits here; the OPT carries the rest (RFC 6891 6.1.3).
  writeHeader(reply, id, replyFlags(flags, rcode), questionEnd === null ? 0 : 1, 0, 0, edns ? 1 : 0);
  copyQuestion(raw, end, reply);
  if (edns) writeEmptyOpt(reply, end, DEFAULT_EDNS_UDP_SIZE, rcode, edns.dnssecOk);
  if (ede > 0) {
    const optEnd = end + EMPTY_OPT_LENGTH;
    reply.writeUInt16BE(ede, optEnd - 2); // the OPT's RDLENGTH
    reply.writeUInt16BE(EDE_OPTION_CODE, optEnd);
    reply.writeUInt16BE(2, optEnd + 2);
    reply.writeUInt16BE(extendedError!, optEnd + 4);
  }
  return reply;
}

/** maxSize for a UDP reply to this query (RFC 6891 6.2.5). */
export function udpLimit(query: ParsedQuery): number {
  if (!query.edns) return 512;
  return Math.min(Math.max(query.edns.udpSize, 512), DEFAULT_EDNS_UDP_SIZE);
}
