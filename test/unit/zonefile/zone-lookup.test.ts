import { beforeAll, describe, expect, it } from 'vitest';
import { formatRecord } from '../../../src/wire/presentation.js';
import { RCode, RRType } from '../../../src/wire/types.js';
import type { Zone, ZoneAnswer } from '../../../src/zonefile/zone.js';
import { parseZone } from './zone-files.js';

const ZONE = `
$TTL 300
@          3600 SOA ns1 hostmaster 7 7200 900 1209600 60
@          NS   ns1
@          NS   ns2.elsewhere.test.
ns1        A    192.0.2.53
@          MX   10 mail
@          MX   20 mail.elsewhere.test.
mail       A    192.0.2.25
mail       AAAA 2001:db8::25
_ldap._tcp SRV  0 100 389 ldap
ldap       A    192.0.2.30
www        A    192.0.2.10
docs       CNAME www
a          CNAME b
b          CNAME www
out        CNAME target.elsewhere.test.
inout      CNAME out
dangling   CNAME nothing
loop1      CNAME loop2
loop2      CNAME loop1
*.apps     A    192.0.2.80
*.apps     TXT  "wild"
static.apps A   192.0.2.81
deep.x.apps A   192.0.2.82
*.cn       CNAME www
lab        NS   ns.lab
lab        NS   ns.other.test.
ns.lab     A    192.0.2.100
into-lab   CNAME host.lab
`;

/** An answer as the lines a test expects. */
function show(answer: ZoneAnswer) {
  return {
    rcode: answer.rcode,
    aa: answer.authoritative,
    answer: answer.answer.map(formatRecord),
    authority: answer.authority.map(formatRecord),
    additional: answer.additional.map(formatRecord),
    ...(answer.chase === undefined ? {} : { chase: answer.chase }),
  };
}

const NEGATIVE_SOA = 'example.test. 60 IN SOA ns1.example.test. hostmaster.example.test. 7 7200 900 1209600 60';

describe('Zone.lookup (RFC 1034 4.3.2)', () => {
  let zone: Zone;
  beforeAll(async () => {
    zone = await parseZone(ZONE);
  });

  it('answers an RRset with AA and nothing else', () => {
    expect(show(zone.lookup('www.example.test', RRType.A))).toEqual({
      rcode: RCode.NOERROR,
      aa: true,
      answer: ['www.example.test. 300 IN A 192.0.2.10'],
      authority: [],
      additional: [],
    });
  });

  it('adds the in-zone addresses of MX exchanges, SRV targets and NS hosts, not those outside the zone', () => {
    expect(show(zone.lookup('example.test', RRType.MX)).additional).toEqual(['mail.example.test. 300 IN A 192.0.2.25', 'mail.example.test. 300 IN AAAA 2001:db8::25']);
    expect(show(zone.lookup('_ldap._tcp.example.test', RRType.SRV)).additional).toEqual(['ldap.example.test. 300 IN A 192.0.2.30']);
    expect(show(zone.lookup('example.test', RRType.NS)).additional).toEqual(['ns1.example.test. 300 IN A 192.0.2.53']);
  });

  it('NODATA: NOERROR, no answer, the SOA in authority with TTL min(SOA TTL, minimum) (RFC 2308 3)', () => {
    expect(show(zone.lookup('www.example.test', RRType.AAAA))).toEqual({ rcode: RCode.NOERROR, aa: true, answer: [], authority: [NEGATIVE_SOA], additional: [] });
  });

  it('NXDOMAIN with the SOA for a name that does not exist', () => {
    expect(show(zone.lookup('nope.example.test', RRType.A))).toEqual({ rcode: RCode.NXDOMAIN, aa: true, answer: [], authority: [NEGATIVE_SOA], additional: [] });
  });

  it('an empty non-terminal exists: NODATA, not NXDOMAIN (RFC 4592 2.2.2)', () => {
    expect(show(zone.lookup('_tcp.example.test', RRType.A)).rcode).toBe(RCode.NOERROR);
    expect(show(zone.lookup('x.apps.example.test', RRType.A))).toEqual({ rcode: RCode.NOERROR, aa: true, answer: [], authority: [NEGATIVE_SOA], additional: [] });
  });

  it('ANY returns every RRset at the name', () => {
    expect(show(zone.lookup('mail.example.test', RRType.ANY)).answer).toEqual(['mail.example.test. 300 IN A 192.0.2.25', 'mail.example.test. 300 IN AAAA 2001:db8::25']);
  });

  it('follows a CNAME chain inside the zone and answers the target', () => {
    expect(show(zone.lookup('a.example.test', RRType.A))).toEqual({
      rcode: RCode.NOERROR,
      aa: true,
      answer: ['a.example.test. 300 IN CNAME b.example.test.', 'b.example.test. 300 IN CNAME www.example.test.', 'www.example.test. 300 IN A 192.0.2.10'],
      authority: [],
      additional: [],
    });
  });

  it('a CNAME question gets the CNAME itself, not its target', () => {
    expect(show(zone.lookup('docs.example.test', RRType.CNAME)).answer).toEqual(['docs.example.test. 300 IN CNAME www.example.test.']);
  });

  it('a chain to a target that has no such type ends in NODATA, to a missing name in NXDOMAIN (RFC 6604)', () => {
    expect(show(zone.lookup('docs.example.test', RRType.MX))).toEqual({
      rcode: RCode.NOERROR,
      aa: true,
      answer: ['docs.example.test. 300 IN CNAME www.example.test.'],
      authority: [NEGATIVE_SOA],
      additional: [],
    });
    expect(show(zone.lookup('dangling.example.test', RRType.A))).toEqual({
      rcode: RCode.NXDOMAIN,
      aa: true,
      answer: ['dangling.example.test. 300 IN CNAME nothing.example.test.'],
      authority: [NEGATIVE_SOA],
      additional: [],
    });
  });

  it('a chain that leaves the zone returns the chain so far and the target to chase', () => {
    expect(show(zone.lookup('inout.example.test', RRType.A))).toEqual({
      rcode: RCode.NOERROR,
      aa: true,
      answer: ['inout.example.test. 300 IN CNAME out.example.test.', 'out.example.test. 300 IN CNAME target.elsewhere.test.'],
      authority: [],
      additional: [],
      chase: 'target.elsewhere.test',
    });
  });

  it('cuts a CNAME loop after each name once', () => {
    expect(show(zone.lookup('loop1.example.test', RRType.A)).answer).toEqual([
      'loop1.example.test. 300 IN CNAME loop2.example.test.',
      'loop2.example.test. 300 IN CNAME loop1.example.test.',
    ]);
  });
});

