import { describe, expect, it } from 'vitest';
import { RecordIndex } from '../../../src/records/record-index.js';
import { RRType, type ResourceRecord } from '../../../src/wire/types.js';
import { lines, rr, show, soaLine, srv } from './helpers.js';

const Z = 'cluster.local';
const MX = 15; // a type the index never holds
const SOA = (serial: number) => soaLine(Z, serial);

function indexWithData(now = () => 1000): RecordIndex {
  const index = new RecordIndex({ zones: [Z, 'in-addr.arpa', 'ip6.arpa'], ttl: 5, now });
  index.setOwner('svc:default/hello', [
    rr('hello.default.svc.cluster.local', RRType.A, '10.96.0.20'),
    rr('_http._tcp.hello.default.svc.cluster.local', RRType.SRV, srv(80, 'hello.default.svc.cluster.local')),
    rr('20.0.96.10.in-addr.arpa', RRType.PTR, 'hello.default.svc.cluster.local'),
  ]);
  index.setOwner('svc:default/dual', [
    rr('dual.default.svc.cluster.local', RRType.A, '10.96.0.30'),
    rr('dual.default.svc.cluster.local', RRType.AAAA, 'fd00:96::30'),
    rr('dual.default.svc.cluster.local', RRType.SRV, srv(443, 'dual.default.svc.cluster.local')),
    rr('_https._tcp.dual.default.svc.cluster.local', RRType.SRV, srv(443, 'dual.default.svc.cluster.local')),
  ]);
  index.setOwner('svc:default/web', [
    rr('web.default.svc.cluster.local', RRType.A, '10.244.1.10'),
    rr('web.default.svc.cluster.local', RRType.A, '10.244.1.11'),
    rr('web-0.web.default.svc.cluster.local', RRType.A, '10.244.1.10'),
    rr('web-1.web.default.svc.cluster.local', RRType.A, '10.244.1.11'),
    rr('_http._tcp.web.default.svc.cluster.local', RRType.SRV, srv(8080, 'web-0.web.default.svc.cluster.local')),
    rr('_http._tcp.web.default.svc.cluster.local', RRType.SRV, srv(8080, 'web-1.web.default.svc.cluster.local')),
    rr('_http._tcp.web.default.svc.cluster.local', RRType.SRV, srv(8080, 'gone.example.com')),
    rr('_metrics._tcp.web.default.svc.cluster.local', RRType.SRV, srv(9090, 'web-0.web.default.svc.cluster.local')),
    rr('_metrics._tcp.web.default.svc.cluster.local', RRType.SRV, srv(9091, 'web-0.web.default.svc.cluster.local')),
  ]);
  index.setOwner('svc:default/db', [rr('db.default.svc.cluster.local', RRType.CNAME, 'my.database.example.com')]);
  index.setOwner('svc:default/alias', [rr('alias.default.svc.cluster.local', RRType.CNAME, 'hello.default.svc.cluster.local')]);
  index.setOwner('svc:default/alias2', [rr('alias2.default.svc.cluster.local', RRType.CNAME, 'alias.default.svc.cluster.local')]);
  index.setOwner('svc:default/shouty', [rr('shouty.default.svc.cluster.local', RRType.CNAME, 'Hello.Default.SVC.cluster.local.')]);
  index.setOwner('svc:default/rev', [rr('rev.default.svc.cluster.local', RRType.CNAME, '20.0.96.10.in-addr.arpa')]);
  index.setOwner('svc:default/revgone', [rr('revgone.default.svc.cluster.local', RRType.CNAME, '99.0.96.10.in-addr.arpa')]);
  index.setOwner('svc:default/dangling', [rr('dangling.default.svc.cluster.local', RRType.CNAME, 'gone.default.svc.cluster.local')]);
  index.setOwner('svc:default/loop1', [rr('loop1.default.svc.cluster.local', RRType.CNAME, 'loop2.default.svc.cluster.local')]);
  index.setOwner('svc:default/loop2', [rr('loop2.default.svc.cluster.local', RRType.CNAME, 'loop1.default.svc.cluster.local')]);
  index.setOwner('svc:default/self', [rr('self.default.svc.cluster.local', RRType.CNAME, 'self.default.svc.cluster.local')]);
  index.setOwner('ns:default', [], ['default.svc.cluster.local']);
  index.setOwner('ns:empty', [], ['empty.svc.cluster.local']);
  index.setOwner('zone', [
    rr(Z, RRType.NS, 'ns.dns.cluster.local'),
    rr('ns.dns.cluster.local', RRType.A, '10.96.0.10'),
    rr('dns-version.cluster.local', RRType.TXT, ['1.1.0']),
  ]);
  return index;
}

