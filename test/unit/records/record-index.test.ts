import { describe, expect, it } from 'vitest';
import { RecordIndex } from '../../../src/records/record-index.js';
import type { LookupResult } from '../../../src/records/types.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { RRClass, RRType, type ResourceRecord } from '../../../src/wire/types.js';

const rr = (name: string, type: number, data: unknown, ttl = 5) => ({ name, type, class: RRClass.IN, ttl, data }) as ResourceRecord;
const lines = (records: ResourceRecord[]) => records.map(formatRecord);
const SOA = (serial: number) => `cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${serial} 7200 1800 86400 5`;

function indexWithData(now = () => 1000): RecordIndex {
  const index = new RecordIndex({ zones: ['cluster.local', 'in-addr.arpa'], ttl: 5, now });
  index.setOwner('svc:default/hello', [
    rr('hello.default.svc.cluster.local', RRType.A, '10.96.0.20'),
    rr('_http._tcp.hello.default.svc.cluster.local', RRType.SRV, { priority: 0, weight: 100, port: 80, target: 'hello.default.svc.cluster.local' }),
    rr('20.0.96.10.in-addr.arpa', RRType.PTR, 'hello.default.svc.cluster.local'),
  ]);
  index.setOwner('svc:default/db', [rr('db.default.svc.cluster.local', RRType.CNAME, 'my.database.example.com')]);
  index.setOwner('svc:default/alias', [rr('alias.default.svc.cluster.local', RRType.CNAME, 'hello.default.svc.cluster.local')]);
  index.setOwner('svc:default/dangling', [rr('dangling.default.svc.cluster.local', RRType.CNAME, 'gone.default.svc.cluster.local')]);
  index.setOwner('svc:default/loop1', [rr('loop1.default.svc.cluster.local', RRType.CNAME, 'loop2.default.svc.cluster.local')]);
  index.setOwner('svc:default/loop2', [rr('loop2.default.svc.cluster.local', RRType.CNAME, 'loop1.default.svc.cluster.local')]);
  index.setOwner('ns:default', [], ['default.svc.cluster.local']);
  index.setOwner('zone', [rr('cluster.local', RRType.NS, 'ns.dns.cluster.local'), rr('ns.dns.cluster.local', RRType.A, '10.96.0.10')]);
  return index;
}

function show(result: LookupResult): string[] {
  if (result.kind === 'notauth') return ['notauth'];
  const out = [`${result.kind} ${result.zone}`, ...lines(result.answer)];
  out.push(...lines(result.authority).map((l) => `AUTH ${l}`));
  if (result.kind === 'answer') out.push(...lines(result.additional).map((l) => `ADD ${l}`));
  return out;
}

