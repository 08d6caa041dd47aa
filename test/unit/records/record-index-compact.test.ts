// The record index's stored form (stored-record.ts) seen through its public contract: what goes in comes
// back the same, shared records are counted, and removal is exact, for each kind of stored record.
import { describe, expect, it } from 'vitest';
import { RecordIndex } from '../../../src/records/record-index.js';
import { RRType } from '../../../src/wire/types.js';
import { lines, rr, show, srv } from './helpers.js';

const Z = 'cluster.local';
const newIndex = () => new RecordIndex({ zones: [Z, 'in-addr.arpa', 'ip6.arpa'], ttl: 5, now: () => 1000 });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('RecordIndex stored form', () => {
  it('serves A records across the whole address space, the high bit included', () => {
    const index = newIndex();
    const ips = ['0.0.0.0', '127.0.0.1', '128.0.0.1', '200.1.2.3', '255.255.255.255'];
    index.setOwner('svc', ips.map((ip) => rr(`h.ns.svc.${Z}`, RRType.A, ip)));
    expect(lines(index.rrset(`h.ns.svc.${Z}`, RRType.A))).toEqual(ips.map((ip) => `h.ns.svc.${Z}. 5 IN A ${ip}`));
  });

  it('serves AAAA beside A at one name and as SRV additional data, A before AAAA', () => {
    const index = newIndex();
    const name = `dual.ns.svc.${Z}`;
    index.setOwner('svc', [
      rr(name, RRType.AAAA, 'fd00:96::30'),
      rr(name, RRType.A, '10.96.0.30'),
      rr(`_https._tcp.${name}`, RRType.SRV, srv(443, name, 0, 50)),
      rr('0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.0.d.f.ip6.arpa', RRType.PTR, name),
    ]);
    expect(lines(index.rrset(name, RRType.AAAA))).toEqual([`${name}. 5 IN AAAA fd00:96::30`]);
    expect(show(index.lookup(`_https._tcp.${name}`, RRType.SRV))).toEqual([
      `answer ${Z}`,
      `_https._tcp.${name}. 5 IN SRV 0 50 443 ${name}.`,
      `ADD ${name}. 5 IN A 10.96.0.30`,
      `ADD ${name}. 5 IN AAAA fd00:96::30`,
    ]);
    expect(lines(index.rrset('0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.0.d.f.ip6.arpa', RRType.PTR))).toEqual([
      `0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.0.d.f.ip6.arpa. 5 IN PTR ${name}.`,
    ]);
    index.deleteOwner('svc');
    expect(index.exists(name)).toBe(false);
    expect(index.exists('ip6.arpa')).toBe(true);
    expect(index.exists('d.f.ip6.arpa')).toBe(false);
  });

  it('lowercases PTR and SRV targets, and keeps a PTR with its own TTL apart from the index TTL', () => {
    const index = newIndex();
    index.setOwner('a', [
      rr('1.0.0.10.in-addr.arpa', RRType.PTR, `Web.NS.svc.${Z}.`),
      rr(`_http._tcp.web.ns.svc.${Z}`, RRType.SRV, srv(80, `WEB.ns.svc.${Z}.`)),
      rr('2.0.0.10.in-addr.arpa', RRType.PTR, `other.ns.svc.${Z}`, 60),
    ]);
    expect(lines(index.rrset('1.0.0.10.in-addr.arpa', RRType.PTR))).toEqual([`1.0.0.10.in-addr.arpa. 5 IN PTR web.ns.svc.${Z}.`]);
    expect(lines(index.rrset(`_http._tcp.web.ns.svc.${Z}`, RRType.SRV))).toEqual([`_http._tcp.web.ns.svc.${Z}. 5 IN SRV 0 100 80 web.ns.svc.${Z}.`]);
    expect(lines(index.rrset('2.0.0.10.in-addr.arpa', RRType.PTR))).toEqual([`2.0.0.10.in-addr.arpa. 60 IN PTR other.ns.svc.${Z}.`]);
  });

  it('serves SRV RDATA the packed form cannot hold (non-zero priority, weight and port at 65535)', () => {
    const index = newIndex();
    const name = `_x._tcp.s.ns.svc.${Z}`;
    index.setOwner('s', [rr(name, RRType.SRV, srv(65535, `t.ns.svc.${Z}`, 0, 65535)), rr(name, RRType.SRV, srv(1, `t.ns.svc.${Z}`, 7, 3))]);
    expect(lines(index.rrset(name, RRType.SRV))).toEqual([`${name}. 5 IN SRV 0 65535 65535 t.ns.svc.${Z}.`, `${name}. 5 IN SRV 7 3 1 t.ns.svc.${Z}.`]);
  });

  it('counts shared records at a name above the large-name threshold (a headless Service split over slices) and removes exactly', () => {
    const index = newIndex();
    const name = `big.ns.svc.${Z}`;
    const target = (i: number) => `big-${i}.big.ns.svc.${Z}`;
    const slice = (from: number, to: number) =>
      range(to - from).flatMap((k) => {
        const i = from + k;
        return [rr(name, RRType.A, `10.1.0.${i}`), rr(name, RRType.SRV, srv(8080, target(i), 0, 2)), rr(`${i}.0.1.10.in-addr.arpa`, RRType.PTR, target(i))];
      });
    index.setOwner('slice-1', slice(0, 30));
    index.setOwner('slice-2', slice(20, 50)); // 20..29 published by both
    expect(index.rrset(name, RRType.A)).toHaveLength(50);
    expect(index.rrset(name, RRType.SRV)).toHaveLength(50);
    expect(lines(index.rrset('25.0.1.10.in-addr.arpa', RRType.PTR))).toEqual([`25.0.1.10.in-addr.arpa. 5 IN PTR ${target(25)}.`]);

    index.deleteOwner('slice-1'); // the shared 20..29 stay, 0..19 go
    expect(lines(index.rrset(name, RRType.A))).toEqual(range(30).map((k) => `${name}. 5 IN A 10.1.0.${20 + k}`));
    expect(lines(index.rrset(name, RRType.SRV))).toEqual(range(30).map((k) => `${name}. 5 IN SRV 0 2 8080 ${target(20 + k)}.`));
    expect(index.exists('5.0.1.10.in-addr.arpa')).toBe(false);
    expect(index.exists('25.0.1.10.in-addr.arpa')).toBe(true);

    index.deleteOwner('slice-2');
    expect(index.exists(name)).toBe(false);
    expect(index.exists('0.1.10.in-addr.arpa')).toBe(false);
    expect(index.lookup(name, RRType.A).kind).toBe('nxdomain');
  });

  it('matches a record kept whole (another TTL) with its compact form at a large name, and removes it exactly', () => {
    const index = newIndex();
    const name = `big.ns.svc.${Z}`;
    index.setOwner('slice', range(20).map((i) => rr(name, RRType.A, `10.2.0.${i}`)));
    index.setOwner('other', [rr(name, RRType.A, '10.2.0.3', 30)]);
    const third = lines(index.rrset(name, RRType.A))[3];
    expect(third).toBe(`${name}. 30 IN A 10.2.0.3`); // the latest publisher's TTL, in its place
    expect(index.rrset(name, RRType.A)).toHaveLength(20);
    index.deleteOwner('slice');
    expect(lines(index.rrset(name, RRType.A))).toEqual([`${name}. 30 IN A 10.2.0.3`]);
    index.deleteOwner('other');
    expect(index.exists(name)).toBe(false);
  });

  it('hands out records a caller may change without changing the index', () => {
    const index = newIndex();
    const name = `web.ns.svc.${Z}`;
    index.setOwner('svc', [rr(name, RRType.A, '10.0.0.1'), rr(name, RRType.SRV, srv(80, name))]);
    const first = index.lookup(name, RRType.SRV);
    if (first.kind !== 'answer') throw new Error(first.kind);
    first.answer[0].ttl = 0;
    first.additional[0].ttl = 0;
    expect(show(index.lookup(name, RRType.SRV))).toEqual([`answer ${Z}`, `${name}. 5 IN SRV 0 100 80 ${name}.`, `ADD ${name}. 5 IN A 10.0.0.1`]);
  });

  it('treats an owner re-published with equal records as unchanged, and a changed SRV weight as a change of that name only', () => {
    const index = newIndex();
    const name = `web.ns.svc.${Z}`;
    const records = (weight: number) => [rr(name, RRType.A, '10.0.0.1'), rr(`_http._tcp.${name}`, RRType.SRV, srv(80, name, 0, weight)), rr(name, RRType.SRV, srv(80, name, 0, weight))];
    index.setOwner('svc', records(100));
    const changes: string[][] = [];
    index.onChange((names) => changes.push([...names].filter((n) => n !== Z).sort()));
    index.setOwner('svc', records(100));
    expect(changes).toEqual([]);
    index.setOwner('svc', records(50));
    expect(changes).toEqual([[`_http._tcp.${name}`, name].sort()]);
    expect(lines(index.rrset(name, RRType.SRV))).toEqual([`${name}. 5 IN SRV 0 50 80 ${name}.`]);
  });
});
