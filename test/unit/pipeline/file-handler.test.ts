import { describe, expect, it } from 'vitest';
import { FileHandler, type ZoneSource } from '../../../src/pipeline/file-handler.js';
import type { DnsRequest, HandlerResult } from '../../../src/pipeline/handler.js';
import { HeaderFlag } from '../../../src/wire/header.js';
import { decodeMessage } from '../../../src/wire/message.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { buildReply } from '../../../src/wire/reply.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';
import type { Zone } from '../../../src/zonefile/zone.js';
import { query } from '../records/helpers.js';
import { SOA, parseZone } from '../zonefile/zone-files.js';

const TEXT = `${SOA}\nwww 60 A 192.0.2.10\nout 60 CNAME hello.default.svc.cluster.local.\n`;

/** Zones served from a list that a test can swap, announcing the change as a ZoneDirectory does. */
class ZoneList implements ZoneSource {
  private listeners = new Set<(origins: readonly string[]) => void>();
  constructor(public zones: Zone[]) {}
  findZone(qname: string): Zone | null {
    return this.zones.find((zone) => zone.contains(qname)) ?? null;
  }
  onChange(listener: (origins: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  replace(zones: Zone[]): void {
    this.zones = zones;
    for (const listener of this.listeners) listener(zones.map((zone) => zone.origin));
  }
}

function request(name: string, type: number, extra: Partial<DnsRequest> = {}, qclass: number = RRClass.IN): DnsRequest {
  return { ...query(name, type, qclass), transport: 'udp', remoteAddress: '127.0.0.1', remotePort: 1, ...extra };
}

/** The reply a compiled answer gives, as zone-file lines. */
function reply(req: DnsRequest, result: HandlerResult) {
  if (result.kind !== 'answer') throw new Error(`expected a compiled answer, got ${result.kind}`);
  const message = decodeMessage(buildReply(req.raw, req.query, result.answer, 65535));
  return { rcode: message.rcode, aa: message.aa, answer: message.answers.map(formatRecord), authority: message.authorities.map(formatRecord) };
}

describe('FileHandler (CoreDNS file)', () => {
  it('skips names in no zone and classes other than IN / ANY', async () => {
    const handler = new FileHandler({ zones: new ZoneList([await parseZone(TEXT)]) });
    expect(handler.handle(request('www.other.test', RRType.A))).toEqual({ kind: 'skip' });
    expect(handler.handle(request('www.example.test', RRType.A, {}, RRClass.CH))).toEqual({ kind: 'skip' });
    expect(handler.handle(request('www.example.test', RRType.A, {}, RRClass.ANY)).kind).toBe('answer');
  });

  it('refuses zone transfers (AXFR, IXFR)', async () => {
    const handler = new FileHandler({ zones: new ZoneList([await parseZone(TEXT)]) });
    expect(handler.handle(request('example.test', RRType.AXFR))).toEqual({ kind: 'error', rcode: RCode.REFUSED });
    expect(handler.handle(request('example.test', RRType.IXFR))).toEqual({ kind: 'error', rcode: RCode.REFUSED });
  });

  it('answers a client with a compiled, authoritative answer (positive and NXDOMAIN)', async () => {
    const handler = new FileHandler({ zones: new ZoneList([await parseZone(TEXT)]) });
    const www = request('WWW.example.test', RRType.A);
    expect(reply(www, handler.handle(www))).toEqual({ rcode: RCode.NOERROR, aa: true, answer: ['WWW.example.test. 60 IN A 192.0.2.10'], authority: [] });
    const nope = request('nope.example.test', RRType.A);
    expect(reply(nope, handler.handle(nope))).toMatchObject({ rcode: RCode.NXDOMAIN, aa: true, answer: [], authority: [expect.stringMatching(/^example\.test\. 60 IN SOA /)] });
  });

  it('answers an internal request with records, never a compiled answer', async () => {
    const handler = new FileHandler({ zones: new ZoneList([await parseZone(TEXT)]) });
    const result = handler.handle(request('www.example.test', RRType.A, { internal: true }));
    expect(result.kind).toBe('records');
    if (result.kind !== 'records') return;
    expect([result.rcode, result.flags, result.sections.answer.map(formatRecord)]).toEqual([RCode.NOERROR, HeaderFlag.AA, ['www.example.test. 60 IN A 192.0.2.10']]);
  });

  it('hands a CNAME that leaves the zone to the chain as records with chase', async () => {
    const handler = new FileHandler({ zones: new ZoneList([await parseZone(TEXT)]) });
    const result = handler.handle(request('out.example.test', RRType.A));
    expect(result).toMatchObject({ kind: 'records', rcode: RCode.NOERROR, flags: HeaderFlag.AA, chase: 'hello.default.svc.cluster.local' });
    if (result.kind === 'records') expect(result.sections.answer.map(formatRecord)).toEqual(['out.example.test. 60 IN CNAME hello.default.svc.cluster.local.']);
  });

  it('replays the memoized result for the same question, and drops it when the zones change', async () => {
    const zones = new ZoneList([await parseZone(TEXT)]);
    const handler = new FileHandler({ zones });
    const first = handler.handle(request('www.example.test', RRType.A));
    expect(handler.handle(request('www.example.test', RRType.A))).toBe(first);
    expect(handler.cachedAnswers).toBe(1);
    zones.replace([await parseZone(TEXT.replace('192.0.2.10', '192.0.2.11'))]);
    expect(handler.cachedAnswers).toBe(0);
    const www = request('www.example.test', RRType.A);
    expect(reply(www, handler.handle(www)).answer).toEqual(['www.example.test. 60 IN A 192.0.2.11']);
  });

  it('keeps at most maxCachedAnswers results, whatever names are asked', async () => {
    const handler = new FileHandler({ zones: new ZoneList([await parseZone(TEXT)]), maxCachedAnswers: 50 });
    for (let i = 0; i < 500; i++) handler.handle(request(`random-${i}.example.test`, RRType.A));
    expect(handler.cachedAnswers).toBeGreaterThan(0);
    expect(handler.cachedAnswers).toBeLessThanOrEqual(50);
  });
});
