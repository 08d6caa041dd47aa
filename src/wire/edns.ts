// The EDNS(0) OPT pseudo-RR (RFC 6891 6.1.2): owner root, TYPE 41, CLASS = requestor's UDP payload size,
// TTL = extended RCODE (high 8 bits of 12) | VERSION | DO (RFC 3225) | Z, RDATA = {code, length, data}*.
import { RRType } from './types.js';
import { WireFormatError } from './wire-format-error.js';
import type { WireWriter } from './writer.js';

/** DNSSEC OK, the top bit of the TTL's low 16 bits (RFC 3225 3). */
export const DO_BIT = 0x8000;

/** Bytes of an OPT RR with no options: root (1), type, class, ttl (4), rdlength. */
export const EMPTY_OPT_LENGTH = 11;

export interface EdnsOption {
  code: number;
  data: Uint8Array;
}

export interface OptTtlFields {
  /** The upper 8 bits of the 12-bit RCODE (RFC 6891 6.1.3). */
  extendedRcode: number;
  version: number;
  dnssecOk: boolean;
}

export function readOptTtl(ttl: number): OptTtlFields {
  return { extendedRcode: ttl >>> 24, version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & DO_BIT) !== 0 };
}

/** The OPT TTL for a reply carrying the full (12-bit) `rcode`. */
export function optTtl(rcode: number, version: number, dnssecOk: boolean): number {
  return ((rcode >>> 4) & 0xff) * 0x1000000 + ((version & 0xff) << 16) + (dnssecOk ? DO_BIT : 0);
}

/** Writes an option-less OPT RR at `buf[at]` (the hot path); returns the offset after it. */
export function writeEmptyOpt(buf: Uint8Array, at: number, udpSize: number, rcode: number, dnssecOk: boolean): number {
  buf[at] = 0; // root owner
  buf[at + 1] = 0;
  buf[at + 2] = RRType.OPT;
  buf[at + 3] = udpSize >>> 8;
  buf[at + 4] = udpSize & 0xff;
  buf[at + 5] = (rcode >>> 4) & 0xff;
  buf[at + 6] = 0; // version 0
  buf[at + 7] = dnssecOk ? DO_BIT >>> 8 : 0;
  buf[at + 8] = 0;
  buf[at + 9] = 0; // rdlength 0
  buf[at + 10] = 0;
  return at + EMPTY_OPT_LENGTH;
}

export function writeOptions(writer: WireWriter, options: readonly EdnsOption[]): void {
  for (const option of options) {
    writer.u16(option.code);
    writer.u16(option.data.length);
    writer.bytes(option.data);
  }
}

/** Options of an OPT RDATA; throws when an option runs past it (RFC 6891 6.1.2). */
export function readOptions(rdata: Uint8Array, offset: number): EdnsOption[] {
  const options: EdnsOption[] = [];
  let at = 0;
  while (at < rdata.length) {
    if (at + 4 > rdata.length) throw new WireFormatError('truncated EDNS option header', offset + at);
    const code = (rdata[at] << 8) | rdata[at + 1];
    const length = (rdata[at + 2] << 8) | rdata[at + 3];
    at += 4;
    if (at + length > rdata.length) throw new WireFormatError('EDNS option runs past RDATA', offset + at);
    options.push({ code, data: rdata.slice(at, at + length) });
    at += length;
  }
  return options;
}

/** Checks option framing without copying anything (parseQuery). */
export function validateOptions(buf: Uint8Array, start: number, end: number): void {
  let at = start;
  while (at < end) {
    if (at + 4 > end) throw new WireFormatError('truncated EDNS option header', at);
    at += 4 + ((buf[at + 2] << 8) | buf[at + 3]);
    if (at > end) throw new WireFormatError('EDNS option runs past RDATA', at);
  }
}
