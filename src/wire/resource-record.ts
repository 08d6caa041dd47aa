// One resource record on the wire (RFC 1035 4.1.3): NAME TYPE CLASS TTL RDLENGTH RDATA.
import { readRdata, writeRdata } from './rdata.js';
import type { WireReader } from './reader.js';
import type { ResourceRecord } from './types.js';
import type { WireWriter } from './writer.js';

/** Writes a whole RR; the owner name is compressed against earlier names. */
export function writeRecord(writer: WireWriter, record: ResourceRecord): void {
  writer.compressedName(record.name);
  writer.u16(record.type);
  writer.u16(record.class);
  writer.u32(record.ttl);
  const rdlengthAt = writer.length;
  writer.u16(0);
  writeRdata(writer, record);
  writer.patchU16(rdlengthAt, writer.length - rdlengthAt - 2);
}

/** Reads a whole RR; owner and RDATA names keep the letter case found on the wire. */
export function readRecord(reader: WireReader): ResourceRecord {
  const name = reader.name();
  const type = reader.u16();
  const cls = reader.u16();
  const ttl = reader.u32();
  const rdlength = reader.u16();
  const data = readRdata(reader, type, rdlength);
  return { name, type, class: cls, ttl, data } as ResourceRecord;
}

/** Moves past one RR, validating its owner name and framing only (RFC 1035 4.1.3). */
export function skipRecord(reader: WireReader): void {
  reader.skipName();
  reader.skip(8); // type, class, ttl
  reader.skip(reader.u16());
}

/** Records with equal keys belong to one RRset (RFC 2181 5: name, compared case-insensitively, class, type). */
export function resourceRecordKey(record: ResourceRecord): string {
  return `${record.name.toLowerCase()}|${record.class}|${record.type}`;
}