describe('wildcards (RFC 4592)', () => {
  let zone: Zone;
  beforeAll(async () => {
    zone = await parseZone(ZONE);
  });

  it('a name that does not exist is answered from *.<closest encloser>, renamed to the name', () => {
    expect(show(zone.lookup('anything.apps.example.test', RRType.A)).answer).toEqual(['anything.apps.example.test. 300 IN A 192.0.2.80']);
    expect(show(zone.lookup('anything.apps.example.test', RRType.ANY)).answer).toEqual([
      'anything.apps.example.test. 300 IN A 192.0.2.80',
      'anything.apps.example.test. 300 IN TXT "wild"',
    ]);
  });

  it('a wildcard without the type gives NODATA', () => {
    expect(show(zone.lookup('anything.apps.example.test', RRType.AAAA))).toEqual({ rcode: RCode.NOERROR, aa: true, answer: [], authority: [NEGATIVE_SOA], additional: [] });
  });

  it('never matches a name that exists', () => {
    expect(show(zone.lookup('static.apps.example.test', RRType.A)).answer).toEqual(['static.apps.example.test. 300 IN A 192.0.2.81']);
    expect(show(zone.lookup('static.apps.example.test', RRType.TXT)).answer).toEqual([]);
  });

  it('never matches below an existing name or an empty non-terminal (the closest encloser rule)', () => {
    // x.apps exists (as the parent of deep.x.apps): its closest encloser for y.x.apps is x.apps, which has no *.
    expect(show(zone.lookup('y.x.apps.example.test', RRType.A)).rcode).toBe(RCode.NXDOMAIN);
    expect(show(zone.lookup('below.static.apps.example.test', RRType.A)).rcode).toBe(RCode.NXDOMAIN);
  });

  it('matches several labels deep when the closest encloser is the wildcard parent', () => {
    expect(show(zone.lookup('a.b.apps.example.test', RRType.A)).answer).toEqual(['a.b.apps.example.test. 300 IN A 192.0.2.80']);
  });

  it('a wildcard CNAME is synthesized and then followed', () => {
    expect(show(zone.lookup('x.cn.example.test', RRType.A)).answer).toEqual(['x.cn.example.test. 300 IN CNAME www.example.test.', 'www.example.test. 300 IN A 192.0.2.10']);
  });
});

describe('delegations', () => {
  let zone: Zone;
  beforeAll(async () => {
    zone = await parseZone(ZONE);
  });

  const referral = {
    rcode: RCode.NOERROR,
    aa: false,
    answer: [],
    authority: ['lab.example.test. 300 IN NS ns.lab.example.test.', 'lab.example.test. 300 IN NS ns.other.test.'],
    additional: ['ns.lab.example.test. 300 IN A 192.0.2.100'],
  };

  it('a name below a zone cut gets a referral: NOERROR, no AA, NS in authority, glue in additional', () => {
    expect(show(zone.lookup('host.lab.example.test', RRType.A))).toEqual(referral);
  });

  it('the cut itself refers too, and glue is not answered authoritatively', () => {
    expect(show(zone.lookup('lab.example.test', RRType.A))).toEqual(referral);
    expect(show(zone.lookup('ns.lab.example.test', RRType.A))).toEqual(referral);
  });

  it('a DS question at the cut is the parent side: answered here, NODATA (RFC 4035 3.1.4.1)', () => {
    expect(show(zone.lookup('lab.example.test', 43))).toEqual({ rcode: RCode.NOERROR, aa: true, answer: [], authority: [NEGATIVE_SOA], additional: [] });
  });

  it('a CNAME into delegated space answers the chain with the referral in authority', () => {
    expect(show(zone.lookup('into-lab.example.test', RRType.A))).toEqual({ ...referral, aa: true, answer: ['into-lab.example.test. 300 IN CNAME host.lab.example.test.'] });
  });
});
