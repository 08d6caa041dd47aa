// Shared by the record index, answer cache and kubernetes handler tests: records written compactly, lookup
// results and replayed replies turned into zone-file lines, the form expected records are written in.
import type { LookupResult } from '../../../src/records/types.js';
import type { CompiledAnswer } from '../../../src/wire/compiled-answer.js';
import { createMessage, decodeMessage, encodeMessage } from '../../../src/wire/message.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { parseQuery, type ParsedQuery } from '../../../src/wire/query.js';
import { buildReply } from '../../../src/wire/reply.js';
import { RRClass, type ResourceRecord, type SrvData } from '../../../src/wire/types.js';

export const rr = (name: string, type: number, data: unknown, ttl = 5): ResourceRecord =>
  ({ name, type, class: RRClass.IN, ttl, data }) as ResourceRecord;

export const srv = (port: number, target: string, priority = 0, weight = 100): SrvData => ({ priority, weight, port, target });

export const lines = (records: readonly ResourceRecord[]): string[] => records.map(formatRecord);

/** The SOA line the index synthesizes for `zone` with TTL and minimum 5. */
export const soaLine = (zone: string, serial: number): string =>
  `${zone}. 5 IN SOA ns.dns.${zone}. hostmaster.${zone}. ${serial} 7200 1800 86400 5`;

/** `<kind> <zone>`, the answer lines, then `AUTH …` and `ADD …` lines. */
export function show(result: LookupResult): string[] {
  if (result.kind === 'notauth') return ['notauth'];
  const out = [`${result.kind} ${result.zone}`, ...lines(result.answer)];
  out.push(...lines(result.authority).map((l) => `AUTH ${l}`));
  if (result.kind === 'answer') out.push(...lines(result.additional).map((l) => `ADD ${l}`));
  return out;
}

/** A query as the server receives it (the qname spelled as given, letter case included). */
export function query(qname: string, qtype: number, qclass: number = RRClass.IN): { raw: Uint8Array; query: ParsedQuery } {
  const raw = encodeMessage(createMessage({ id: 7, rd: true, questions: [{ name: qname, type: qtype, class: qclass }] }));
  const parsed = parseQuery(raw);
  if (parsed.kind !== 'ok') throw new Error(`query for ${qname} did not parse`);
  return { raw, query: parsed.query };
}

export interface Reply {
  rcode: number;
  aa: boolean;
  answer: string[];
  authority: string[];
  additional: string[];
}

/** Replays a compiled answer the way the server does (over TCP, so nothing is truncated) and decodes it. */
export function replay(qname: string, qtype: number, compiled: CompiledAnswer): Reply {
  const { raw, query: parsed } = query(qname, qtype);
  const message = decodeMessage(buildReply(raw, parsed, compiled, 65535));
  return {
    rcode: message.rcode,
    aa: message.aa,
    answer: lines(message.answers),
    authority: lines(message.authorities),
    additional: lines(message.additionals),
  };
}
