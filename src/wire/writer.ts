// A growable message buffer with name compression (RFC 1035 4.1.4). Compression matches name suffixes
// case-insensitively (RFC 4343) and only points at offsets a 14-bit pointer can reach.
import { ASCII_LOWER, nameToWire } from './name.js';
import { MAX_POINTER_OFFSET } from './types.js';
import { WireFormatError } from './wire-format-error.js';

export class WireWriter {
  private buf: Buffer;
  private used = 0;
  /** Lowercased wire form of a name suffix → offset of its first occurrence in this message. */
  private readonly suffixes = new Map<string, number>();

  constructor(initialCapacity = 512) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  /** Bytes written so far (also the offset of the next byte). */
  get length(): number {
    return this.used;
  }

  u8(value: number): void {
    this.ensure(1);
    this.buf[this.used++] = value;
  }

  u16(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
      throw new WireFormatError(`16-bit field out of range: ${value}`, this.used);
    }
    this.ensure(2);
    this.buf[this.used++] = value >>> 8;
    this.buf[this.used++] = value & 0xff;
  }

  u32(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new WireFormatError(`32-bit field out of range: ${value}`, this.used);
    }
    this.ensure(4);
    this.buf.writeUInt32BE(value, this.used);
    this.used += 4;
  }

  bytes(data: Uint8Array, start = 0, end = data.length): void {
    const count = end - start;
    this.ensure(count);
    this.buf.set(start === 0 && end === data.length ? data : data.subarray(start, end), this.used);
    this.used += count;
  }

  /** Overwrites a 16-bit field written earlier (RDLENGTH, section counts). */
  patchU16(offset: number, value: number): void {
    if (value > 0xffff) throw new WireFormatError(`16-bit field out of range: ${value}`, offset);
    this.buf[offset] = value >>> 8;
    this.buf[offset + 1] = value & 0xff;
  }

  /**
   * Writes a name, ending in a pointer to an earlier occurrence of its longest known suffix, and remembers
   * its own suffixes for later names. Use only where compression is allowed: owner names, the question, and
   * RDATA names of the well-known types NS, CNAME, PTR, SOA (RFC 3597 4).
   */
  compressedName(name: string): void {
    this.writeName(name, true);
  }

  /**
   * Writes a name in full, no pointer (SRV targets, RFC 2782; RDATA of other types, RFC 3597 4). Its
   * suffixes still become targets for later names: pointing into RDATA is allowed, only compressing it is not.
   */
  uncompressedName(name: string): void {
    this.writeName(name, false);
  }

  /** Makes a name already present at `offset` (e.g. the question at 12) a compression target. */
  registerName(name: string, offset: number): void {
    const wire = nameToWire(name);
    const key = lowercaseKey(wire);
    for (let at = 0; wire[at] !== 0; at += wire[at] + 1) this.remember(key.slice(at), offset + at);
  }

  /** A copy of the bytes written, sized exactly. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.used));
  }

  /** Copy of bytes start..end (e.g. a reply tail). */
  slice(start: number, end = this.used): Buffer {
    return Buffer.from(this.buf.subarray(start, end));
  }

  private writeName(name: string, compress: boolean): void {
    const wire = nameToWire(name);
    const key = lowercaseKey(wire);
    let at = 0;
    while (wire[at] !== 0) {
      const suffix = key.slice(at);
      if (compress) {
        const target = this.suffixes.get(suffix);
        if (target !== undefined) {
          this.u16(0xc000 | target);
          return;
        }
      }
      this.remember(suffix, this.used);
      const end = at + wire[at] + 1;
      this.bytes(wire, at, end);
      at = end;
    }
    this.u8(0);
  }

  private remember(suffix: string, offset: number): void {
    if (offset <= MAX_POINTER_OFFSET && !this.suffixes.has(suffix)) this.suffixes.set(suffix, offset);
  }

  private ensure(count: number): void {
    const needed = this.used + count;
    if (needed <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.used);
    this.buf = grown;
  }
}

/** The wire form lowercased, as a string, so that suffixes are map keys (label lengths keep it unambiguous). */
function lowercaseKey(wire: Uint8Array): string {
  let key = '';
  for (let i = 0; i < wire.length - 1; i++) key += String.fromCharCode(ASCII_LOWER[wire[i]]);
  return key;
}
