// RDATA in master-file text (RFC 1035 5.1 and 3.3, RFC 3596, RFC 2782, RFC 8659 4.1), read into the record
// model; any type in the RFC 3597 §5 generic form "\# <length> <hex>", known types included.
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../wire/ip-address.js';
import { typeName } from '../wire/presentation.js';
import { readRdata } from '../wire/rdata.js';
import { WireReader } from '../wire/reader.js';
import { RRType, type ResourceRecord } from '../wire/types.js';
import { WireFormatError } from '../wire/wire-format-error.js';
import { decodeEscapes, type Token } from './lexer.js';
import { parseTtl } from './ttl.js';
import { resolveName } from './zone-names.js';
import { ZoneFileError } from './zone-file-error.js';

/** Types the parser reads in their own presentation form; every other type needs the generic form. */
export const TEXT_TYPES: ReadonlySet<number> = new Set([
  RRType.A,
  RRType.AAAA,
  RRType.NS,
  RRType.CNAME,
  RRType.PTR,
  RRType.MX,
  RRType.TXT,
  RRType.SRV,
  RRType.SOA,
  RRType.CAA,
]);

// ignoreBOM: octets EF BB BF at the start of a string are data, not a byte-order mark to drop.
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads the RDATA tokens of one record; a missing field is reported just after the entry's last token. */
export function parseRdata(type: number, typeToken: Token, tokens: Token[], origin: string): ResourceRecord['data'] {
  const fields = new FieldReader(typeToken, tokens);
  if (tokens.length > 0 && !tokens[0].quoted && tokens[0].text === '\\#') return genericRdata(type, fields);
  let data: ResourceRecord['data'];
  switch (type) {
    case RRType.A: {
      const token = fields.next('an IPv4 address');
      const bytes = parseIPv4(token.text);
      if (!bytes) throw at(token, `"${token.text}" is not an IPv4 address`);
      data = formatIPv4(bytes);
      break;
    }
    case RRType.AAAA: {
      const token = fields.next('an IPv6 address');
      const bytes = parseIPv6(token.text);
      if (!bytes) throw at(token, `"${token.text}" is not an IPv6 address`);
      data = formatIPv6(bytes);
      break;
    }
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
      data = resolveName(fields.next('a domain name'), origin);
      break;
    case RRType.MX:
      data = { preference: fields.u16('a preference'), exchange: resolveName(fields.next('an exchange name'), origin) };
      break;
    case RRType.SRV:
      data = {
        priority: fields.u16('a priority'),
        weight: fields.u16('a weight'),
        port: fields.u16('a port'),
        target: resolveName(fields.next('a target name'), origin),
      };
      break;
    case RRType.SOA:
      data = {
        mname: resolveName(fields.next('the primary server name (MNAME)'), origin),
        rname: resolveName(fields.next('the mailbox name (RNAME)'), origin),
        serial: fields.u32('a serial'),
        refresh: fields.ttl('a refresh interval'),
        retry: fields.ttl('a retry interval'),
        expire: fields.ttl('an expire interval'),
        minimum: fields.ttl('a minimum TTL'),
      };
      break;
    case RRType.TXT:
      return txtRdata(fields);
    case RRType.CAA: {
      const flags = fields.u8('flags');
      const tagToken = fields.next('a tag');
      if (!/^[A-Za-z0-9]{1,15}$/.test(tagToken.text)) throw at(tagToken, `CAA tag "${tagToken.text}" must be 1-15 letters or digits (RFC 8659 4.1)`);
      const valueToken = fields.next('a value');
      const value = decodeEscapes(valueToken);
      const text = utf8OrNull(value);
      if (text === null) {
        // The model holds CAA values as text: other octets travel as opaque RDATA.
        const tag = Buffer.from(tagToken.text, 'latin1');
        data = Buffer.concat([Uint8Array.from([flags, tag.length]), tag, value]);
      } else {
        data = { flags, tag: tagToken.text.toLowerCase(), value: text };
      }
      break;
    }
    default:
      throw at(typeToken, `type ${typeToken.text} is written in the generic form "\\# <length> <hex>" (RFC 3597 5)`);
  }
  fields.end();
  return data;
}

