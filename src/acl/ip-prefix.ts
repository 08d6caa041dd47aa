// CIDR prefixes (RFC 4632 for IPv4, RFC 4291 2.3 for IPv6) parsed once, and a set of them that tells whether a
// client's source address is inside. IPv4-mapped IPv6 sources (a dual-stack socket) match IPv4 prefixes, as
// Go's net.IP does in CoreDNS's acl.
import { parseIPv4Into, parseIPv6 } from '../wire/ip-address.js';

export interface IpPrefix {
  family: 4 | 6;
  /** The address as 32-bit words (1 for IPv4, 4 for IPv6), host bits cleared. */
  words: Uint32Array;
  length: number;
  /** As written, for logs and errors. */
  text: string;
}

/** `10.0.0.0/8`, `fd00::/8`, or one address (`/32`, `/128`, as CoreDNS's acl normalizes it); null when neither. */
export function parseIpPrefix(text: string): IpPrefix | null {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const v4 = new Uint8Array(4);
  let family: 4 | 6;
  let bytes: Uint8Array;
  if (parseIPv4Into(address, v4, 0)) {
    family = 4;
    bytes = v4;
  } else {
    const v6 = parseIPv6(address);
    if (v6 === null) return null;
    family = 6;
    bytes = v6;
  }
  const max = family === 4 ? 32 : 128;
  const lengthText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > max) return null;
  const length = Number(lengthText);
  const words = wordsOf(bytes);
  for (let i = 0; i < words.length; i++) words[i] = (words[i] & wordMask(length - i * 32)) >>> 0;
  return { family, words, length, text };
}

/** The mask of a word whose first `bits` bits (clamped to 0..32) are the prefix. */
function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

function wordsOf(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < words.length; i++) {
    words[i] = ((bytes[i * 4] << 24) | (bytes[i * 4 + 1] << 16) | (bytes[i * 4 + 2] << 8) | bytes[i * 4 + 3]) >>> 0;
  }
  return words;
}

/** The IPv4 address of `text` as one 32-bit number, without allocating (the per-query path); -1 when not IPv4. */
function ipv4Word(text: string, from: number): number {
  let word = 0;
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = from; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (code === 0x2e) {
      if (digits === 0 || part > 3) return -1;
      word = word * 256 + value;
      part++;
      value = 0;
      digits = 0;
    } else if (code >= 0x30 && code <= 0x39 && digits < 3) {
      value = value * 10 + (code - 0x30);
      if (value > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  return part === 4 ? word : -1;
}

const MAPPED_PREFIX = '::ffff:';

/** Prefixes of both families; `contains` answers for a source address as the socket reports it. */
export class IpPrefixSet {
  private readonly v4: Array<{ word: number; mask: number }> = [];
  private readonly v6: Array<{ words: Uint32Array; masks: Uint32Array }> = [];

  constructor(readonly prefixes: readonly IpPrefix[]) {
    for (const prefix of prefixes) {
      if (prefix.family === 4) this.v4.push({ word: prefix.words[0], mask: wordMask(prefix.length) });
      else this.v6.push({ words: prefix.words, masks: Uint32Array.from([0, 1, 2, 3], (i) => wordMask(prefix.length - i * 32)) });
    }
  }

  /** Every address of both families (CoreDNS's `net *`). */
  static everything(): IpPrefixSet {
    return new IpPrefixSet([parseIpPrefix('0.0.0.0/0')!, parseIpPrefix('::/0')!]);
  }

  /** Whether `address` (an IP literal from the socket; an IPv6 zone id is ignored) is in one of the prefixes. */
  contains(address: string): boolean {
    const mapped = address.charCodeAt(0) === 0x3a && address.length > MAPPED_PREFIX.length && address.slice(0, MAPPED_PREFIX.length).toLowerCase() === MAPPED_PREFIX;
    const v4 = ipv4Word(address, mapped ? MAPPED_PREFIX.length : 0);
    if (v4 >= 0) {
      for (const { word, mask } of this.v4) if (((v4 & mask) >>> 0) === word) return true;
      return false;
    }
    if (this.v6.length === 0) return false;
    const percent = address.indexOf('%');
    const bytes = parseIPv6(percent < 0 ? address : address.slice(0, percent));
    if (bytes === null) return false;
    const words = wordsOf(bytes);
    for (const prefix of this.v6) {
      if (
        ((words[0] & prefix.masks[0]) >>> 0) === prefix.words[0] &&
        ((words[1] & prefix.masks[1]) >>> 0) === prefix.words[1] &&
        ((words[2] & prefix.masks[2]) >>> 0) === prefix.words[2] &&
        ((words[3] & prefix.masks[3]) >>> 0) === prefix.words[3]
      ) {
        return true;
      }
    }
    return false;
  }
}
