import { describe, expect, it } from 'vitest';
import { AnswerCache, compileResult } from '../../../src/records/answer-cache.js';
import { RecordIndex } from '../../../src/records/record-index.js';
import { RCode, RRType } from '../../../src/wire/types.js';
import { replay, rr, soaLine, srv } from './helpers.js';

const Z = 'cluster.local';
const HELLO = 'hello.ns.svc.cluster.local';
const SRV_NAME = '_http._tcp.hello.ns.svc.cluster.local';
const EP = 'ep.hello.ns.svc.cluster.local';

function setup(options: { maxNegativePerZone?: number; maxPositive?: number } = { maxNegativePerZone: 100 }) {
  const clock = { now: 1000 };
  const index = new RecordIndex({ zones: [Z, 'in-addr.arpa'], ttl: 5, now: () => clock.now });
  const cache = new AnswerCache(index, options);
  index.setOwner('hello', [
    rr(HELLO, RRType.A, '10.96.0.20'),
    rr(SRV_NAME, RRType.SRV, srv(80, EP)),
    rr('20.0.96.10.in-addr.arpa', RRType.PTR, HELLO),
  ]);
  index.setOwner('ep', [rr(EP, RRType.A, '10.244.0.5')]);
  index.setOwner('alias', [rr('alias.ns.svc.cluster.local', RRType.CNAME, HELLO)]);
  index.setOwner('ext', [rr('ext.ns.svc.cluster.local', RRType.CNAME, 'my.database.example.com')]);
  index.setOwner('rev', [rr('rev.ns.svc.cluster.local', RRType.CNAME, '30.0.96.10.in-addr.arpa')]);
  index.setOwner('zone', [rr(Z, RRType.NS, 'ns.dns.cluster.local'), rr('ns.dns.cluster.local', RRType.A, '10.96.0.10')]);
  index.setOwner('ns', [], ['ns.svc.cluster.local']);
  const tick = () => (clock.now += 1);
  const get = (qname: string, qtype: number) => {
    const compiled = cache.get(qname, qtype);
    if (compiled === null) throw new Error(`no answer for ${qname}`);
    return compiled;
  };
  return { index, cache, tick, get, clock };
}

describe('AnswerCache replies (rcode mapping, AA, sections)', () => {
  const { get, index } = setup();
  const serial = index.serial(Z);
  const cases: Array<[string, string, number, { rcode: number; answer: string[]; authority: string[]; additional: string[] }]> = [
    ['answer → NOERROR', HELLO, RRType.A, { rcode: RCode.NOERROR, answer: [`${HELLO}. 5 IN A 10.96.0.20`], authority: [], additional: [] }],
    ['SRV with additional', SRV_NAME, RRType.SRV, {
      rcode: RCode.NOERROR,
      answer: [`${SRV_NAME}. 5 IN SRV 0 100 80 ${EP}.`],
      authority: [],
      additional: [`${EP}. 5 IN A 10.244.0.5`],
    }],
    ['NODATA → NOERROR, SOA in authority', HELLO, RRType.AAAA, { rcode: RCode.NOERROR, answer: [], authority: [soaLine(Z, serial)], additional: [] }],
    ['NODATA at an existing namespace', 'ns.svc.cluster.local', RRType.A, { rcode: RCode.NOERROR, answer: [], authority: [soaLine(Z, serial)], additional: [] }],
    ['NXDOMAIN, SOA in authority', 'nope.ns.svc.cluster.local', RRType.A, { rcode: RCode.NXDOMAIN, answer: [], authority: [soaLine(Z, serial)], additional: [] }],
    ['CNAME chain followed', 'alias.ns.svc.cluster.local', RRType.A, {
      rcode: RCode.NOERROR,
      answer: [`alias.ns.svc.cluster.local. 5 IN CNAME ${HELLO}.`, `${HELLO}. 5 IN A 10.96.0.20`],
      authority: [],
      additional: [],
    }],
    ['CNAME out of zone: the chain, NOERROR', 'ext.ns.svc.cluster.local', RRType.A, {
      rcode: RCode.NOERROR,
      answer: ['ext.ns.svc.cluster.local. 5 IN CNAME my.database.example.com.'],
      authority: [],
      additional: [],
    }],
    ['CNAME to a missing name in another zone: NXDOMAIN with the chain and that zone\'s SOA', 'rev.ns.svc.cluster.local', RRType.PTR, {
      rcode: RCode.NXDOMAIN,
      answer: ['rev.ns.svc.cluster.local. 5 IN CNAME 30.0.96.10.in-addr.arpa.'],
      authority: [soaLine('in-addr.arpa', index.serial('in-addr.arpa'))],
      additional: [],
    }],
    ['apex NS with the address', Z, RRType.NS, { rcode: RCode.NOERROR, answer: ['cluster.local. 5 IN NS ns.dns.cluster.local.'], authority: [], additional: ['ns.dns.cluster.local. 5 IN A 10.96.0.10'] }],
    ['PTR in the reverse zone', '20.0.96.10.in-addr.arpa', RRType.PTR, { rcode: RCode.NOERROR, answer: [`20.0.96.10.in-addr.arpa. 5 IN PTR ${HELLO}.`], authority: [], additional: [] }],
  ];
  it.each(cases)('%s', (_title, qname, qtype, expected) => {
    expect(replay(qname, qtype, get(qname, qtype))).toEqual({ ...expected, aa: true });
  });

  it('replays to a question in any letter case, owner names spelled as asked', () => {
    const reply = replay('HeLLo.NS.svc.Cluster.Local', RRType.A, get(HELLO, RRType.A));
    expect(reply.answer).toEqual(['HeLLo.NS.svc.Cluster.Local. 5 IN A 10.96.0.20']);
  });

  it('answers null outside its zones', () => {
    expect(setup().cache.get('example.com', RRType.A)).toBeNull();
    expect(setup().cache.get('', RRType.NS)).toBeNull();
  });

  it('compileResult maps notauth to REFUSED without AA', () => {
    const compiled = compileResult('example.com', RRType.A, { kind: 'notauth' });
    expect([compiled.rcode, compiled.authoritative, compiled.answerCount]).toEqual([RCode.REFUSED, false, 0]);
  });
});

