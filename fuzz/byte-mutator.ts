// Mutations of DNS messages, each aimed at one way a decoder goes wrong: flipped bits, bytes added or lost
// (RFC 1035 4.1 framing), counts and RDLENGTHs that lie (4.1.1, 4.1.3), compression pointers that point
// forwards, into the header, at themselves or past the end (4.1.4), two messages spliced into one.
import type { Prng } from './prng.js';

export type ByteMutation = (input: Uint8Array, rng: Prng, other: Uint8Array) => Uint8Array;

/** Values that sit on boundaries a decoder tests: label and pointer bits, maximum lengths. */
const INTERESTING_BYTES = [0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xc1, 0xff];
const INTERESTING_U16 = [0, 1, 2, 11, 12, 41, 255, 256, 512, 0x3fff, 0x7fff, 0x8000, 0xc00c, 0xffff];

function bitFlip(input: Uint8Array, rng: Prng): Uint8Array {
  if (input.length === 0) return input;
  const out = Uint8Array.from(input);
  const flips = rng.range(1, 4);
  for (let i = 0; i < flips; i++) out[rng.int(out.length)] ^= 1 << rng.int(8);
  return out;
}

function interestingByte(input: Uint8Array, rng: Prng): Uint8Array {
  if (input.length === 0) return input;
  const out = Uint8Array.from(input);
  out[rng.int(out.length)] = rng.pick(INTERESTING_BYTES);
  return out;
}

function insertBytes(input: Uint8Array, rng: Prng): Uint8Array {
  const at = rng.int(input.length + 1);
  const added = rng.chance(0.5) ? rng.bytes(rng.range(1, 8)) : Uint8Array.of(rng.pick(INTERESTING_BYTES));
  return concat(input.subarray(0, at), added, input.subarray(at));
}

function deleteBytes(input: Uint8Array, rng: Prng): Uint8Array {
  if (input.length === 0) return input;
  const at = rng.int(input.length);
  const count = rng.range(1, Math.min(16, input.length - at));
  return concat(input.subarray(0, at), input.subarray(at + count));
}

function truncate(input: Uint8Array, rng: Prng): Uint8Array {
  return input.subarray(0, rng.int(input.length + 1));
}

function duplicateRange(input: Uint8Array, rng: Prng): Uint8Array {
  if (input.length === 0) return input;
  const start = rng.int(input.length);
  const end = start + rng.range(1, Math.min(32, input.length - start));
  const at = rng.int(input.length + 1);
  return concat(input.subarray(0, at), input.subarray(start, end), input.subarray(at));
}

/** QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT (RFC 1035 4.1.1) off by a little or a lot. */
function headerCount(input: Uint8Array, rng: Prng): Uint8Array {
  if (input.length < 12) return input;
  const out = Uint8Array.from(input);
  const at = 4 + 2 * rng.int(4);
  const current = (out[at] << 8) | out[at + 1];
  const value = rng.chance(0.5) ? (current + rng.pick([-1, 1, 2, -2]) + 0x10000) & 0xffff : rng.pick(INTERESTING_U16);
  out[at] = value >>> 8;
  out[at + 1] = value & 0xff;
  return out;
}

/** Any 16-bit field (an RDLENGTH, an option length, a TYPE) nudged or replaced. */
function lengthField(input: Uint8Array, rng: Prng): Uint8Array {
  if (input.length < 2) return input;
  const out = Uint8Array.from(input);
  const at = rng.int(out.length - 1);
  const current = (out[at] << 8) | out[at + 1];
  const value = rng.chance(0.6) ? (current + rng.range(-3, 3) + 0x10000) & 0xffff : rng.pick(INTERESTING_U16);
  out[at] = value >>> 8;
  out[at + 1] = value & 0xff;
  return out;
}

/** A compression pointer retargeted (forwards, at itself, into the header, far away) or planted anywhere. */
function pointer(input: Uint8Array, rng: Prng): Uint8Array {
  const out = Uint8Array.from(input);
  const pointers: number[] = [];
  for (let i = 12; i + 1 < out.length; i++) if ((out[i] & 0xc0) === 0xc0) pointers.push(i);
  const at = pointers.length > 0 && rng.chance(0.7) ? rng.pick(pointers) : 12 + rng.int(Math.max(1, out.length - 13));
  if (at + 1 >= out.length) return out;
  const target = rng.pick([at, at + 1, at - 1, 0, 11, 12, rng.int(out.length + 4), 0x3fff, at - 2]);
  const clamped = Math.max(0, target) & 0x3fff;
  out[at] = 0xc0 | (clamped >>> 8);
  out[at + 1] = clamped & 0xff;
  return out;
}

/** The head of this message glued to the tail of another: sections that belong to neither. */
function splice(input: Uint8Array, rng: Prng, other: Uint8Array): Uint8Array {
  return concat(input.subarray(0, rng.int(input.length + 1)), other.subarray(rng.int(other.length + 1)));
}

/** A header that claims a question and records, followed by noise. */
function randomMessage(_input: Uint8Array, rng: Prng): Uint8Array {
  const header = Uint8Array.of(rng.int(256), rng.int(256), rng.pick([0x00, 0x01, 0x80, 0x28]), rng.int(256), 0, rng.pick([0, 1, 2]), 0, rng.int(3), 0, rng.int(3), 0, rng.int(3));
  return concat(header, rng.bytes(rng.int(96)));
}

export const BYTE_MUTATIONS: ReadonlyArray<readonly [string, ByteMutation]> = [
  ['bit-flip', bitFlip],
  ['interesting-byte', interestingByte],
  ['insert', insertBytes],
  ['delete', deleteBytes],
  ['truncate', truncate],
  ['duplicate', duplicateRange],
  ['header-count', headerCount],
  ['length-field', lengthField],
  ['pointer', pointer],
  ['splice', splice],
  ['random', randomMessage],
];

/** One to four stacked mutations of a seed picked from the corpus. */
export function mutatePacket(corpus: readonly Uint8Array[], rng: Prng): Uint8Array {
  let out = rng.pick(corpus);
  const rounds = rng.range(1, 4);
  for (let i = 0; i < rounds; i++) out = rng.pick(BYTE_MUTATIONS)[1](out, rng, rng.pick(corpus));
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
