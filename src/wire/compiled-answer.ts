// A response compiled once per (qname, qtype) when the index changes, replayed per query
// (docs/architecture.md "The hot path").
//
// The tail is encoded after a header and the question exactly as the reply will carry them, so its name
// compression pointers are valid in the reply. Owner names equal to (or ending in) the qname point into the
// question at offset 12; since the reply copies the client's own question bytes there (same length, case
// may differ), those owner names come back spelled as the client spelled them.
import { resourceRecordKey, writeRecord } from './resource-record.js';
import { HEADER_LENGTH, RRType, type ResourceRecord } from './types.js';
import { WireWriter } from './writer.js';

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

/**
 * An A or AAAA RRset of two or more records in the answer section: where each record's RDATA sits in the tail.
 * Its records differ only in RDATA (RFC 2181 5: one owner, class, type and TTL), so rotating the RDATA values
 * rotates the records, and no compression pointer can point into an address.
 */
export interface AddressRotation {
  /** Offsets of each record's RDATA in `tail`, in order. */
  offsets: number[];
  /** 4 (A) or 16 (AAAA). */
  size: number;
}

export interface CompiledAnswer {
  rcode: number;
  authoritative: boolean;
  /** Further header bits the reply sets (RA, AD of a relayed upstream reply); 0 for our own answers. */
  extraFlags: number;
  /**
   * The target of a CNAME that ends the answer and lies outside the data it was compiled from, for a server
   * that can resolve it elsewhere (RFC 1034 4.3.2 step 3a); null otherwise. Set by whoever knows the zones.
   */
  chase: string | null;
  /** Answer, authority and additional sections, encoded as if the question's qname sat at offset 12. */
  tail: Buffer;
  answerCount: number;
  authorityCount: number;
  additionalCount: number;
  /** Whole-RRset boundaries in ascending order, the full tail last. */
  truncationPoints: TruncationPoint[];
  /** Address RRsets a reply may rotate (CoreDNS `loadbalance`); null: none. Always present, one object shape. */
  rotations: AddressRotation[] | null;
}

/**
 * Encode sections for a question (qname lowercase, absolute, no trailing dot). Replay the result only for
 * queries of this qname (in any letter case): its pointers assume that question at offset 12. Records with the
 * same name, type and class must be adjacent within a section to be kept together on truncation.
 */
export function compileAnswer(
  qname: string,
  qtype: number,
  qclass: number,
  sections: Sections,
  rcode: number,
  authoritative: boolean,
  extraFlags = 0,
): CompiledAnswer {
  const writer = new WireWriter();
  for (let i = 0; i < HEADER_LENGTH; i++) writer.u8(0);
  writer.compressedName(qname); // first name in the message: written in full at offset 12
  writer.u16(qtype);
  writer.u16(qclass);
  const questionEnd = writer.length;

  const points: TruncationPoint[] = [];
  const counts = [0, 0, 0];
  const sectionList = [sections.answer, sections.authority, sections.additional];
  const rotations: AddressRotation[] = [];
  let run: AddressRotation | null = null;
  for (let section = 0; section < 3; section++) {
    let previousKey = '';
    for (const record of sectionList[section]) {
      const key = resourceRecordKey(record);
      // A new RRset (RFC 2181 5: same name, class and type) starts here: the tail may be cut before it.
      if (key !== previousKey) {
        addPoint(points, writer.length - questionEnd, counts);
        if (run !== null && run.offsets.length > 1) rotations.push(run);
        run = null;
      }
      previousKey = key;
      writeRecord(writer, record);
      counts[section]++;
      if (section === 0 && (record.type === RRType.A || record.type === RRType.AAAA)) {
        const size = record.type === RRType.A ? 4 : 16;
        run ??= { offsets: [], size };
        run.offsets.push(writer.length - questionEnd - size);
      }
    }
    if (run !== null && run.offsets.length > 1) rotations.push(run);
    run = null;
  }
  addPoint(points, writer.length - questionEnd, counts);
  return {
    rcode,
    authoritative,
    extraFlags,
    chase: null,
    tail: writer.slice(questionEnd),
    answerCount: counts[0],
    authorityCount: counts[1],
    additionalCount: counts[2],
    truncationPoints: points,
    rotations: rotations.length > 0 ? rotations : null,
  };
}

function addPoint(points: TruncationPoint[], length: number, counts: number[]): void {
  const last = points[points.length - 1];
  if (last && last.length === length) return;
  points.push({ length, answerCount: counts[0], authorityCount: counts[1], additionalCount: counts[2] });
}

/**
 * Where each record's TTL sits in `answer.tail`, in section order: a cache that counts TTLs down rewrites them
 * in place (RFC 1035 3.2.1: the TTL is the 32 bits after TYPE and CLASS) instead of encoding the answer again.
 */
export function ttlOffsets(answer: CompiledAnswer): number[] {
  const tail = answer.tail;
  const offsets: number[] = [];
  let at = 0;
  const records = answer.answerCount + answer.authorityCount + answer.additionalCount;
  for (let i = 0; i < records; i++) {
    // The owner: labels up to the root label, or up to a compression pointer (RFC 1035 4.1.4).
    for (;;) {
      const length = tail[at];
      if (length === 0) {
        at += 1;
        break;
      }
      if ((length & 0xc0) === 0xc0) {
        at += 2;
        break;
      }
      at += length + 1;
    }
    offsets.push(at + 4); // after TYPE and CLASS
    at += 8;
    at += 2 + tail.readUInt16BE(at);
  }
  return offsets;
}