describe('AnswerCache invalidation', () => {
  it('returns the same compiled answer until the index changes that name', () => {
    const { index, get, tick } = setup();
    const first = get(HELLO, RRType.A);
    expect(get(HELLO, RRType.A)).toBe(first);
    tick();
    index.setOwner('hello', [rr(HELLO, RRType.A, '10.96.0.21')]);
    const second = get(HELLO, RRType.A);
    expect(second).not.toBe(first);
    expect(replay(HELLO, RRType.A, second).answer).toEqual([`${HELLO}. 5 IN A 10.96.0.21`]);
  });

  it('keeps answers whose names did not change', () => {
    const { index, get, tick } = setup();
    const hello = get(HELLO, RRType.A);
    const srvAnswer = get(SRV_NAME, RRType.SRV);
    const ptr = get('20.0.96.10.in-addr.arpa', RRType.PTR);
    const ns = get(Z, RRType.NS);
    index.setOwner('other', [rr('other.ns.svc.cluster.local', RRType.A, '10.96.0.99')]); // same second
    expect(get(Z, RRType.NS)).toBe(ns);
    tick();
    index.setOwner('other', [rr('other.ns.svc.cluster.local', RRType.A, '10.96.0.98')]);
    expect(get(HELLO, RRType.A)).toBe(hello);
    expect(get(SRV_NAME, RRType.SRV)).toBe(srvAnswer);
    expect(get('20.0.96.10.in-addr.arpa', RRType.PTR)).toBe(ptr);
    // The apex is reported changed whenever its SOA serial moves, so answers read at the apex recompile.
    expect(get(Z, RRType.NS)).not.toBe(ns);
  });

  it('recompiles an SRV answer when its target\'s address changes', () => {
    const { index, get, tick } = setup();
    expect(replay(SRV_NAME, RRType.SRV, get(SRV_NAME, RRType.SRV)).additional).toEqual([`${EP}. 5 IN A 10.244.0.5`]);
    tick();
    index.setOwner('ep', [rr(EP, RRType.A, '10.244.0.6'), rr(EP, RRType.AAAA, 'fd00::6')]);
    expect(replay(SRV_NAME, RRType.SRV, get(SRV_NAME, RRType.SRV)).additional).toEqual([`${EP}. 5 IN A 10.244.0.6`, `${EP}. 5 IN AAAA fd00::6`]);
    index.deleteOwner('ep');
    expect(replay(SRV_NAME, RRType.SRV, get(SRV_NAME, RRType.SRV)).additional).toEqual([]);
  });

  it('recompiles an NS answer when the nameserver address changes', () => {
    const { index, get } = setup();
    get(Z, RRType.NS);
    index.setOwner('zone', [rr(Z, RRType.NS, 'ns.dns.cluster.local'), rr('ns.dns.cluster.local', RRType.A, '10.96.0.11')]);
    expect(replay(Z, RRType.NS, get(Z, RRType.NS)).additional).toEqual(['ns.dns.cluster.local. 5 IN A 10.96.0.11']);
  });

  it('recompiles a CNAME chain when its target changes, and when the CNAME goes', () => {
    const { index, get, tick } = setup();
    const alias = 'alias.ns.svc.cluster.local';
    get(alias, RRType.A);
    tick();
    index.setOwner('hello', [rr(HELLO, RRType.A, '10.96.0.21')]);
    expect(replay(alias, RRType.A, get(alias, RRType.A)).answer).toEqual([`${alias}. 5 IN CNAME ${HELLO}.`, `${HELLO}. 5 IN A 10.96.0.21`]);
    index.batch(() => {
      index.deleteOwner('hello');
      index.deleteOwner('ep'); // hello.ns.svc would otherwise live on as the parent of ep.hello.ns.svc
    });
    expect(replay(alias, RRType.A, get(alias, RRType.A))).toMatchObject({ rcode: RCode.NXDOMAIN, answer: [`${alias}. 5 IN CNAME ${HELLO}.`] });
    index.deleteOwner('alias');
    expect(replay(alias, RRType.A, get(alias, RRType.A))).toMatchObject({ rcode: RCode.NXDOMAIN, answer: [] });
  });

  it('recompiles a negative answer behind a CNAME when its target appears in another zone', () => {
    const { index, get, tick } = setup();
    const rev = 'rev.ns.svc.cluster.local';
    expect(replay(rev, RRType.PTR, get(rev, RRType.PTR)).rcode).toBe(RCode.NXDOMAIN);
    tick();
    index.setOwner('ptr', [rr('30.0.96.10.in-addr.arpa', RRType.PTR, HELLO)]);
    expect(replay(rev, RRType.PTR, get(rev, RRType.PTR))).toMatchObject({
      rcode: RCode.NOERROR,
      answer: [`${rev}. 5 IN CNAME 30.0.96.10.in-addr.arpa.`, `30.0.96.10.in-addr.arpa. 5 IN PTR ${HELLO}.`],
    });
  });

  it('turns a cached NXDOMAIN into an answer when the name appears, and back', () => {
    const { index, get, tick } = setup();
    const qname = 'new.ns.svc.cluster.local';
    expect(replay(qname, RRType.A, get(qname, RRType.A)).rcode).toBe(RCode.NXDOMAIN);
    tick();
    index.setOwner('new', [rr(qname, RRType.A, '10.96.0.99')]);
    expect(replay(qname, RRType.A, get(qname, RRType.A))).toMatchObject({ rcode: RCode.NOERROR, answer: [`${qname}. 5 IN A 10.96.0.99`] });
    index.deleteOwner('new');
    expect(replay(qname, RRType.A, get(qname, RRType.A)).rcode).toBe(RCode.NXDOMAIN);
  });

  it('turns a cached NODATA into an answer when the type appears', () => {
    const { index, get } = setup();
    expect(replay(HELLO, RRType.AAAA, get(HELLO, RRType.AAAA))).toMatchObject({ rcode: RCode.NOERROR, answer: [] });
    index.setOwner('hello-v6', [rr(HELLO, RRType.AAAA, 'fd00::20')]);
    expect(replay(HELLO, RRType.AAAA, get(HELLO, RRType.AAAA)).answer).toEqual([`${HELLO}. 5 IN AAAA fd00::20`]);
  });

  it('turns a cached NXDOMAIN into NODATA when a name appears below it (empty non-terminal)', () => {
    const { index, get } = setup();
    const team = 'team.svc.cluster.local';
    expect(replay(team, RRType.A, get(team, RRType.A)).rcode).toBe(RCode.NXDOMAIN);
    index.setOwner('x', [rr(`web.${team}`, RRType.A, '10.96.1.1')]);
    expect(replay(team, RRType.A, get(team, RRType.A))).toMatchObject({ rcode: RCode.NOERROR, answer: [] });
  });

  it('moves the SOA serial in cached negative answers forward on a change', () => {
    const { index, get, clock } = setup();
    const qname = 'nope.ns.svc.cluster.local';
    expect(replay(qname, RRType.A, get(qname, RRType.A)).authority).toEqual([soaLine(Z, 1000)]);
    clock.now = 1060;
    index.setOwner('elsewhere', [rr('elsewhere.ns.svc.cluster.local', RRType.A, '10.96.0.50')]);
    expect(replay(qname, RRType.A, get(qname, RRType.A)).authority).toEqual([soaLine(Z, 1060)]);
    expect(replay(Z, RRType.SOA, get(Z, RRType.SOA)).answer).toEqual([soaLine(Z, 1060)]);
  });

  it('drops a zone\'s negative answers on a change in it, and keeps other zones\' ones', () => {
    const { index, get, tick } = setup();
    const clusterMiss = get('nope.ns.svc.cluster.local', RRType.A);
    const reverseMiss = get('99.0.96.10.in-addr.arpa', RRType.PTR);
    tick();
    index.setOwner('x', [rr('x.ns.svc.cluster.local', RRType.A, '10.96.0.51')]);
    expect(get('nope.ns.svc.cluster.local', RRType.A)).not.toBe(clusterMiss);
    expect(get('99.0.96.10.in-addr.arpa', RRType.PTR)).toBe(reverseMiss);
  });
});