describe('RecordIndex.lookup (RFC 1034 4.3.2, RFC 2308, RFC 8020)', () => {
  const index = indexWithData();
  const serial = index.serial(Z);
  const revSerial = index.serial('in-addr.arpa');
  const AUTH = `AUTH ${SOA(serial)}`;
  const cases: Array<[string, string, number, string[]]> = [
    // Data, NODATA and NXDOMAIN.
    ['exact A', 'hello.default.svc.cluster.local', RRType.A, ['answer cluster.local', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20']],
    ['dual-stack A', 'dual.default.svc.cluster.local', RRType.A, ['answer cluster.local', 'dual.default.svc.cluster.local. 5 IN A 10.96.0.30']],
    ['dual-stack AAAA', 'dual.default.svc.cluster.local', RRType.AAAA, ['answer cluster.local', 'dual.default.svc.cluster.local. 5 IN AAAA fd00:96::30']],
    ['RRset of two', 'web.default.svc.cluster.local', RRType.A, [
      'answer cluster.local',
      'web.default.svc.cluster.local. 5 IN A 10.244.1.10',
      'web.default.svc.cluster.local. 5 IN A 10.244.1.11',
    ]],
    ['NODATA: AAAA of an IPv4-only name', 'hello.default.svc.cluster.local', RRType.AAAA, ['nodata cluster.local', AUTH]],
    ['NODATA: TXT of a name with A', 'hello.default.svc.cluster.local', RRType.TXT, ['nodata cluster.local', AUTH]],
    ['NXDOMAIN: unknown service', 'nope.default.svc.cluster.local', RRType.A, ['nxdomain cluster.local', AUTH]],
    ['NXDOMAIN: unknown namespace', 'hello.nope.svc.cluster.local', RRType.A, ['nxdomain cluster.local', AUTH]],
    ['NXDOMAIN: below a leaf', 'x.hello.default.svc.cluster.local', RRType.A, ['nxdomain cluster.local', AUTH]],
    ['NXDOMAIN: below an ExternalName', 'x.db.default.svc.cluster.local', RRType.A, ['nxdomain cluster.local', AUTH]],
    ['NODATA: declared namespace with services', 'default.svc.cluster.local', RRType.A, ['nodata cluster.local', AUTH]],
    ['NODATA: declared namespace without services', 'empty.svc.cluster.local', RRType.A, ['nodata cluster.local', AUTH]],
    ['NODATA: empty non-terminal svc.<zone>', 'svc.cluster.local', RRType.A, ['nodata cluster.local', AUTH]],
    ['NODATA: empty non-terminal _tcp', '_tcp.hello.default.svc.cluster.local', RRType.SRV, ['nodata cluster.local', AUTH]],
    ['NODATA: empty non-terminal ns.dns parent', 'dns.cluster.local', RRType.A, ['nodata cluster.local', AUTH]],
    ['NODATA: dns-version asked for A', 'dns-version.cluster.local', RRType.A, ['nodata cluster.local', AUTH]],
    ['dns-version TXT', 'dns-version.cluster.local', RRType.TXT, ['answer cluster.local', 'dns-version.cluster.local. 5 IN TXT "1.1.0"']],

    // SRV and the additional section.
    ['SRV with the target address in additional', '_http._tcp.hello.default.svc.cluster.local', RRType.SRV, [
      'answer cluster.local',
      '_http._tcp.hello.default.svc.cluster.local. 5 IN SRV 0 100 80 hello.default.svc.cluster.local.',
      'ADD hello.default.svc.cluster.local. 5 IN A 10.96.0.20',
    ]],
    ['SRV: A then AAAA of a dual-stack target', '_https._tcp.dual.default.svc.cluster.local', RRType.SRV, [
      'answer cluster.local',
      '_https._tcp.dual.default.svc.cluster.local. 5 IN SRV 0 100 443 dual.default.svc.cluster.local.',
      'ADD dual.default.svc.cluster.local. 5 IN A 10.96.0.30',
      'ADD dual.default.svc.cluster.local. 5 IN AAAA fd00:96::30',
    ]],
    ['SRV: one additional set per target, none for a target we do not hold', '_http._tcp.web.default.svc.cluster.local', RRType.SRV, [
      'answer cluster.local',
      '_http._tcp.web.default.svc.cluster.local. 5 IN SRV 0 100 8080 web-0.web.default.svc.cluster.local.',
      '_http._tcp.web.default.svc.cluster.local. 5 IN SRV 0 100 8080 web-1.web.default.svc.cluster.local.',
      '_http._tcp.web.default.svc.cluster.local. 5 IN SRV 0 100 8080 gone.example.com.',
      'ADD web-0.web.default.svc.cluster.local. 5 IN A 10.244.1.10',
      'ADD web-1.web.default.svc.cluster.local. 5 IN A 10.244.1.11',
    ]],
    ['SRV: a target named twice gets its address once', '_metrics._tcp.web.default.svc.cluster.local', RRType.SRV, [
      'answer cluster.local',
      '_metrics._tcp.web.default.svc.cluster.local. 5 IN SRV 0 100 9090 web-0.web.default.svc.cluster.local.',
      '_metrics._tcp.web.default.svc.cluster.local. 5 IN SRV 0 100 9091 web-0.web.default.svc.cluster.local.',
      'ADD web-0.web.default.svc.cluster.local. 5 IN A 10.244.1.10',
    ]],

    // CNAME.
    ['CNAME out of zone: the chain only, NOERROR', 'db.default.svc.cluster.local', RRType.A, ['answer cluster.local', 'db.default.svc.cluster.local. 5 IN CNAME my.database.example.com.']],
    ['CNAME out of zone, any type: the chain', 'db.default.svc.cluster.local', MX, ['answer cluster.local', 'db.default.svc.cluster.local. 5 IN CNAME my.database.example.com.']],
    ['qtype CNAME returns the CNAME itself', 'alias.default.svc.cluster.local', RRType.CNAME, ['answer cluster.local', 'alias.default.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.']],
    ['CNAME in zone is followed', 'alias.default.svc.cluster.local', RRType.A, [
      'answer cluster.local',
      'alias.default.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.',
      'hello.default.svc.cluster.local. 5 IN A 10.96.0.20',
    ]],
    ['CNAME chain of two is followed', 'alias2.default.svc.cluster.local', RRType.A, [
      'answer cluster.local',
      'alias2.default.svc.cluster.local. 5 IN CNAME alias.default.svc.cluster.local.',
      'alias.default.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.',
      'hello.default.svc.cluster.local. 5 IN A 10.96.0.20',
    ]],
    ['CNAME target in another letter case and absolute is followed', 'shouty.default.svc.cluster.local', RRType.A, [
      'answer cluster.local',
      'shouty.default.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.',
      'hello.default.svc.cluster.local. 5 IN A 10.96.0.20',
    ]],
    ['CNAME followed into another served zone', 'rev.default.svc.cluster.local', RRType.PTR, [
      'answer in-addr.arpa',
      'rev.default.svc.cluster.local. 5 IN CNAME 20.0.96.10.in-addr.arpa.',
      '20.0.96.10.in-addr.arpa. 5 IN PTR hello.default.svc.cluster.local.',
    ]],
    ['CNAME into another zone to a missing name: NXDOMAIN with that zone\'s SOA', 'revgone.default.svc.cluster.local', RRType.PTR, [
      'nxdomain in-addr.arpa',
      'revgone.default.svc.cluster.local. 5 IN CNAME 99.0.96.10.in-addr.arpa.',
      `AUTH ${soaLine('in-addr.arpa', revSerial)}`,
    ]],
    ['CNAME in zone, target lacks the type: NODATA with the chain', 'alias.default.svc.cluster.local', RRType.AAAA, [
      'nodata cluster.local',
      'alias.default.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.',
      AUTH,
    ]],
    ['CNAME to a missing in-zone name: NXDOMAIN with the chain', 'dangling.default.svc.cluster.local', RRType.A, [
      'nxdomain cluster.local',
      'dangling.default.svc.cluster.local. 5 IN CNAME gone.default.svc.cluster.local.',
      AUTH,
    ]],
    ['CNAME loop ends after one round', 'loop1.default.svc.cluster.local', RRType.A, [
      'answer cluster.local',
      'loop1.default.svc.cluster.local. 5 IN CNAME loop2.default.svc.cluster.local.',
      'loop2.default.svc.cluster.local. 5 IN CNAME loop1.default.svc.cluster.local.',
    ]],
    ['CNAME to itself', 'self.default.svc.cluster.local', RRType.A, ['answer cluster.local', 'self.default.svc.cluster.local. 5 IN CNAME self.default.svc.cluster.local.']],

    // Apex.
    ['apex SOA', Z, RRType.SOA, ['answer cluster.local', SOA(serial)]],
    ['apex NS with the address in additional', Z, RRType.NS, ['answer cluster.local', 'cluster.local. 5 IN NS ns.dns.cluster.local.', 'ADD ns.dns.cluster.local. 5 IN A 10.96.0.10']],
    ['apex A: NODATA', Z, RRType.A, ['nodata cluster.local', AUTH]],
    ['reverse apex SOA', 'in-addr.arpa', RRType.SOA, ['answer in-addr.arpa', soaLine('in-addr.arpa', revSerial)]],
    ['ip6.arpa apex SOA', 'ip6.arpa', RRType.SOA, ['answer ip6.arpa', soaLine('ip6.arpa', index.serial('ip6.arpa'))]],

    // Zones.
    ['reverse zone is its own zone', '20.0.96.10.in-addr.arpa', RRType.PTR, ['answer in-addr.arpa', '20.0.96.10.in-addr.arpa. 5 IN PTR hello.default.svc.cluster.local.']],
    ['reverse ENT: NODATA', '0.96.10.in-addr.arpa', RRType.PTR, ['nodata in-addr.arpa', `AUTH ${soaLine('in-addr.arpa', revSerial)}`]],
    ['reverse miss: NXDOMAIN with the reverse zone SOA', '99.0.96.10.in-addr.arpa', RRType.PTR, ['nxdomain in-addr.arpa', `AUTH ${soaLine('in-addr.arpa', revSerial)}`]],
    ['outside every zone', 'example.com', RRType.A, ['notauth']],
    ['the root', '', RRType.NS, ['notauth']],
    ['a name that only ends like the zone', 'xcluster.local', RRType.A, ['notauth']],
    ['the parent of a zone', 'local', RRType.SOA, ['notauth']],
  ];
  it.each(cases)('%s', (_title, qname, qtype, expected) => {
    expect(show(index.lookup(qname, qtype))).toEqual(expected);
  });

  const any: Array<[string, string, string[]]> = [
    ['every RRset at a name', 'dual.default.svc.cluster.local', [
      'answer cluster.local',
      'dual.default.svc.cluster.local. 5 IN A 10.96.0.30',
      'dual.default.svc.cluster.local. 5 IN AAAA fd00:96::30',
      'dual.default.svc.cluster.local. 5 IN SRV 0 100 443 dual.default.svc.cluster.local.',
      'ADD dual.default.svc.cluster.local. 5 IN A 10.96.0.30',
      'ADD dual.default.svc.cluster.local. 5 IN AAAA fd00:96::30',
    ]],
    ['the apex: SOA, NS and the NS address', Z, ['answer cluster.local', SOA(serial), 'cluster.local. 5 IN NS ns.dns.cluster.local.', 'ADD ns.dns.cluster.local. 5 IN A 10.96.0.10']],
    ['a CNAME owner: the CNAME, not followed', 'alias.default.svc.cluster.local', ['answer cluster.local', 'alias.default.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.']],
    ['an empty non-terminal: NODATA', 'svc.cluster.local', ['nodata cluster.local', AUTH]],
    ['a missing name: NXDOMAIN', 'nope.cluster.local', ['nxdomain cluster.local', AUTH]],
  ];
  it.each(any)('ANY: %s', (_title, qname, expected) => {
    expect(show(index.lookup(qname, RRType.ANY))).toEqual(expected);
  });

  it('reports existence and RRsets directly', () => {
    expect(index.exists('svc.cluster.local')).toBe(true);
    expect(index.exists(Z)).toBe(true);
    expect(index.exists('nope.cluster.local')).toBe(false);
    expect(lines(index.rrset('web.default.svc.cluster.local', RRType.A))).toHaveLength(2);
    expect(index.rrset('web.default.svc.cluster.local', RRType.AAAA)).toEqual([]);
  });
});

describe('RecordIndex zones', () => {
  it('picks the longest matching zone', () => {
    const index = new RecordIndex({ zones: ['cluster.local', 'east.cluster.local', 'in-addr.arpa', '10.in-addr.arpa', 'ip6.arpa'], ttl: 5 });
    const cases: Array<[string, string | null]> = [
      ['x.east.cluster.local', 'east.cluster.local'],
      ['east.cluster.local', 'east.cluster.local'],
      ['x.west.cluster.local', 'cluster.local'],
      ['xeast.cluster.local', 'cluster.local'],
      ['cluster.local', 'cluster.local'],
      ['1.0.0.10.in-addr.arpa', '10.in-addr.arpa'],
      ['1.0.0.110.in-addr.arpa', 'in-addr.arpa'],
      ['1.0.0.192.in-addr.arpa', 'in-addr.arpa'],
      ['b.a.ip6.arpa', 'ip6.arpa'],
      ['local', null],
      ['arpa', null],
      ['cluster.local.example.com', null],
    ];
    for (const [name, zone] of cases) expect([name, index.findZone(name)]).toEqual([name, zone]);
  });

  it('answers a lookup from the most specific zone, with its own SOA', () => {
    const index = new RecordIndex({ zones: ['in-addr.arpa', '10.in-addr.arpa'], ttl: 5, now: () => 77 });
    expect(show(index.lookup('1.0.0.10.in-addr.arpa', RRType.PTR))).toEqual(['nxdomain 10.in-addr.arpa', `AUTH ${soaLine('10.in-addr.arpa', 77)}`]);
    expect(show(index.lookup('1.0.0.11.in-addr.arpa', RRType.PTR))).toEqual(['nxdomain in-addr.arpa', `AUTH ${soaLine('in-addr.arpa', 77)}`]);
  });

  it('normalizes zones, owner names and declared names to lowercase without the trailing dot', () => {
    const index = new RecordIndex({ zones: ['Cluster.Local.'], ttl: 5, now: () => 1 });
    index.setOwner('a', [rr('Web.Default.SVC.cluster.local.', RRType.A, '10.0.0.1')], ['Other.SVC.Cluster.Local.']);
    expect(show(index.lookup('web.default.svc.cluster.local', RRType.A))).toEqual(['answer cluster.local', 'web.default.svc.cluster.local. 5 IN A 10.0.0.1']);
    expect(index.lookup('other.svc.cluster.local', RRType.A).kind).toBe('nodata');
    expect(index.serial('cluster.local.')).toBe(1);
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
    expect(index.exists('in-addr.arpa')).toBe(true);
  });

  it('de-duplicates structured RDATA (SRV, TXT) and a record an owner lists twice', () => {
    const index = new RecordIndex({ zones: [Z], ttl: 5 });
    const name = '_http._tcp.web.ns.svc.cluster.local';
    index.setOwner('a', [rr(name, RRType.SRV, srv(80, 'web-0.web.ns.svc.cluster.local')), rr(name, RRType.SRV, srv(80, 'web-0.web.ns.svc.cluster.local'))]);
    index.setOwner('b', [rr(name, RRType.SRV, srv(80, 'web-0.web.ns.svc.cluster.local')), rr(name, RRType.SRV, srv(81, 'web-0.web.ns.svc.cluster.local'))]);
    index.setOwner('t1', [rr('t.cluster.local', RRType.TXT, ['a', 'b'])]);
    index.setOwner('t2', [rr('t.cluster.local', RRType.TXT, ['a', 'b']), rr('t.cluster.local', RRType.TXT, ['a'])]);
    expect(lines(index.rrset(name, RRType.SRV))).toEqual([
      `${name}. 5 IN SRV 0 100 80 web-0.web.ns.svc.cluster.local.`,
      `${name}. 5 IN SRV 0 100 81 web-0.web.ns.svc.cluster.local.`,
    ]);
    expect(lines(index.rrset('t.cluster.local', RRType.TXT))).toEqual(['t.cluster.local. 5 IN TXT "a" "b"', 't.cluster.local. 5 IN TXT "a"']);
    index.deleteOwner('b');
    expect(lines(index.rrset(name, RRType.SRV))).toEqual([`${name}. 5 IN SRV 0 100 80 web-0.web.ns.svc.cluster.local.`]);
    index.deleteOwner('a');
    expect(index.exists(name)).toBe(false);
    expect(index.exists('web.ns.svc.cluster.local')).toBe(false);
  });

  it('unions, de-duplicates and removes exactly at a name with many records (a big headless Service)', () => {
    const index = new RecordIndex({ zones: [Z], ttl: 5 });
    const name = 'big.ns.svc.cluster.local';
    const a = (i: number) => rr(name, RRType.A, `10.0.${i >> 8}.${i & 255}`);
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    index.setOwner('slice-1', range(0, 60).map(a));
    index.setOwner('slice-2', range(40, 100).map(a));
    expect(index.rrset(name, RRType.A)).toHaveLength(100);
    expect(new Set(lines(index.rrset(name, RRType.A))).size).toBe(100);
    expect(lines(index.rrset(name, RRType.A)).slice(0, 2)).toEqual([`${name}. 5 IN A 10.0.0.0`, `${name}. 5 IN A 10.0.0.1`]); // publication order
    index.deleteOwner('slice-1');
    expect(lines(index.rrset(name, RRType.A))).toEqual(range(40, 100).map((i) => `${name}. 5 IN A 10.0.0.${i}`));
    index.setOwner('slice-2', range(40, 45).map(a));
    expect(lines(index.rrset(name, RRType.A))).toEqual(range(40, 45).map((i) => `${name}. 5 IN A 10.0.0.${i}`));
    index.deleteOwner('slice-2');
    expect(index.lookup(name, RRType.A).kind).toBe('nxdomain');
    expect(index.exists('ns.svc.cluster.local')).toBe(false);
  });

  it('keeps empty non-terminals while any descendant exists, down to the apex', () => {
    const index = new RecordIndex({ zones: [Z], ttl: 5 });
    index.setOwner('x', [rr('a.b.c.cluster.local', RRType.A, '10.0.0.1')]);
    index.setOwner('y', [rr('d.b.c.cluster.local', RRType.A, '10.0.0.2')]);
    expect(index.lookup('b.c.cluster.local', RRType.A).kind).toBe('nodata');
    index.deleteOwner('x');
    expect(index.lookup('b.c.cluster.local', RRType.A).kind).toBe('nodata');
    expect(index.lookup('a.b.c.cluster.local', RRType.A).kind).toBe('nxdomain');
    index.deleteOwner('y');
    expect(index.lookup('b.c.cluster.local', RRType.A).kind).toBe('nxdomain');
    expect(index.lookup('c.cluster.local', RRType.A).kind).toBe('nxdomain');
    expect(index.lookup(Z, RRType.SOA).kind).toBe('answer');
  });

  it('declared names exist without data and vanish with their last declarer', () => {
    const index = new RecordIndex({ zones: [Z], ttl: 5 });
    index.setOwner('ns:a', [], ['team.svc.cluster.local']);
    index.setOwner('ns:b', [], ['team.svc.cluster.local', 'team.pod.cluster.local']);
    expect(index.lookup('team.svc.cluster.local', RRType.A).kind).toBe('nodata');
    index.deleteOwner('ns:a');
    expect(index.lookup('team.svc.cluster.local', RRType.A).kind).toBe('nodata');
    index.setOwner('ns:b', [], ['team.pod.cluster.local']);
    expect(index.lookup('team.svc.cluster.local', RRType.A).kind).toBe('nxdomain');
    expect(index.lookup('svc.cluster.local', RRType.A).kind).toBe('nxdomain');
    expect(index.lookup('team.pod.cluster.local', RRType.A).kind).toBe('nodata');
  });

  it('moves an owner\'s records to new names, cleaning up the old ones', () => {
    const index = new RecordIndex({ zones: [Z], ttl: 5 });
    index.setOwner('svc', [rr('old.a.svc.cluster.local', RRType.A, '10.0.0.1')]);
    index.setOwner('svc', [rr('new.b.svc.cluster.local', RRType.A, '10.0.0.1')]);
    expect(index.lookup('old.a.svc.cluster.local', RRType.A).kind).toBe('nxdomain');
    expect(index.lookup('a.svc.cluster.local', RRType.A).kind).toBe('nxdomain');
    expect(index.lookup('new.b.svc.cluster.local', RRType.A).kind).toBe('answer');
    expect(index.lookup('svc.cluster.local', RRType.A).kind).toBe('nodata');
  });

  it('counts owners of a record that is alone at its name, and keeps RRset order as names grow and shrink', () => {
    const index = new RecordIndex({ zones: [Z], ttl: 5 });
    const a = (ip: string, ttl = 5) => rr('x.cluster.local', RRType.A, ip, ttl);
    index.setOwner('p', [a('10.0.0.1')]);
    index.setOwner('q', [a('10.0.0.1')]);
    index.setOwner('r', [a('10.0.0.1')]);
    index.deleteOwner('p');
    index.deleteOwner('q');
    expect(lines(index.rrset('x.cluster.local', RRType.A))).toEqual(['x.cluster.local. 5 IN A 10.0.0.1']);
    // A second sharer changes the TTL: one record, the new TTL, and it still needs both removals to go.
    index.setOwner('s', [a('10.0.0.1', 30)]);
    expect(lines(index.rrset('x.cluster.local', RRType.A))).toEqual(['x.cluster.local. 30 IN A 10.0.0.1']);
    index.setOwner('t', [a('10.0.0.2'), a('10.0.0.3')]);
    index.setOwner('u', [a('10.0.0.4')]);
    expect(lines(index.rrset('x.cluster.local', RRType.A))).toEqual([
      'x.cluster.local. 30 IN A 10.0.0.1',
      'x.cluster.local. 5 IN A 10.0.0.2',
      'x.cluster.local. 5 IN A 10.0.0.3',
      'x.cluster.local. 5 IN A 10.0.0.4',
    ]);
    index.deleteOwner('r');
    expect(index.rrset('x.cluster.local', RRType.A)).toHaveLength(4);
    index.deleteOwner('s');
    index.deleteOwner('t');
    expect(lines(index.rrset('x.cluster.local', RRType.A))).toEqual(['x.cluster.local. 5 IN A 10.0.0.4']);
    index.setOwner('v', [a('10.0.0.5')]);
    index.deleteOwner('u');
    expect(lines(index.rrset('x.cluster.local', RRType.A))).toEqual(['x.cluster.local. 5 IN A 10.0.0.5']);
    index.deleteOwner('v');
    expect(index.exists('x.cluster.local')).toBe(false);
    expect(index.lookup('x.cluster.local', RRType.A).kind).toBe('nxdomain');
  });

  it('takes the latest publisher\'s TTL for a record owners share', () => {
    const index = new RecordIndex({ zones: [Z], ttl: 5 });
    index.setOwner('a', [rr('x.cluster.local', RRType.A, '10.0.0.1', 5)]);
    index.setOwner('a', [rr('x.cluster.local', RRType.A, '10.0.0.1', 30)]);
    expect(lines(index.rrset('x.cluster.local', RRType.A))).toEqual(['x.cluster.local. 30 IN A 10.0.0.1']);
  });
});

describe('RecordIndex change notification and SOA serial', () => {
  function clocked(start = 1000) {
    const clock = { now: start };
    const index = new RecordIndex({ zones: [Z, 'in-addr.arpa'], ttl: 5, now: () => clock.now });
    const seen: string[][] = [];
    index.onChange((names) => seen.push([...names].sort()));
    return { index, clock, seen };
  }

  it('starts with the construction time as serial', () => {
    const { index } = clocked(1234);
    expect(index.serial(Z)).toBe(1234);
    expect(show(index.lookup(Z, RRType.SOA))).toEqual(['answer cluster.local', SOA(1234)]);
    expect(index.serial('example.com')).toBe(0);
  });

  it('notifies once per batch with the changed names, and moves the SOA serial forward', () => {
    const { index, clock, seen } = clocked();
    clock.now = 1010;
    index.batch(() => {
      index.setOwner('a', [rr('a.cluster.local', RRType.A, '10.0.0.1')]);
      index.batch(() => index.setOwner('b', [rr('b.cluster.local', RRType.A, '10.0.0.2')])); // nested: still one
      index.setOwner('p', [rr('1.0.0.10.in-addr.arpa', RRType.PTR, 'a.cluster.local')]);
    });
    expect(seen).toEqual([[
      '0.0.10.in-addr.arpa', '0.10.in-addr.arpa', '1.0.0.10.in-addr.arpa', '10.in-addr.arpa',
      'a.cluster.local', 'b.cluster.local', 'cluster.local', 'in-addr.arpa',
    ]]);
    expect(index.serial(Z)).toBe(1010);
    expect(index.serial('in-addr.arpa')).toBe(1010);
    expect(show(index.lookup('zz.cluster.local', RRType.A))).toEqual(['nxdomain cluster.local', `AUTH ${SOA(1010)}`]);
  });

  it('bumps only the serial of the zone that changed', () => {
    const { index, clock } = clocked();
    clock.now = 2000;
    index.setOwner('a', [rr('a.cluster.local', RRType.A, '10.0.0.1')]);
    expect([index.serial(Z), index.serial('in-addr.arpa')]).toEqual([2000, 1000]);
  });

  it('keeps the serial within one second and never moves it back', () => {
    const { index, clock, seen } = clocked();
    clock.now = 1500;
    index.setOwner('a', [rr('a.cluster.local', RRType.A, '10.0.0.1')]);
    index.setOwner('b', [rr('b.cluster.local', RRType.A, '10.0.0.2')]); // same second: SOA unchanged
    clock.now = 900; // clock stepped back
    index.setOwner('c', [rr('c.cluster.local', RRType.A, '10.0.0.3')]);
    expect(index.serial(Z)).toBe(1500);
    expect(seen).toEqual([['a.cluster.local', 'cluster.local'], ['b.cluster.local'], ['c.cluster.local']]);
    clock.now = 1501;
    index.deleteOwner('c');
    expect(index.serial(Z)).toBe(1501);
  });

  it('reports only what changed when an owner is re-published', () => {
    const { index, clock, seen } = clocked();
    const svc = 'web.ns.svc.cluster.local';
    const records = (ips: number[]) => [
      ...ips.map((i) => rr(svc, RRType.A, `10.0.0.${i}`)),
      ...ips.map((i) => rr(`ep-${i}.${svc}`, RRType.A, `10.0.0.${i}`)),
      ...ips.map((i) => rr(`_http._tcp.${svc}`, RRType.SRV, srv(80, `ep-${i}.${svc}`))),
    ];
    const all = Array.from({ length: 40 }, (_, i) => i + 1);
    index.setOwner('svc', records(all), ['ns.svc.cluster.local']);
    seen.length = 0;
    clock.now = 1001;
    index.setOwner('svc', records(all.filter((i) => i !== 7)), ['ns.svc.cluster.local']);
    expect(seen).toEqual([[`_http._tcp.${svc}`, 'cluster.local', `ep-7.${svc}`, svc]]);
    index.setOwner('svc', records(all.filter((i) => i !== 7)), ['ns.svc.cluster.local']); // the same again
    expect(seen).toHaveLength(1);
  });

  it('does not notify for no-ops, and stops notifying after unsubscribe', () => {
    const { index, seen } = clocked();
    index.deleteOwner('never-set');
    index.batch(() => {});
    index.setOwner('a', [rr('a.cluster.local', RRType.A, '10.0.0.1')]);
    index.setOwner('a', [rr('a.cluster.local', RRType.A, '10.0.0.1')]);
    expect(seen).toHaveLength(1);
    const calls: number[] = [];
    const off = index.onChange((names) => calls.push(names.size));
    index.setOwner('a', [rr('a.cluster.local', RRType.A, '10.0.0.9')]);
    off();
    index.deleteOwner('a');
    expect(calls).toEqual([1]);
    expect(seen).toHaveLength(3);
  });

  it('notifies even when the batch body throws, and stays usable', () => {
    const { index, seen } = clocked();
    expect(() =>
      index.batch(() => {
        index.setOwner('a', [rr('a.cluster.local', RRType.A, '10.0.0.1')]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(seen).toEqual([['a.cluster.local']]);
    index.setOwner('b', [rr('b.cluster.local', RRType.A, '10.0.0.2')]);
    expect(seen).toHaveLength(2);
  });

  it('updates a 5,000-endpoint owner in time linear in its records', () => {
    const index = new RecordIndex({ zones: [Z, 'in-addr.arpa'], ttl: 5 });
    const svc = 'big.ns.svc.cluster.local';
    const build = (skip: number): ResourceRecord[] => {
      const out: ResourceRecord[] = [];
      for (let i = 0; i < 5000; i++) {
        if (i === skip) continue;
        const ip = `10.1.${i >> 8}.${i & 255}`;
        const host = `10-1-${i >> 8}-${i & 255}.${svc}`;
        out.push(rr(svc, RRType.A, ip), rr(host, RRType.A, ip), rr(`${i & 255}.${i >> 8}.1.10.in-addr.arpa`, RRType.PTR, host));
        out.push(rr(`_http._tcp.${svc}`, RRType.SRV, srv(80, host)), rr(svc, RRType.SRV, srv(80, host)));
      }
      return out;
    };
    const started = performance.now();
    index.setOwner('svc', build(-1));
    index.setOwner('svc', build(7));
    index.deleteOwner('svc');
    // Quadratic behaviour took tens of seconds here; linear takes well under one.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(index.exists(svc)).toBe(false);
  });
});
