// DNS wire-level constants and the record model shared by every layer.
// wire/ imports nothing from the rest of src/ (see docs/architecture.md "Layers").

/** RR TYPE values (RFC 1035 3.2.2, RFC 3596, RFC 2782, RFC 6891, RFC 1995, RFC 5936, RFC 8659). */
export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
  CAA: 257,
} as const;

/** CLASS values (RFC 1035 3.2.4). */
export const RRClass = { IN: 1, CH: 3, NONE: 254, ANY: 255 } as const;

/** RCODE values (RFC 1035 4.1.1, RFC 6891 6.1.3 for the extended BADVERS). */
export const RCode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;

/** OPCODE values (RFC 1035 4.1.1). Only QUERY is served. */
export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

/** Fixed sizes and limits of the message format (RFC 1035 2.3.4, 4.1.1, 4.1.4). */
export const HEADER_LENGTH = 12;
export const MAX_LABEL_LENGTH = 63;
/** Octets of a name on the wire, length bytes and the root label included. */
export const MAX_NAME_LENGTH = 255;
/** A compression pointer has 14 bits of offset. */
export const MAX_POINTER_OFFSET = 0x3fff;
/** The largest UDP reply without EDNS (RFC 1035 2.3.4). */
export const PLAIN_UDP_LIMIT = 512;
/** The largest message TCP framing can carry (RFC 1035 4.2.2, RFC 7766). */
export const TCP_LIMIT = 65535;

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/** MX RDATA (RFC 1035 3.3.9). */
export interface MxData {
  preference: number;
  exchange: string;
}

/** CAA RDATA (RFC 8659 4.1): the value is text here, encoded as UTF-8 octets. */
export interface CaaData {
  flags: number;
  tag: string;
  value: string;
}

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/**
 * A resource record. Names are absolute without the trailing dot ("hello.default.svc.cluster.local"),
 * the root is "". `type` discriminates `data`.
 */
export type ResourceRecord =
  | RecordOf<typeof RRType.A, string> // dotted quad
  | RecordOf<typeof RRType.AAAA, string> // any textual IPv6 form; encoded as 16 bytes
  | RecordOf<typeof RRType.NS, string> // target name
  | RecordOf<typeof RRType.CNAME, string>
  | RecordOf<typeof RRType.PTR, string>
  | RecordOf<typeof RRType.TXT, string[]> // character-strings, each encoded as UTF-8 (split at 255 bytes)
  | RecordOf<typeof RRType.SRV, SrvData>
  | RecordOf<typeof RRType.MX, MxData>
  | RecordOf<typeof RRType.CAA, CaaData>
  | RecordOf<typeof RRType.SOA, SoaData>
  | UnknownRecord;

export interface RecordOf<T extends number, D> {
  name: string;
  type: T;
  class: number;
  ttl: number;
  data: D;
}

/**
 * Any type the codec has no model for is carried as opaque RDATA (RFC 3597); so is a modelled type whose RDATA
 * the model cannot hold (a TXT with octets that are not UTF-8), which is written as given.
 */
export interface UnknownRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: Uint8Array;
}
