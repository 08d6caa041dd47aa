// Domain names between their text form (as the record model holds them) and their wire form.
// Text form: absolute, no trailing dot, "" for the root; a label octet that is '.', '\' or not printable
// ASCII is escaped as in master files (RFC 1035 5.1: "\." "\\" "\DDD"), so every wire name has exactly one
// text form and labels containing dots cannot be confused with two labels. Non-ASCII characters in text are
// encoded as UTF-8 octets.
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from './types.js';
import { WireFormatError } from './wire-format-error.js';

const BACKSLASH = 0x5c;
const DOT = 0x2e;

/** How an octet is written in text: 0 as itself, 1 as "\c", 2 as "\DDD". */
export const OCTET_ESCAPE = new Uint8Array(256);
for (let octet = 0; octet < 256; octet++) {
  if (octet <= 0x20 || octet >= 0x7f) OCTET_ESCAPE[octet] = 2;
  else if (octet === DOT || octet === BACKSLASH) OCTET_ESCAPE[octet] = 1;
}

/**
 * A name as the index and the handlers compare it: lower-case, without the trailing dot of an absolute
 * name (RFC 4343: DNS names compare case-insensitively).
 */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** ASCII-only lower-casing (RFC 4343: only A-Z are case-folded). */
export const ASCII_LOWER = new Uint8Array(256);
for (let octet = 0; octet < 256; octet++) ASCII_LOWER[octet] = octet >= 0x41 && octet <= 0x5a ? octet + 0x20 : octet;

/**
 * Appends the text form of one label's octets to `out` at `at`; returns the new end. `out` must have room
 * for 4 bytes per octet.
 */
export function appendLabelText(
  source: Uint8Array,
  start: number,
  end: number,
  lowercase: boolean,
  out: Uint8Array,
  at: number,
): number {
  for (let i = start; i < end; i++) {
    const octet = source[i];
    const escape = OCTET_ESCAPE[octet];
    if (escape === 0) {
      out[at++] = lowercase ? ASCII_LOWER[octet] : octet;
    } else if (escape === 1) {
      out[at++] = BACKSLASH;
      out[at++] = octet;
    } else {
      out[at++] = BACKSLASH;
      out[at++] = 0x30 + ((octet / 100) | 0);
      out[at++] = 0x30 + (((octet / 10) | 0) % 10);
      out[at++] = 0x30 + (octet % 10);
    }
  }
  return at;
}

const encodeScratch = new Uint8Array(MAX_NAME_LENGTH + 4 * 4);

/**
 * The wire form of a text name: length-prefixed labels ending with the root octet (RFC 1035 3.1).
 * A trailing dot is accepted ("a.b." = "a.b"); "" and "." are the root. Throws WireFormatError on an empty
 * label, a label over 63 octets or a name over 255 octets.
 */
export function nameToWire(name: string): Uint8Array {
  const out = encodeScratch;
  let length = 1; // out[0] is the first label's length octet
  let labelStart = 0;
  const textLength = name.length;
  if (textLength === 0 || (textLength === 1 && name.charCodeAt(0) === DOT)) return new Uint8Array(1);
  for (let i = 0; i < textLength; i++) {
    let code = name.charCodeAt(i);
    if (code === DOT) {
      const labelLength = length - labelStart - 1;
      if (labelLength === 0) throw new WireFormatError(`empty label in name "${name}"`, i);
      out[labelStart] = labelLength;
      labelStart = length;
      length++;
      if (i === textLength - 1) {
        length--; // trailing dot: the root octet below closes the name
      }
      continue;
    }
    if (code === BACKSLASH) {
      i++;
      if (i >= textLength) throw new WireFormatError(`dangling escape in name "${name}"`, i);
      code = name.charCodeAt(i);
      if (code >= 0x30 && code <= 0x39) {
        const digits = name.slice(i, i + 3);
        if (!/^[0-9]{3}$/.test(digits) || Number(digits) > 255) {
          throw new WireFormatError(`bad \\DDD escape in name "${name}"`, i);
        }
        code = Number(digits);
        i += 2;
      }
      length = pushOctet(out, length, labelStart, code, name);
    } else if (code < 0x80) {
      length = pushOctet(out, length, labelStart, code, name);
    } else {
      // UTF-8 (RFC 3629); a lone surrogate becomes U+FFFD as TextEncoder would.
      let point = name.codePointAt(i) as number;
      if (point > 0xffff) i++;
      else if (point >= 0xd800 && point <= 0xdfff) point = 0xfffd;
      if (point < 0x800) {
        length = pushOctet(out, length, labelStart, 0xc0 | (point >> 6), name);
      } else if (point < 0x10000) {
        length = pushOctet(out, length, labelStart, 0xe0 | (point >> 12), name);
        length = pushOctet(out, length, labelStart, 0x80 | ((point >> 6) & 0x3f), name);
      } else {
        length = pushOctet(out, length, labelStart, 0xf0 | (point >> 18), name);
        length = pushOctet(out, length, labelStart, 0x80 | ((point >> 12) & 0x3f), name);
        length = pushOctet(out, length, labelStart, 0x80 | ((point >> 6) & 0x3f), name);
      }
      length = pushOctet(out, length, labelStart, 0x80 | (point & 0x3f), name);
    }
  }
  if (labelStart !== length) {
    out[labelStart] = length - labelStart - 1; // close the last label
  } else {
    length = labelStart; // ended with a dot
  }
  if (length + 1 > MAX_NAME_LENGTH) throw new WireFormatError(`name longer than 255 octets: "${name}"`, 0);
  out[length++] = 0;
  return out.slice(0, length);
}

function pushOctet(out: Uint8Array, length: number, labelStart: number, octet: number, name: string): number {
  if (length - labelStart > MAX_LABEL_LENGTH) throw new WireFormatError(`label longer than 63 octets in "${name}"`, 0);
  if (length >= MAX_NAME_LENGTH) throw new WireFormatError(`name longer than 255 octets: "${name}"`, 0);
  out[length] = octet;
  return length + 1;
}

/** Length of a name's wire form without compression. */
export function wireLength(name: string): number {
  return nameToWire(name).length;
}