describe('RecordIndex.lookup', () => {
  const index = indexWithData();
  const serial = index.serial('cluster.local');
  const cases: Array<[string, string, number, string[]]> = [
    ['exact A', 'hello.default.svc.cluster.local', RRType.A, ['answer cluster.local', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20']],
    ['NODATA: name with other types', 'hello.default.svc.cluster.local', RRType.AAAA, ['nodata cluster.local', `AUTH ${SOA(serial)}`]],
    ['NXDOMAIN: unknown name', 'nope.default.svc.cluster.local', RRType.A, ['nxdomain cluster.local', `AUTH ${SOA(serial)}`]],
    ['NODATA: declared namespace', 'default.svc.cluster.local', RRType.A, ['nodata cluster.local', `AUTH ${SOA(serial)}`]],
    ['NODATA: empty non-terminal svc', 'svc.cluster.local', RRType.A, ['nodata cluster.local', `AUTH ${SOA(serial)}`]],
    ['NODATA: empty non-terminal _tcp', '_tcp.hello.default.svc.cluster.local', RRType.SRV, ['nodata cluster.local', `AUTH ${SOA(serial)}`]],
    ['NXDOMAIN: below a leaf', 'x.hello.default.svc.cluster.local', RRType.A, ['nxdomain cluster.local', `AUTH ${SOA(serial)}`]],
    ['SRV with target address in additional', '_http._tcp.hello.default.svc.cluster.local', RRType.SRV, [
      'answer cluster.local',
      '_http._tcp.hello.default.svc.cluster.local. 5 IN SRV 0 100 80 hello.default.svc.cluster.local.',
      'ADD hello.default.svc.cluster.local. 5 IN A 10.96.0.20',
    ]],
    ['CNAME out of zone: chain only, NOERROR', 'db.default.svc.cluster.local', RRType.A, ['answer cluster.local', 'db.default.svc.cluster.local. 5 IN CNAME my.database.example.com.']],
    ['CNAME in zone is followed', 'alias.default.svc.cluster.local', RRType.A, [
      'answer cluster.local',
      'alias.default.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.',
      'hello.default.svc.cluster.local. 5 IN A 10.96.0.20',
    ]],
    ['CNAME in zone, target lacks the type: NODATA with chain', 'alias.default.svc.cluster.local', RRType.AAAA, [
      'nodata cluster.local',
      'alias.default.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.',
      `AUTH ${SOA(serial)}`,
    ]],
    ['CNAME to a missing in-zone name: NXDOMAIN with chain', 'dangling.default.svc.cluster.local', RRType.A, [
      'nxdomain cluster.local',
      'dangling.default.svc.cluster.local. 5 IN CNAME gone.default.svc.cluster.local.',
      `AUTH ${SOA(serial)}`,
    ]],
    ['qtype CNAME returns the CNAME', 'db.default.svc.cluster.local', RRType.CNAME, ['answer cluster.local', 'db.default.svc.cluster.local. 5 IN CNAME my.database.example.com.']],
    ['CNAME loop ends', 'loop1.default.svc.cluster.local', RRType.A, [
      'answer cluster.local',
      'loop1.default.svc.cluster.local. 5 IN CNAME loop2.default.svc.cluster.local.',
      'loop2.default.svc.cluster.local. 5 IN CNAME loop1.default.svc.cluster.local.',
    ]],
    ['apex SOA', 'cluster.local', RRType.SOA, ['answer cluster.local', SOA(serial)]],
    ['apex NS with address in additional', 'cluster.local', RRType.NS, ['answer cluster.local', 'cluster.local. 5 IN NS ns.dns.cluster.local.', 'ADD ns.dns.cluster.local. 5 IN A 10.96.0.10']],
    ['reverse zone is its own zone', '20.0.96.10.in-addr.arpa', RRType.PTR, ['answer in-addr.arpa', '20.0.96.10.in-addr.arpa. 5 IN PTR hello.default.svc.cluster.local.']],
    ['reverse miss: NXDOMAIN with the reverse zone SOA', '99.0.96.10.in-addr.arpa', RRType.PTR, [
      'nxdomain in-addr.arpa',
      `AUTH in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. ${index.serial('in-addr.arpa')} 7200 1800 86400 5`,
    ]],
    ['outside every zone', 'example.com', RRType.A, ['notauth']],
    ['a name that only ends like the zone', 'xcluster.local', RRType.A, ['notauth']],
  ];
  it.each(cases)('%s', (_title, qname, qtype, expected) => {
    expect(show(index.lookup(qname, qtype))).toEqual(expected);
  });

  it('ANY returns every RRset at the name', () => {
    const result = index.lookup('cluster.local', RRType.ANY);
    expect(result.kind).toBe('answer');
    expect(show(result).slice(1, 3).sort()).toEqual(['cluster.local. 5 IN NS ns.dns.cluster.local.', SOA(serial)].sort());
  });
});

describe('RecordIndex updates', () => {
  it('unions RRsets across owners, de-duplicates, and removes exactly', () => {
    const index = new RecordIndex({ zones: ['in-addr.arpa'], ttl: 5 });
    const ptr = (target: string) => rr('1.0.0.10.in-addr.arpa', RRType.PTR, target);
    index.setOwner('a', [ptr('a.ns.svc.cluster.local'), ptr('shared.ns.svc.cluster.local')]);
    index.setOwner('b', [ptr('b.ns.svc.cluster.local'), ptr('shared.ns.svc.cluster.local')]);
    expect(lines(index.rrset('1.0.0.10.in-addr.arpa', RRType.PTR))).toEqual([
      '1.0.0.10.in-addr.arpa. 5 IN PTR a.ns.svc.cluster.local.',
      '1.0.0.10.in-addr.arpa. 5 IN PTR shared.ns.svc.cluster.local.',
      '1.0.0.10.in-addr.arpa. 5 IN PTR b.ns.svc.cluster.local.',
    ]);
    index.deleteOwner('a');
    expect(lines(index.rrset('1.0.0.10.in-addr.arpa', RRType.PTR))).toEqual([
      '1.0.0.10.in-addr.arpa. 5 IN PTR shared.ns.svc.cluster.local.',
      '1.0.0.10.in-addr.arpa. 5 IN PTR b.ns.svc.cluster.local.',
    ]);
    index.deleteOwner('b');
    expect(index.lookup('1.0.0.10.in-addr.arpa', RRType.PTR).kind).toBe('nxdomain');
    expect(index.exists('0.0.10.in-addr.arpa')).toBe(false);
  });

  it('keeps empty non-terminals while any descendant exists', () => {
    const index = new RecordIndex({ zones: ['cluster.local'], ttl: 5 });
    index.setOwner('x', [rr('a.b.c.cluster.local', RRType.A, '10.0.0.1')]);
    index.setOwner('y', [rr('d.b.c.cluster.local', RRType.A, '10.0.0.2')]);
    expect(index.lookup('b.c.cluster.local', RRType.A).kind).toBe('nodata');
    index.deleteOwner('x');
    expect(index.lookup('b.c.cluster.local', RRType.A).kind).toBe('nodata');
    expect(index.lookup('a.b.c.cluster.local', RRType.A).kind).toBe('nxdomain');
    index.deleteOwner('y');
    expect(index.lookup('b.c.cluster.local', RRType.A).kind).toBe('nxdomain');
    expect(index.lookup('c.cluster.local', RRType.A).kind).toBe('nxdomain');
  });

  it('notifies once per batch with the changed names, and moves the SOA serial forward', () => {
    let clock = 1000;
    const index = new RecordIndex({ zones: ['cluster.local'], ttl: 5, now: () => clock });
    const seen: string[][] = [];
    index.onChange((names) => seen.push([...names].sort()));
    clock = 1010;
    index.batch(() => {
      index.setOwner('a', [rr('a.cluster.local', RRType.A, '10.0.0.1')]);
      index.setOwner('b', [rr('b.cluster.local', RRType.A, '10.0.0.2')]);
    });
    expect(seen).toEqual([['a.cluster.local', 'b.cluster.local', 'cluster.local']]);
    expect(index.serial('cluster.local')).toBe(1010);
    expect(show(index.lookup('zz.cluster.local', RRType.A))).toContain(`AUTH ${SOA(1010)}`);
  });

  it('does nothing when an owner republishes the same records', () => {
    const index = new RecordIndex({ zones: ['cluster.local'], ttl: 5 });
    index.setOwner('a', [rr('a.cluster.local', RRType.A, '10.0.0.1')]);
    let notified = 0;
    index.onChange(() => notified++);
    index.setOwner('a', [rr('a.cluster.local', RRType.A, '10.0.0.1')]);
    expect(notified).toBe(0);
    index.setOwner('a', [rr('a.cluster.local', RRType.A, '10.0.0.9')]);
    expect(notified).toBe(1);
    expect(lines(index.rrset('a.cluster.local', RRType.A))).toEqual(['a.cluster.local. 5 IN A 10.0.0.9']);
  });

  it('matches the longest zone', () => {
    const index = new RecordIndex({ zones: ['cluster.local', 'east.cluster.local'], ttl: 5 });
    expect(index.findZone('x.east.cluster.local')).toBe('east.cluster.local');
    expect(index.findZone('x.west.cluster.local')).toBe('cluster.local');
    expect(index.findZone('cluster.local')).toBe('cluster.local');
    expect(index.findZone('local')).toBeNull();
  });
});
