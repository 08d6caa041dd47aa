// Whole messages (RFC 1035 4.1) with EDNS(0) (RFC 6891), for tests and the forwarder. The hot path uses
// query.ts and reply.ts instead, which touch only what a reply needs.
import { readOptions, readOptTtl, writeOptions, optTtl, type EdnsOption } from './edns.js';
import { HeaderFlag, OPCODE_SHIFT, RCODE_MASK, opcodeOf, writeHeader } from './header.js';
import { WireReader } from './reader.js';
import { readRecord, writeRecord } from './resource-record.js';
import { HEADER_LENGTH, RRType, type ResourceRecord } from './types.js';
import { WireFormatError } from './wire-format-error.js';
import { WireWriter } from './writer.js';

export interface Question {
  name: string;
  type: number;
  class: number;
}

/** The OPT record's content (RFC 6891 6.1.2); its extended RCODE bits live in `Message.rcode`. */
export interface Edns {
  /** The CLASS field as sent (not clamped). */
  udpSize: number;
  version: number;
  /** DNSSEC OK (RFC 3225). */
  dnssecOk: boolean;
  options: EdnsOption[];
}

export interface Message {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  /** The full 12-bit RCODE: header bits, plus the OPT's extended bits when there is an OPT (BADVERS = 16). */
  rcode: number;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  /** Additional records without the OPT, which is `edns`. */
  additionals: ResourceRecord[];
  edns: Edns | null;
}

/** A message with every field defaulted (id 0, no flags, NOERROR, empty sections, no EDNS). */
export function createMessage(init: Partial<Message> = {}): Message {
  return {
    id: 0,
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    ad: false,
    cd: false,
    rcode: 0,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
    edns: null,
    ...init,
  };
}

/** Decodes a whole message; throws WireFormatError on anything malformed, trailing bytes included. */
export function decodeMessage(buf: Uint8Array): Message {
  const reader = new WireReader(buf);
  const id = reader.u16();
  const flags = reader.u16();
  const qdcount = reader.u16();
  const ancount = reader.u16();
  const nscount = reader.u16();
  const arcount = reader.u16();
  const message = createMessage({
    id,
    qr: (flags & HeaderFlag.QR) !== 0,
    opcode: opcodeOf(flags),
    aa: (flags & HeaderFlag.AA) !== 0,
    tc: (flags & HeaderFlag.TC) !== 0,
    rd: (flags & HeaderFlag.RD) !== 0,
    ra: (flags & HeaderFlag.RA) !== 0,
    ad: (flags & HeaderFlag.AD) !== 0,
    cd: (flags & HeaderFlag.CD) !== 0,
    rcode: flags & RCODE_MASK,
  });
  for (let i = 0; i < qdcount; i++) {
    message.questions.push({ name: reader.name(), type: reader.u16(), class: reader.u16() });
  }
  readSection(reader, ancount, message.answers, 'answer');
  readSection(reader, nscount, message.authorities, 'authority');
  for (let i = 0; i < arcount; i++) {
    const at = reader.offset;
    const record = readRecord(reader);
    if (record.type !== RRType.OPT) {
      message.additionals.push(record);
      continue;
    }
    // RFC 6891 6.1.1: at most one OPT, owned by the root.
    if (message.edns) throw new WireFormatError('more than one OPT record', at);
    if (record.name !== '') throw new WireFormatError('OPT record not owned by the root', at);
    const fields = readOptTtl(record.ttl);
    message.rcode |= fields.extendedRcode << 4;
    message.edns = {
      udpSize: record.class,
      version: fields.version,
      dnssecOk: fields.dnssecOk,
      options: readOptions(record.data as Uint8Array, at),
    };
  }
  if (reader.remaining !== 0) throw new WireFormatError(`${reader.remaining} trailing bytes`, reader.offset);
  return message;
}

function readSection(reader: WireReader, count: number, into: ResourceRecord[], section: string): void {
  for (let i = 0; i < count; i++) {
    const at = reader.offset;
    const record = readRecord(reader);
    if (record.type === RRType.OPT) throw new WireFormatError(`OPT record in the ${section} section`, at);
    into.push(record);
  }
}

/**
 * Encodes a message, compressing owner names and the RDATA names of NS, CNAME, PTR and SOA (never SRV
 * targets). An RCODE above 15 needs `edns` (its high bits go in the OPT, RFC 6891 6.1.3).
 */
export function encodeMessage(message: Message): Buffer {
  if (message.rcode > 0xf && !message.edns) {
    throw new WireFormatError(`RCODE ${message.rcode} needs an OPT record`, 0);
  }
  const writer = new WireWriter();
  for (let i = 0; i < HEADER_LENGTH; i++) writer.u8(0);
  for (const question of message.questions) {
    writer.compressedName(question.name);
    writer.u16(question.type);
    writer.u16(question.class);
  }
  for (const record of message.answers) writeRecord(writer, record);
  for (const record of message.authorities) writeRecord(writer, record);
  for (const record of message.additionals) writeRecord(writer, record);
  if (message.edns) {
    const edns = message.edns;
    writer.u8(0); // root owner
    writer.u16(RRType.OPT);
    writer.u16(edns.udpSize);
    writer.u32(optTtl(message.rcode, edns.version, edns.dnssecOk));
    const rdlengthAt = writer.length;
    writer.u16(0);
    writeOptions(writer, edns.options);
    writer.patchU16(rdlengthAt, writer.length - rdlengthAt - 2);
  }
  const out = writer.toBuffer();
  const flags =
    (message.qr ? HeaderFlag.QR : 0) |
    ((message.opcode & 0xf) << OPCODE_SHIFT) |
    (message.aa ? HeaderFlag.AA : 0) |
    (message.tc ? HeaderFlag.TC : 0) |
    (message.rd ? HeaderFlag.RD : 0) |
    (message.ra ? HeaderFlag.RA : 0) |
    (message.ad ? HeaderFlag.AD : 0) |
    (message.cd ? HeaderFlag.CD : 0) |
    (message.rcode & RCODE_MASK);
  const additionalCount = message.additionals.length + (message.edns ? 1 : 0);
  for (const [count, what] of [
    [message.questions.length, 'questions'],
    [message.answers.length, 'answers'],
    [message.authorities.length, 'authorities'],
    [additionalCount, 'additionals'],
  ] as const) {
    if (count > 0xffff) throw new WireFormatError(`too many ${what}: ${count}`, 0);
  }
  writeHeader(out, message.id, flags, message.questions.length, message.answers.length, message.authorities.length, additionalCount);
  return out;
}
