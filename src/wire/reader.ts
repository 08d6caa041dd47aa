// A bounds-checked cursor over a whole DNS message. Every read that would run past the end, and every
// malformed name, throws WireFormatError (RFC 1035 4.1: the message format; 4.1.4: compression).
import { appendLabelText } from './name.js';
import { HEADER_LENGTH, MAX_NAME_LENGTH } from './types.js';
import { WireFormatError } from './wire-format-error.js';

/** Text of the name being decoded; 4 bytes per octet is the worst case ("\DDD"). */
const nameText = Buffer.allocUnsafe(MAX_NAME_LENGTH * 4 + 4);

export class WireReader {
  /** The whole message: compression pointers are offsets from its first byte. */
  readonly buf: Uint8Array;
  offset: number;

  constructor(buf: Uint8Array, offset = 0) {
    this.buf = buf;
    this.offset = offset;
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.offset++];
  }

  u16(): number {
    this.need(2);
    const b = this.buf;
    const at = this.offset;
    this.offset = at + 2;
    return (b[at] << 8) | b[at + 1];
  }

  u32(): number {
    this.need(4);
    const b = this.buf;
    const at = this.offset;
    this.offset = at + 4;
    return b[at] * 0x1000000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
  }

  /** A view (not a copy) of the next `length` bytes. */
  bytes(length: number): Uint8Array {
    this.need(length);
    const start = this.offset;
    this.offset = start + length;
    return this.buf.subarray(start, start + length);
  }

  skip(length: number): void {
    this.need(length);
    this.offset += length;
  }

  /** A name in its text form, letter case as on the wire. */
  name(): string {
    const length = this.decodeName(false);
    return nameText.toString('latin1', 0, length);
  }

  /** A name in its text form, ASCII letters lowercased (RFC 4343). */
  lowercaseName(): string {
    const length = this.decodeName(true);
    return nameText.toString('latin1', 0, length);
  }

  /** Validates a name (pointers included) and moves past it without building its text. */
  skipName(): void {
    this.decodeName(false, false);
  }

  private need(length: number): void {
    if (this.offset + length > this.buf.length) {
      throw new WireFormatError(`message truncated: ${length} bytes needed`, this.offset);
    }
  }

  /**
   * Walks a name from `this.offset`, following compression pointers (RFC 1035 4.1.4), and leaves
   * `this.offset` just past the name as it sits here. Pointers must point backwards and past the header,
   * which also rules out loops; labels of type 01/10 (RFC 6891 5, RFC 2673, both obsolete) are rejected.
   * Returns the length of the text written to `nameText`.
   */
  private decodeName(lowercase: boolean, buildText = true): number {
    const b = this.buf;
    const end = b.length;
    let at = this.offset;
    let resumeAt = -1;
    let wireLength = 1; // the root octet
    let textLength = 0;
    for (;;) {
      if (at >= end) throw new WireFormatError('name runs past the end of the message', at);
      const length = b[at];
      if (length === 0) {
        at++;
        break;
      }
      const kind = length & 0xc0;
      if (kind === 0xc0) {
        if (at + 1 >= end) throw new WireFormatError('compression pointer truncated', at);
        const target = ((length & 0x3f) << 8) | b[at + 1];
        if (target >= at) throw new WireFormatError('compression pointer does not point backwards', at);
        if (target < HEADER_LENGTH) throw new WireFormatError('compression pointer into the header', at);
        if (resumeAt < 0) resumeAt = at + 2;
        at = target;
        continue;
      }
      if (kind !== 0) throw new WireFormatError(`reserved label type 0x${kind.toString(16)}`, at);
      // A label length is at most 63 here (RFC 1035 2.3.4): the two high bits are clear.
      wireLength += length + 1;
      if (wireLength > MAX_NAME_LENGTH) throw new WireFormatError('name longer than 255 octets', at);
      const labelEnd = at + 1 + length;
      if (labelEnd > end) throw new WireFormatError('label runs past the end of the message', at);
      if (buildText) {
        if (textLength !== 0) nameText[textLength++] = 0x2e;
        textLength = appendLabelText(b, at + 1, labelEnd, lowercase, nameText, textLength);
      }
      at = labelEnd;
    }
    this.offset = resumeAt < 0 ? at : resumeAt;
    return textLength;
  }
}
