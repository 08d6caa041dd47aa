// RDATA of each modelled type (RFC 1035 3.3 and 3.4, RFC 3596, RFC 2782, RFC 8659); every other type, OPT included
// (its options are read by edns.ts), is opaque bytes (RFC 3597).
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip-address.js';
import { nameToWire } from './name.js';
import type { WireReader } from './reader.js';
import { RRType, type CaaData, type MxData, type ResourceRecord, type SoaData, type SrvData } from './types.js';
import { WireFormatError } from './wire-format-error.js';
import type { WireWriter } from './writer.js';

/** A character-string holds at most 255 octets (RFC 1035 3.3). */
const MAX_CHARACTER_STRING = 255;

// ignoreBOM: a character-string that begins with EF BB BF keeps it (a TextDecoder drops a leading BOM by default).
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Writes the RDATA of `record` (not its RDLENGTH). */
export function writeRdata(writer: WireWriter, record: ResourceRecord): void {
  if (record.data instanceof Uint8Array) {
    writer.bytes(record.data); // opaque RDATA, for any type (RFC 3597 5)
    return;
  }
  switch (record.type) {
    case RRType.A: {
      const bytes = parseIPv4(record.data as string);
      if (!bytes) throw new WireFormatError(`not an IPv4 address: "${String(record.data)}"`, writer.length);
      writer.bytes(bytes);
      return;
    }
    case RRType.AAAA: {
      const bytes = parseIPv6(record.data as string);
      if (!bytes) throw new WireFormatError(`not an IPv6 address: "${String(record.data)}"`, writer.length);
      writer.bytes(bytes);
      return;
    }
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
      writer.compressedName(record.data as string); // well-known types may be compressed (RFC 3597 4)
      return;
    case RRType.SOA: {
      const soa = record.data as SoaData;
      writer.compressedName(soa.mname);
      writer.compressedName(soa.rname);
      writer.u32(soa.serial);
      writer.u32(soa.refresh);
      writer.u32(soa.retry);
      writer.u32(soa.expire);
      writer.u32(soa.minimum);
      return;
    }
    case RRType.MX: {
      const mx = record.data as MxData;
      writer.u16(mx.preference);
      writer.compressedName(mx.exchange); // RFC 1035 3.3.9; compressible as a well-known type (RFC 3597 4)
      return;
    }
    case RRType.CAA: {
      const caa = record.data as CaaData;
      const tag = Buffer.from(caa.tag, 'latin1');
      // RFC 8659 4.1: the tag is 1-15 octets of ASCII letters and digits.
      if (tag.length < 1 || tag.length > 15 || !/^[A-Za-z0-9]+$/.test(caa.tag)) {
        throw new WireFormatError(`bad CAA tag "${caa.tag}"`, writer.length);
      }
      writer.u8(caa.flags);
      writer.u8(tag.length);
      writer.bytes(tag);
      writer.bytes(Buffer.from(caa.value, 'utf8'));
      return;
    }
    case RRType.TXT:
      writeTxt(writer, record.data as string[]);
      return;
    case RRType.SRV: {
      const srv = record.data as SrvData;
      writer.u16(srv.priority);
      writer.u16(srv.weight);
      writer.u16(srv.port);
      writer.uncompressedName(srv.target); // RFC 2782: "name compression is not to be used for this field"
      return;
    }
    default:
      // Unmodelled types carry bytes, written above; anything else is a record built wrong.
      throw new WireFormatError(`RDATA of type ${record.type} is not opaque bytes`, writer.length);
  }
}

/** Each string as UTF-8, split into character-strings of at most 255 octets without cutting a character. */
function writeTxt(writer: WireWriter, strings: readonly string[]): void {
  if (strings.length === 0) {
    writer.u8(0); // TXT RDATA is one or more character-strings (RFC 1035 3.3.14)
    return;
  }
  for (const text of strings) {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length === 0) writer.u8(0);
    let at = 0;
    while (at < bytes.length) {
      let end = Math.min(at + MAX_CHARACTER_STRING, bytes.length);
      if (end < bytes.length) {
        while (end > at && (bytes[end] & 0xc0) === 0x80) end--; // do not split a UTF-8 sequence
      }
      writer.u8(end - at);
      writer.bytes(bytes, at, end);
      at = end;
    }
  }
}

