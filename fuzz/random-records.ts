// Random records of every type the codec models, in the canonical text forms the decoder produces (names as
// escaped text, IPv6 as formatIPv6 prints it), so encode → decode must give back exactly what was generated.
import { createMessage, type Message } from '../src/wire/message.js';
import { appendLabelText, nameToWire } from '../src/wire/name.js';
import { formatIPv4, formatIPv6 } from '../src/wire/ip-address.js';
import { RRClass, RRType, type ResourceRecord } from '../src/wire/types.js';
import type { Prng } from './prng.js';

/** Types with a model in src/wire/rdata.ts. */
export const MODELLED_TYPES = [RRType.A, RRType.AAAA, RRType.NS, RRType.CNAME, RRType.PTR, RRType.TXT, RRType.SRV, RRType.MX, RRType.CAA, RRType.SOA] as const;
/** Types decoded as opaque bytes with their names expanded (rdata.ts NAME_BEARING_LAYOUTS), and their layouts. */
const NAME_BEARING: ReadonlyArray<readonly [number, ReadonlyArray<'u16' | 'name' | 'string' | number>]> = [
  [3, ['name']],
  [14, ['name', 'name']],
  [18, ['u16', 'name']],
  [24, [18, 'name']],
  [26, ['u16', 'name', 'name']],
  [35, ['u16', 'u16', 'string', 'string', 'string', 'name']],
];
const NOT_OPAQUE = new Set<number>([...MODELLED_TYPES, RRType.OPT, 4, 7, 8, 9, 14, 17, 18, 21, 24, 26, 30, 35, 3]);

const scratch = new Uint8Array(64 * 4);
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';

/** A label in the decoder's text form: mostly host-name letters, sometimes any octet (escaped). */
function label(rng: Prng): string {
  const length = rng.chance(0.05) ? 63 : rng.range(1, 12);
  const octets = new Uint8Array(length);
  const wild = rng.chance(0.15);
  for (let i = 0; i < length; i++) octets[i] = wild ? rng.int(256) : LETTERS.charCodeAt(rng.int(LETTERS.length));
  const end = appendLabelText(octets, 0, length, false, scratch, 0);
  return Buffer.from(scratch.subarray(0, end)).toString('latin1');
}

/** A name of at most 255 octets on the wire; sometimes the root, often under a shared suffix (so it compresses). */
export function randomName(rng: Prng, suffixes: readonly string[] = ['svc.cluster.local', 'example.com']): string {
  if (rng.chance(0.03)) return '';
  for (;;) {
    const labels: string[] = [];
    const count = rng.range(1, rng.chance(0.1) ? 40 : 4);
    for (let i = 0; i < count; i++) labels.push(label(rng));
    if (rng.chance(0.6)) labels.push(rng.pick(suffixes));
    const name = labels.join('.');
    try {
      nameToWire(name);
      return name;
    } catch {
      // too long: draw again
    }
  }
}

function randomText(rng: Prng, maxBytes: number): string {
  let text = '';
  const length = rng.int(maxBytes / 4);
  for (let i = 0; i < length; i++) {
    const kind = rng.int(4);
    if (kind === 0) text += String.fromCodePoint(rng.range(0x20, 0x7e));
    else if (kind === 1) text += String.fromCodePoint(rng.range(0, 0x1f));
    else if (kind === 2) text += String.fromCodePoint(rng.chance(0.5) ? rng.range(0x80, 0xd7ff) : rng.range(0xe000, 0xfffd));
    else text += String.fromCodePoint(rng.range(0x10000, 0x10ffff));
  }
  return text;
}

function u32(rng: Prng): number {
  return rng.u32();
}

