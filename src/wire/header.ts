// The 12-byte message header (RFC 1035 4.1.1; AD and CD from RFC 4035 3.2):
//   ID | QR OPCODE(4) AA TC RD RA Z AD CD RCODE(4) | QDCOUNT | ANCOUNT | NSCOUNT | ARCOUNT

export const HeaderFlag = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  AD: 0x0020,
  CD: 0x0010,
} as const;

export const OPCODE_SHIFT = 11;
export const OPCODE_MASK = 0x7800;
export const RCODE_MASK = 0x000f;

/** Byte offsets of the header's 16-bit fields. */
export const HeaderOffset = { ID: 0, FLAGS: 2, QDCOUNT: 4, ANCOUNT: 6, NSCOUNT: 8, ARCOUNT: 10 } as const;

export function opcodeOf(flags: number): number {
  return (flags & OPCODE_MASK) >> OPCODE_SHIFT;
}

export function readU16(buf: Uint8Array, at: number): number {
  return (buf[at] << 8) | buf[at + 1];
}

export function writeU16(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value >>> 8;
  buf[at + 1] = value & 0xff;
}

/** Writes a whole header at `buf[0..12]`. */
export function writeHeader(
  buf: Uint8Array,
  id: number,
  flags: number,
  qdcount: number,
  ancount: number,
  nscount: number,
  arcount: number,
): void {
  writeU16(buf, HeaderOffset.ID, id);
  writeU16(buf, HeaderOffset.FLAGS, flags);
  writeU16(buf, HeaderOffset.QDCOUNT, qdcount);
  writeU16(buf, HeaderOffset.ANCOUNT, ancount);
  writeU16(buf, HeaderOffset.NSCOUNT, nscount);
  writeU16(buf, HeaderOffset.ARCOUNT, arcount);
}
