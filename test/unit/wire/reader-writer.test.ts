import { describe, expect, it } from 'vitest';
import { WireReader } from '../../../src/wire/reader.js';
import { WireFormatError } from '../../../src/wire/wire-format-error.js';
import { WireWriter } from '../../../src/wire/writer.js';
import { header, labels, packet, u16 } from './packet-bytes.js';

const HEADER = header();

function readName(bytes: number[], at = 12): { name: string; end: number } {
  const reader = new WireReader(packet(HEADER, bytes), at);
  const name = reader.name();
  return { name, end: reader.offset };
}

describe('WireReader', () => {
  it('reads integers big-endian and refuses to run past the end', () => {
    const reader = new WireReader(Uint8Array.from([0x12, 0x34, 0xff, 0xff, 0xff, 0xfe, 7]));
    expect(reader.u16()).toBe(0x1234);
    expect(reader.u32()).toBe(0xfffffffe);
    expect(reader.remaining).toBe(1);
    expect(() => reader.u16()).toThrow(WireFormatError);
    expect(reader.u8()).toBe(7);
    expect(() => reader.u8()).toThrow(/truncated/);
  });

  it('follows a backward pointer and resumes after the pointer, not after the target', () => {
    // 12: "svc.local", 23: "hello" + pointer to 12, 31: next byte
    const bytes = [...labels('svc.local'), 5, ...Buffer.from('hello'), 0xc0, 12, 0x99];
    const { name, end } = readName(bytes, 23);
    expect(name).toBe('hello.svc.local');
    expect(end).toBe(31);
  });

  it('keeps letter case, or lowercases ASCII only on request', () => {
    const reader = new WireReader(packet(HEADER, [2, 0x48, 0xc3, 3, ...Buffer.from('ÄbC', 'latin1'), 0]), 12);
    expect(reader.lowercaseName()).toBe('h\\195.\\196bc');
    reader.offset = 12;
    expect(reader.name()).toBe('H\\195.\\196bC');
  });

  it.each([
    ['pointer to itself (loop)', [0xc0, 12], 12],
    ['pointer loop through two names', [1, 0x61, 0xc0, 16, 1, 0x62, 0xc0, 12], 16],
    ['forward pointer', [0xc0, 14, 0], 12],
    ['pointer into the header', [0xc0, 4], 12],
    ['pointer past the end', [1, 0x61, 0xc0, 0xff], 12],
    ['truncated pointer', [1, 0x61, 0xc0], 12],
    ['reserved label type 0x40 (a "label" of 64)', [0x40, ...new Array(64).fill(0x61), 0], 12],
    ['reserved label type 0x80', [0x80, 0], 12],
    ['label past the end', [5, 0x61, 0x62], 12],
    ['missing root label', [1, 0x61], 12],
  ])('rejects %s', (_what, bytes, start) => {
    expect(() => readName(bytes, start)).toThrow(WireFormatError);
  });

  it('rejects a name over 255 octets, also when built from pointers', () => {
    const long = [...new Array(4)].flatMap(() => [63, ...new Array(63).fill(0x61)]); // 256 octets with the root
    expect(() => readName([...long, 0])).toThrow(/255/);
    // 3 × 64 octets here, then a pointer to a 64 + 1 octet name: 257 in all
    const first = [63, ...new Array(63).fill(0x62), 0];
    const second = [...[...new Array(3)].flatMap(() => [63, ...new Array(63).fill(0x61)]), 0xc0, 12];
    expect(() => readName([...first, ...second], 12 + first.length)).toThrow(/255/);
    expect(readName([...first]).name).toBe('b'.repeat(63));
  });

  it('skipName validates pointers without building text', () => {
    const reader = new WireReader(packet(HEADER, [1, 0x61, 0xc0, 12]), 12);
    expect(() => reader.skipName()).toThrow(WireFormatError);
    const ok = new WireReader(packet(HEADER, [...labels('a.b'), 1, 0x63, 0xc0, 12, ...u16(1)]), 17);
    ok.skipName();
    expect(ok.offset).toBe(21);
  });
});

describe('WireWriter', () => {
  it('compresses a repeated suffix, case-insensitively, with a pointer to its first occurrence', () => {
    const writer = new WireWriter(4); // also exercises growth
    for (let i = 0; i < 12; i++) writer.u8(0);
    writer.compressedName('Hello.Default.svc.cluster.local');
    writer.compressedName('other.default.SVC.cluster.local');
    writer.compressedName('hello.default.svc.cluster.local');
    const bytes = [...writer.toBuffer()];
    const first = labels('Hello.Default.svc.cluster.local');
    expect(bytes.slice(12, 12 + first.length)).toEqual(first);
    // "other" then a pointer to "Default.svc.cluster.local" at 12 + 6
    expect(bytes.slice(12 + first.length)).toEqual([5, ...Buffer.from('other'), 0xc0, 18, 0xc0, 12]);
  });

  it('writes SRV-style names in full but still lets later names point into them', () => {
    const writer = new WireWriter();
    for (let i = 0; i < 12; i++) writer.u8(0);
    writer.compressedName('svc.local');
    const targetAt = writer.length;
    writer.uncompressedName('web-0.svc.local');
    writer.compressedName('web-0.svc.local');
    const bytes = [...writer.toBuffer()];
    expect(bytes.slice(targetAt, targetAt + 17)).toEqual(labels('web-0.svc.local'));
    expect(bytes.slice(targetAt + 17)).toEqual([0xc0, targetAt]);
  });

  it('registerName makes a name already in the buffer a target', () => {
    const writer = new WireWriter();
    writer.registerName('example.org', 12);
    writer.compressedName('www.EXAMPLE.org');
    expect([...writer.toBuffer()]).toEqual([3, ...Buffer.from('www'), 0xc0, 12]);
  });

  it('never points at offsets a 14-bit pointer cannot reach', () => {
    const writer = new WireWriter();
    for (let i = 0; i < 0x4000; i++) writer.u8(0);
    writer.compressedName('far.away');
    writer.compressedName('far.away');
    const tail = [...writer.toBuffer().subarray(0x4000)];
    expect(tail).toEqual([...labels('far.away'), ...labels('far.away')]);
  });

  it('checks integer ranges and patches fields', () => {
    const writer = new WireWriter();
    expect(() => writer.u16(0x10000)).toThrow(WireFormatError);
    expect(() => writer.u32(-1)).toThrow(WireFormatError);
    expect(() => writer.u32(1.5)).toThrow(WireFormatError);
    writer.u16(0);
    writer.u32(0xffffffff);
    writer.patchU16(0, 0xabcd);
    expect([...writer.toBuffer()]).toEqual([0xab, 0xcd, 0xff, 0xff, 0xff, 0xff]);
  });
});
