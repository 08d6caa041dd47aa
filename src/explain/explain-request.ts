// The request `explain` sends through the handler chain: an internal one (the chain answers with records, as
// when it chases a CNAME), from no client, so autopath does not rewrite it and nothing is logged or counted.
import type { DnsRequest } from '../pipeline/handler.js';
import { RRClass, RRType } from '../wire/types.js';

export const EXPLAIN_REQUEST: DnsRequest = Object.freeze({
  raw: new Uint8Array(0),
  query: Object.freeze({
    id: 0,
    flags: 0,
    opcode: 0,
    recursionDesired: true,
    checkingDisabled: false,
    qname: '',
    qtype: RRType.A,
    qclass: RRClass.IN,
    questionEnd: 0,
    edns: null,
  }),
  transport: 'udp',
  remoteAddress: '127.0.0.1',
  remotePort: 0,
  internal: true,
}) as DnsRequest;