describe('AnswerCache bounds', () => {
  it('bounds negative entries under a storm of random names', () => {
    const { cache, get } = setup({ maxNegativePerZone: 100 });
    for (let i = 0; i < 5000; i++) get(`random-${i}.ns.svc.cluster.local.ns.svc.cluster.local`, RRType.A);
    for (let i = 0; i < 500; i++) get(`random-${i}.in-addr.arpa`, RRType.PTR);
    expect(cache.size.negative).toBeLessThanOrEqual(200);
    expect(cache.size.negative).toBeGreaterThan(0);
    // Still correct after the cap was hit.
    expect(replay('nope.ns.svc.cluster.local', RRType.A, get('nope.ns.svc.cluster.local', RRType.A)).rcode).toBe(RCode.NXDOMAIN);
  });

  it('shares one NXDOMAIN tail among names whose zone starts at the same offset, whatever their length', () => {
    const { cache, get } = setup();
    const a = get('aaaa.ns.svc.cluster.local', RRType.A);
    expect(get('bbbb.ns.svc.cluster.local', RRType.AAAA)).toBe(a); // same offset, another name and type
    expect(get('cc.dddd.svc.cluster.local', RRType.A)).toBe(a); // same offset, other labels
    expect(get('aaaaa.ns.svc.cluster.local', RRType.A)).not.toBe(a);
    // Replayed against real questions of many shapes (one label up to several 63-byte ones), the pointers
    // land on the zone in each question: the SOA owner and its names decode as the zone's.
    const labels = [1, 2, 62, 63, 64, 65, 127, 128, 190].map((n) => 'q'.repeat(Math.min(n, 63)) + (n > 63 ? `.${'r'.repeat(n - 63 > 63 ? 63 : n - 63)}` : ''));
    for (const prefix of labels) {
      const qname = `${prefix}.cluster.local`;
      const reply = replay(qname, RRType.A, get(qname, RRType.A));
      expect(reply.rcode).toBe(RCode.NXDOMAIN);
      expect(reply.authority).toHaveLength(1);
      expect(reply.authority[0]).toMatch(/^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/);
    }
    // NODATA at an existing name keeps its own rcode.
    expect(replay('svc.cluster.local', RRType.A, get('svc.cluster.local', RRType.A))).toMatchObject({ rcode: RCode.NOERROR, answer: [] });
  });

  it('keeps a negative answer clients keep asking for through a storm of one-off names', () => {
    const { cache, get } = setup({ maxNegativePerZone: 100 });
    const searchPath = `${HELLO}.ns.svc.cluster.local`; // an ndots:5 search-path expansion, asked all the time
    const hot = get(searchPath, RRType.A);
    for (let i = 0; i < 5000; i++) {
      get(`random-${i}.cluster.local`, RRType.A);
      if (i % 10 === 0) expect(get(searchPath, RRType.A)).toBe(hot);
    }
    expect(cache.size.negative).toBeLessThanOrEqual(100);
  });

  it('bounds positive entries (any qtype at a CNAME owner is a positive answer)', () => {
    const { cache, get } = setup({ maxPositive: 50 });
    for (let qtype = 1000; qtype < 1500; qtype++) get('ext.ns.svc.cluster.local', qtype);
    expect(cache.size.positive).toBeLessThanOrEqual(50);
    expect(replay(HELLO, RRType.A, get(HELLO, RRType.A)).answer).toEqual([`${HELLO}. 5 IN A 10.96.0.20`]);
  });

  it('releases the dependency bookkeeping of dropped entries', () => {
    const { index, cache, get, tick } = setup();
    for (let i = 0; i < 20; i++) {
      get(SRV_NAME, RRType.SRV);
      get('alias.ns.svc.cluster.local', RRType.A);
      tick();
      index.setOwner('ep', [rr(EP, RRType.A, `10.244.0.${i}`)]);
      index.setOwner('hello', [rr(HELLO, RRType.A, `10.96.0.${i}`), rr(SRV_NAME, RRType.SRV, srv(80, EP))]);
    }
    expect(cache.size.positive).toBe(0);
    expect((cache as unknown as { dependents: Map<string, Set<string>> }).dependents.size).toBe(0);
  });
});