/** One record's RDATA fields in order, with errors that point at the field or the end of the entry. */
class FieldReader {
  private at = 0;
  constructor(
    private readonly typeToken: Token,
    private readonly tokens: Token[],
  ) {}

  get remaining(): number {
    return this.tokens.length - this.at;
  }

  next(what: string): Token {
    const token = this.tokens[this.at];
    if (token === undefined) {
      const last = this.tokens[this.tokens.length - 1] ?? this.typeToken;
      throw new ZoneFileError(`${this.typeToken.text} needs ${what}`, last.line, last.column + last.text.length + (last.quoted ? 2 : 0));
    }
    this.at++;
    return token;
  }

  /** Every remaining token, at least one. */
  all(what: string): Token[] {
    this.next(what);
    this.at--;
    return this.rest();
  }

  rest(): Token[] {
    const rest = this.tokens.slice(this.at);
    this.at = this.tokens.length;
    return rest;
  }

  u8(what: string): number {
    return this.integer(what, 0xff);
  }

  u16(what: string): number {
    return this.integer(what, 0xffff);
  }

  u32(what: string): number {
    return this.integer(what, 0xffffffff);
  }

  ttl(what: string): number {
    const token = this.next(what);
    return parseTtl(token);
  }

  end(): void {
    const extra = this.tokens[this.at];
    if (extra !== undefined) throw at(extra, `unexpected "${extra.text}" after the ${this.typeToken.text} data`);
  }

  private integer(what: string, max: number): number {
    const token = this.next(what);
    if (token.quoted || !/^[0-9]+$/.test(token.text) || Number(token.text) > max) {
      throw at(token, `${this.typeToken.text} needs ${what} from 0 to ${max}, not "${token.text}"`);
    }
    return Number(token.text);
  }
}

/** TXT: one or more character-strings (RFC 1035 3.3.14); one longer than 255 octets is split on the wire. */
function txtRdata(fields: FieldReader): ResourceRecord['data'] {
  const strings = fields.all('at least one character-string').map(decodeEscapes);
  const texts = strings.map(utf8OrNull);
  if (texts.every((text): text is string => text !== null)) return texts;
  // Octets that are not UTF-8: the model's TXT is text, so these travel as opaque RDATA.
  const parts: Uint8Array[] = [];
  for (const bytes of strings) {
    if (bytes.length === 0) parts.push(Uint8Array.of(0));
    for (let i = 0; i < bytes.length; i += 255) {
      const chunk = bytes.subarray(i, i + 255);
      parts.push(Uint8Array.of(chunk.length), chunk);
    }
  }
  return Buffer.concat(parts);
}

/** RFC 3597 5: "\#", the RDATA length in decimal, then the RDATA in hex (any grouping). */
function genericRdata(type: number, fields: FieldReader): ResourceRecord['data'] {
  fields.next('\\#');
  const lengthToken = fields.next('the RDATA length');
  if (!/^[0-9]+$/.test(lengthToken.text) || Number(lengthToken.text) > 0xffff) {
    throw at(lengthToken, `"${lengthToken.text}" is not an RDATA length (0-65535)`);
  }
  const length = Number(lengthToken.text);
  const hexTokens = fields.rest();
  const hex = hexTokens.map((token) => token.text).join('');
  if (!/^([0-9a-fA-F]{2})*$/.test(hex) || hexTokens.some((token) => token.quoted)) {
    throw at(hexTokens[0] ?? lengthToken, 'the RDATA must be hexadecimal octets (RFC 3597 5)');
  }
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length !== length) throw at(lengthToken, `the length says ${length} octets but the hex holds ${bytes.length}`);
  if (!TEXT_TYPES.has(type)) return new Uint8Array(bytes);
  // A known type in generic form means the same as its own form: read it into the model.
  try {
    return readRdata(new WireReader(bytes), type, bytes.length);
  } catch (err) {
    if (err instanceof WireFormatError) throw at(lengthToken, `the RDATA is not a valid ${typeName(type)}: ${err.message}`);
    throw err;
  }
}

function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    return null;
  }
}

function at(token: Token, reason: string): ZoneFileError {
  return new ZoneFileError(reason, token.line, token.column);
}
