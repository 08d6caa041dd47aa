// Hand-built packets for codec tests: every byte visible, nothing produced by the code under test.

export function u16(value: number): number[] {
  return [value >> 8, value & 0xff];
}

export function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** Uncompressed wire name: "a.b" → 1 'a' 1 'b' 0. */
export function labels(name: string): number[] {
  const out: number[] = [];
  if (name !== '') {
    for (const label of name.split('.')) out.push(label.length, ...Buffer.from(label, 'latin1'));
  }
  out.push(0);
  return out;
}

export interface HeaderFields {
  id?: number;
  flags?: number;
  qd?: number;
  an?: number;
  ns?: number;
  ar?: number;
}

export function header(fields: HeaderFields = {}): number[] {
  const { id = 0x1234, flags = 0x0100, qd = 1, an = 0, ns = 0, ar = 0 } = fields;
  return [...u16(id), ...u16(flags), ...u16(qd), ...u16(an), ...u16(ns), ...u16(ar)];
}

export function question(name: string, type = 1, cls = 1): number[] {
  return [...labels(name), ...u16(type), ...u16(cls)];
}

/** An OPT RR: root owner (or the given owner bytes), payload size, ttl fields, options bytes. */
export function opt(
  options: { udpSize?: number; version?: number; dnssecOk?: boolean; owner?: number[]; rdata?: number[] } = {},
): number[] {
  const { udpSize = 1232, version = 0, dnssecOk = false, owner = [0], rdata = [] } = options;
  return [...owner, ...u16(41), ...u16(udpSize), 0, version, dnssecOk ? 0x80 : 0, 0, ...u16(rdata.length), ...rdata];
}

export function packet(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

export { seededRandom } from '../../helpers/seeded-random.js';
