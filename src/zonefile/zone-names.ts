// Domain names as a zone file writes them (RFC 1035 5.1: "@", relative names completed with the origin,
// absolute names ending in "."), brought to the record model's text form: absolute, no trailing dot,
// one spelling per wire name (the codec's escapes), owners lowercased for lookups (RFC 4343).
import { nameToWire } from '../wire/name.js';
import { WireReader } from '../wire/reader.js';
import { WireFormatError } from '../wire/wire-format-error.js';
import type { Token } from './lexer.js';
import { ZoneFileError } from './zone-file-error.js';

/** The name a token stands for, relative names completed with `origin`; letter case kept. */
export function resolveName(token: Token, origin: string): string {
  const text = token.text;
  if (token.quoted) throw new ZoneFileError('a domain name is not a quoted string', token.line, token.column);
  if (text === '@') return origin;
  let full: string;
  if (endsWithUnescapedDot(text)) full = text === '.' ? '' : text.slice(0, -1);
  else full = origin === '' ? text : `${text}.${origin}`;
  try {
    return canonicalName(full, false);
  } catch (err) {
    if (err instanceof WireFormatError) throw new ZoneFileError(`bad domain name "${text}": ${err.message}`, token.line, token.column);
    throw err;
  }
}

/** The codec's text form of a name (escapes normalized), lowercased when asked. Throws WireFormatError. */
export function canonicalName(name: string, lowercase: boolean): string {
  const reader = new WireReader(withHeader(nameToWire(name)), HEADER_PAD);
  return lowercase ? reader.lowercaseName() : reader.name();
}

/** The reader refuses pointers into a message header; a plain name carries none, so any padding works. */
const HEADER_PAD = 12;

function withHeader(wire: Uint8Array): Uint8Array {
  const buf = new Uint8Array(HEADER_PAD + wire.length);
  buf.set(wire, HEADER_PAD);
  return buf;
}

function endsWithUnescapedDot(text: string): boolean {
  if (!text.endsWith('.')) return false;
  let backslashes = 0;
  for (let i = text.length - 2; i >= 0 && text.charCodeAt(i) === 0x5c; i--) backslashes++;
  return backslashes % 2 === 0;
}

/** Index where the first label ends (its separating dot), or -1 for a single label. Skips escapes. */
function firstDot(name: string): number {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code === 0x5c) i++;
    else if (code === 0x2e) return i;
  }
  return -1;
}

/** The name one label up; the root for a single label; null for the root. */
export function parentName(name: string): string | null {
  if (name === '') return null;
  const dot = firstDot(name);
  return dot === -1 ? '' : name.slice(dot + 1);
}

/** The first label of a name, as written. */
export function firstLabel(name: string): string {
  const dot = firstDot(name);
  return dot === -1 ? name : name.slice(0, dot);
}

/** True when `name` is `zone` or below it (both lowercase text form). */
export function isInZone(name: string, zone: string): boolean {
  if (zone === '' || name === zone) return true;
  if (name.length <= zone.length || !name.endsWith(zone)) return false;
  // The character before the zone must be a dot that separates labels, not an escaped one ("a\.zone").
  const at = name.length - zone.length - 1;
  if (name.charCodeAt(at) !== 0x2e) return false;
  let backslashes = 0;
  for (let i = at - 1; i >= 0 && name.charCodeAt(i) === 0x5c; i--) backslashes++;
  return backslashes % 2 === 0;
}