export function randomRecord(rng: Prng, type: number = randomType(rng)): ResourceRecord {
  const base = { name: randomName(rng), class: rng.chance(0.9) ? RRClass.IN : rng.int(0x10000), ttl: rng.chance(0.5) ? rng.int(86400) : u32(rng) };
  switch (type) {
    case RRType.A:
      return { ...base, type, data: formatIPv4(rng.bytes(4)) };
    case RRType.AAAA:
      return { ...base, type, data: formatIPv6(rng.chance(0.3) ? Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Uint8Array(11), rng.int(256)) : rng.bytes(16)) };
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
      return { ...base, type, data: randomName(rng) } as ResourceRecord;
    case RRType.TXT: {
      const strings: string[] = [];
      const count = rng.range(1, 4);
      for (let i = 0; i < count; i++) strings.push(randomText(rng, 255));
      return { ...base, type, data: strings };
    }
    case RRType.SRV:
      return { ...base, type, data: { priority: rng.int(0x10000), weight: rng.int(0x10000), port: rng.int(0x10000), target: randomName(rng) } };
    case RRType.MX:
      return { ...base, type, data: { preference: rng.int(0x10000), exchange: randomName(rng) } };
    case RRType.CAA: {
      let tag = '';
      const tagLength = rng.range(1, 15);
      for (let i = 0; i < tagLength; i++) tag += LETTERS[rng.int(62)];
      return { ...base, type, data: { flags: rng.int(256), tag, value: randomText(rng, 200) } };
    }
    case RRType.SOA:
      return {
        ...base,
        type,
        data: { mname: randomName(rng), rname: randomName(rng), serial: u32(rng), refresh: u32(rng), retry: u32(rng), expire: u32(rng), minimum: u32(rng) },
      };
    default: {
      const layout = NAME_BEARING.find(([t]) => t === type)?.[1];
      return { ...base, type, data: layout ? nameBearingRdata(rng, layout) : rng.bytes(rng.int(64)) };
    }
  }
}

/** RDATA of a name-bearing opaque type, names written in full as the decoder expands them (RFC 3597 4). */
function nameBearingRdata(rng: Prng, layout: ReadonlyArray<'u16' | 'name' | 'string' | number>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const field of layout) {
    if (field === 'name') parts.push(nameToWire(randomName(rng)));
    else if (field === 'u16') parts.push(rng.bytes(2));
    else if (field === 'string') {
      const length = rng.int(20);
      parts.push(Uint8Array.of(length, ...rng.bytes(length)));
    } else parts.push(rng.bytes(field));
  }
  parts.push(rng.bytes(rng.int(8)));
  return Buffer.concat(parts);
}

export function randomType(rng: Prng): number {
  const roll = rng.int(10);
  if (roll < 7) return rng.pick(MODELLED_TYPES);
  if (roll < 8) return rng.pick(NAME_BEARING)[0];
  for (;;) {
    const type = rng.chance(0.5) ? rng.range(1, 300) : rng.int(0x10000);
    if (!NOT_OPAQUE.has(type)) return type;
  }
}

/** EDNS options seen in the wild: cookies (RFC 7873), padding (RFC 7830), client subnet (RFC 7871), unknown codes. */
export function randomEdnsOptions(rng: Prng): { code: number; data: Uint8Array }[] {
  const options: { code: number; data: Uint8Array }[] = [];
  const count = rng.int(4);
  for (let i = 0; i < count; i++) {
    const kind = rng.int(4);
    if (kind === 0) options.push({ code: 10, data: rng.bytes(rng.chance(0.5) ? 8 : 24) });
    else if (kind === 1) options.push({ code: 12, data: new Uint8Array(rng.int(128)) });
    else if (kind === 2) options.push({ code: 8, data: Uint8Array.of(0, 1, 24, 0, 10, 0, 0) });
    else options.push({ code: rng.int(0x10000), data: rng.bytes(rng.int(32)) });
  }
  return options;
}

/** A whole message: any header flags, a question or more, records in every section, EDNS sometimes. */
export function randomMessage(rng: Prng): Message {
  const section = () => Array.from({ length: rng.int(4) }, () => randomRecord(rng));
  const edns = rng.chance(0.6)
    ? { udpSize: rng.pick([512, 1232, 4096, rng.int(0x10000)]), version: rng.chance(0.9) ? 0 : rng.int(256), dnssecOk: rng.chance(0.3), options: randomEdnsOptions(rng) }
    : null;
  return createMessage({
    id: rng.int(0x10000),
    qr: rng.chance(0.5),
    opcode: rng.chance(0.9) ? 0 : rng.int(16),
    aa: rng.chance(0.5),
    tc: rng.chance(0.2),
    rd: rng.chance(0.5),
    ra: rng.chance(0.5),
    ad: rng.chance(0.2),
    cd: rng.chance(0.2),
    rcode: edns ? rng.pick([0, 1, 2, 3, 5, 16, rng.int(0x1000)]) : rng.int(16),
    questions: Array.from({ length: rng.chance(0.9) ? 1 : rng.int(3) }, () => ({ name: randomName(rng), type: randomType(rng), class: rng.chance(0.9) ? 1 : rng.int(0x10000) })),
    answers: section(),
    authorities: section(),
    additionals: section(),
    edns,
  });
}