/** Reads `rdlength` bytes of RDATA of `type`; names may point anywhere earlier in the message. */
export function readRdata(reader: WireReader, type: number, rdlength: number): ResourceRecord['data'] {
  const start = reader.offset;
  const end = start + rdlength;
  if (end > reader.buf.length) throw new WireFormatError('RDATA runs past the end of the message', start);
  let data: ResourceRecord['data'];
  switch (type) {
    case RRType.A:
      expectLength(rdlength, 4, start);
      data = formatIPv4(reader.bytes(4));
      break;
    case RRType.AAAA:
      expectLength(rdlength, 16, start);
      data = formatIPv6(reader.bytes(16));
      break;
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
      data = reader.name();
      break;
    case RRType.SOA:
      data = {
        mname: reader.name(),
        rname: reader.name(),
        serial: reader.u32(),
        refresh: reader.u32(),
        retry: reader.u32(),
        expire: reader.u32(),
        minimum: reader.u32(),
      } satisfies SoaData;
      break;
    case RRType.TXT: {
      // No character-string at all breaks RFC 1035 3.3.14 ("one or more"); kept as the empty bytes it is, so it
      // is relayed as received instead of gaining the empty string the model would write for [].
      if (rdlength === 0) {
        data = new Uint8Array(0);
        break;
      }
      const strings: string[] = [];
      while (reader.offset < end) {
        const length = reader.u8();
        if (reader.offset + length > end) throw new WireFormatError('character-string runs past RDATA', reader.offset);
        strings.push(utf8.decode(reader.bytes(length)));
      }
      data = strings;
      break;
    }
    case RRType.MX:
      data = { preference: reader.u16(), exchange: reader.name() } satisfies MxData;
      break;
    case RRType.CAA: {
      const flags = reader.u8();
      const tagLength = reader.u8();
      if (tagLength === 0 || reader.offset + tagLength > end) throw new WireFormatError('bad CAA tag length', reader.offset);
      const tag = Buffer.from(reader.bytes(tagLength)).toString('latin1');
      data = { flags, tag, value: utf8.decode(reader.bytes(end - reader.offset)) } satisfies CaaData;
      break;
    }
    case RRType.SRV:
      data = { priority: reader.u16(), weight: reader.u16(), port: reader.u16(), target: reader.name() } satisfies SrvData;
      break;
    default: {
      const layout = NAME_BEARING_LAYOUTS.get(type);
      // A plain copy: records must not alias the packet buffer. Names that may be compressed are expanded,
      // since their pointers mean nothing outside this message.
      data = layout ? expandNames(reader, layout, end) : new Uint8Array(reader.bytes(rdlength));
    }
  }
  if (reader.offset !== end) throw new WireFormatError(`RDATA of type ${type} does not fill RDLENGTH`, start);
  return data;
}

/** Fields of an opaque RDATA up to its last name: 16-bit numbers, names, character-strings, fixed bytes. */
type Field = 'u16' | 'name' | 'string' | number;

/**
 * Types without a model whose RDATA names may arrive compressed: the RFC 1035 types (MD, MF, MB, MG, MR,
 * MINFO; MX has its own model) and those RFC 3597 4 asks decoders to accept compressed (RP, AFSDB, RT, SIG, PX, NXT, NAPTR).
 * Whatever follows the last listed field is copied as is.
 */
const NAME_BEARING_LAYOUTS = new Map<number, readonly Field[]>([
  [3, ['name']], // MD
  [4, ['name']], // MF
  [7, ['name']], // MB
  [8, ['name']], // MG
  [9, ['name']], // MR
  [14, ['name', 'name']], // MINFO
  [17, ['name', 'name']], // RP
  [18, ['u16', 'name']], // AFSDB
  [21, ['u16', 'name']], // RT
  [24, [18, 'name']], // SIG: type covered .. key tag, then the signer's name
  [26, ['u16', 'name', 'name']], // PX
  [30, ['name']], // NXT
  [35, ['u16', 'u16', 'string', 'string', 'string', 'name']], // NAPTR
]);

/** The RDATA with its names written out in full (RFC 3597 4), as opaque bytes. */
function expandNames(reader: WireReader, layout: readonly Field[], end: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const field of layout) {
    if (field === 'name') {
      parts.push(nameToWire(reader.name()));
    } else {
      const start = reader.offset;
      if (field === 'u16') reader.skip(2);
      else if (field === 'string') reader.skip(reader.u8());
      else reader.skip(field);
      parts.push(reader.buf.subarray(start, reader.offset));
    }
    if (reader.offset > end) throw new WireFormatError('RDATA field runs past RDLENGTH', reader.offset);
  }
  parts.push(reader.bytes(end - reader.offset));
  return Buffer.concat(parts);
}

function expectLength(actual: number, expected: number, offset: number): void {
  if (actual !== expected) throw new WireFormatError(`RDLENGTH ${actual}, expected ${expected}`, offset);
}
