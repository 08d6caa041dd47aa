import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/errors.js';
import { createMessage, decodeMessage, encodeMessage } from '../../../src/wire/message.js';
import { RRClass, RRType } from '../../../src/wire/types.js';
import { SOA, lines, parseError, parseZone } from './zone-files.js';

const SOA_LINE = 'example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 1 7200 900 1209600 60';

describe('zone file directives (RFC 1035 5.1, RFC 2308 4)', () => {
  it('completes relative names with the origin; "@" is the origin; names ending in "." are absolute', async () => {
    const zone = await parseZone(`${SOA}\nwww 60 A 192.0.2.1\n@ 60 NS ns.elsewhere.example.\nalias.example.test. 60 CNAME www\n`);
    expect(lines(zone)).toEqual([
      'alias.example.test. 60 IN CNAME www.example.test.',
      SOA_LINE,
      'example.test. 60 IN NS ns.elsewhere.example.',
      'www.example.test. 60 IN A 192.0.2.1',
    ]);
  });

  it('$ORIGIN before the first record sets the apex, whatever the file name; later ones change relative names only', async () => {
    const zone = await parseZone(`$ORIGIN other.test.\n${SOA}\n$ORIGIN sub\nhost 60 A 192.0.2.2\n$ORIGIN other.test.\nx 60 A 192.0.2.3\n`, 'file-name.test');
    expect(zone.origin).toBe('other.test');
    expect(lines(zone)).toContain('host.sub.other.test. 60 IN A 192.0.2.2');
    expect(lines(zone)).toContain('x.other.test. 60 IN A 192.0.2.3');
  });

  it('$TTL is the default TTL; explicit TTLs win and take units (1h30m = 5400)', async () => {
    const zone = await parseZone(`$TTL 120\n${SOA}\na A 192.0.2.1\nb 1h30m A 192.0.2.2\nc 1w A 192.0.2.3\n`);
    expect(lines(zone).filter((line) => line.includes(' A '))).toEqual([
      'a.example.test. 120 IN A 192.0.2.1',
      'b.example.test. 5400 IN A 192.0.2.2',
      'c.example.test. 604800 IN A 192.0.2.3',
    ]);
  });

  it('without $TTL a record takes the previous TTL (RFC 1035 5.1) and an SOA without TTL its own minimum', async () => {
    const zone = await parseZone('@ IN SOA ns1 hostmaster 1 7200 900 1209600 45\na A 192.0.2.1\nb 30 A 192.0.2.2\nc A 192.0.2.3\n');
    expect(lines(zone)).toEqual([
      'a.example.test. 45 IN A 192.0.2.1',
      'b.example.test. 30 IN A 192.0.2.2',
      'c.example.test. 30 IN A 192.0.2.3',
      'example.test. 45 IN SOA ns1.example.test. hostmaster.example.test. 1 7200 900 1209600 45',
    ]);
  });

  it('$INCLUDE reads a file of the zones directory with its own origin, and the including origin resumes after', async () => {
    const zone = await parseZone(`${SOA}\n$INCLUDE hosts.inc sub.example.test.\nafter 60 A 192.0.2.9\n`, 'example.test', {
      'hosts.inc': 'h1 60 A 192.0.2.1\n@ 60 TXT "sub"\n',
    });
    expect(lines(zone)).toEqual([
      'after.example.test. 60 IN A 192.0.2.9',
      SOA_LINE,
      'h1.sub.example.test. 60 IN A 192.0.2.1',
      'sub.example.test. 60 IN TXT "sub"',
    ]);
    expect(zone.files.map((file) => file.split('/').pop())).toEqual(['example.test.db', 'hosts.inc']);
  });

  it('$INCLUDE of a file outside the zones directory is an error at the $INCLUDE', async () => {
    const err = await parseError(`${SOA}\n  ; comment\n$INCLUDE ../../etc/passwd\n`);
    expect(err.code).toBe(ErrorCodes.ZONE_INCLUDE);
    expect(err.message).toMatch(/example\.test\.db:3:10: \$INCLUDE \.\.\/\.\.\/etc\/passwd is outside the zones directory/);
  });

  it('$INCLUDE of a missing file names the including line', async () => {
    const err = await parseError(`${SOA}\n$INCLUDE missing.inc\n`);
    expect(err.code).toBe(ErrorCodes.ZONE_READ);
    expect(err.message).toMatch(/example\.test\.db:2:1: cannot read zone file .*missing\.inc: ENOENT/);
  });

  it('$INCLUDE of a file that includes itself stops at 8 levels with an error', async () => {
    const err = await parseError(`${SOA}\n$INCLUDE self.inc\n`, 'example.test', { 'self.inc': 'x 60 A 192.0.2.1\n$INCLUDE self.inc\n' });
    expect(err.code).toBe(ErrorCodes.ZONE_PARSE);
    expect(err.message).toMatch(/self\.inc:2:1: \$INCLUDE nested deeper than 8 files$/);
  });

  it('an error inside an included file names that file, line and column', async () => {
    const err = await parseError(`${SOA}\n$INCLUDE bad.inc\n`, 'example.test', { 'bad.inc': 'ok 60 A 192.0.2.1\nbad 60 A 300.1.1.1\n' });
    expect(err.code).toBe(ErrorCodes.ZONE_PARSE);
    expect(err.message).toMatch(/bad\.inc:2:10: "300\.1\.1\.1" is not an IPv4 address$/);
  });
});

describe('zone file syntax', () => {
  it('parentheses span lines and comments end at the line end', async () => {
    const zone = await parseZone('@ 3600 IN SOA ( ns1   ; primary\n  hostmaster ; mailbox\n  1 7200 ( 900 )\n  1209600\n  60 ) ; done\n');
    expect(lines(zone)).toEqual([SOA_LINE]);
  });

  it('reads CRLF line ends and skips a byte-order mark', async () => {
    const zone = await parseZone(`\ufeff${SOA}\r\nwww 60 A 192.0.2.1\r\n  60 TXT "crlf"\r\n`);
    expect(lines(zone)).toEqual([SOA_LINE, 'www.example.test. 60 IN A 192.0.2.1', 'www.example.test. 60 IN TXT "crlf"']);
  });

  it('a line starting with a blank belongs to the previous owner', async () => {
    const zone = await parseZone(`${SOA}\nwww 60 A 192.0.2.1\n\t60 AAAA 2001:db8::1\n  ; a comment line does not change the owner\n   60 TXT "still www"\n`);
    expect(lines(zone).filter((line) => line.startsWith('www'))).toEqual([
      'www.example.test. 60 IN A 192.0.2.1',
      'www.example.test. 60 IN AAAA 2001:db8::1',
      'www.example.test. 60 IN TXT "still www"',
    ]);
  });

  it('takes TTL and class in either order, or either alone', async () => {
    const zone = await parseZone(`${SOA}\na 60 IN A 192.0.2.1\nb IN 61 A 192.0.2.2\nc in 62 a 192.0.2.3\nd 63 A 192.0.2.4\n`);
    expect(lines(zone).filter((line) => / A /.test(line))).toEqual([
      'a.example.test. 60 IN A 192.0.2.1',
      'b.example.test. 61 IN A 192.0.2.2',
      'c.example.test. 62 IN A 192.0.2.3',
      'd.example.test. 63 IN A 192.0.2.4',
    ]);
  });

  it('decodes quoted strings and escapes: \\" \\; \\DDD, and \\. inside a label', async () => {
    const zone = await parseZone(`${SOA}\nt 60 TXT "say \\"hi\\"; ok" semi\\;colon \\065\\066C\ndot\\.ted 60 A 192.0.2.1\n`);
    expect(lines(zone)).toContain('t.example.test. 60 IN TXT "say \\"hi\\"; ok" "semi;colon" "ABC"');
    expect(lines(zone)).toContain('dot\\.ted.example.test. 60 IN A 192.0.2.1');
  });

  it('lowercases owner names and reads \\DDD letters as themselves', async () => {
    const zone = await parseZone(`${SOA}\nWWW.Example.TEST. 60 A 192.0.2.1\n\\087x 60 A 192.0.2.2\n`);
    expect(lines(zone)).toContain('www.example.test. 60 IN A 192.0.2.1');
    expect(lines(zone)).toContain('wx.example.test. 60 IN A 192.0.2.2');
  });
});

describe('record types', () => {
  it('reads SOA, NS, A, AAAA, CNAME, MX, TXT, SRV, PTR and CAA', async () => {
    const inside = await parseZone(
      [
        SOA,
        '@ 60 NS ns1',
        'ns1 60 A 192.0.2.53',
        'v6 60 AAAA 2001:DB8:0:0::1',
        'alias 60 CNAME ns1',
        '@ 60 MX 10 mail.example.test.',
        'txt 60 TXT "one" two',
        '_sip._udp 60 SRV 10 20 5060 sip',
        'ptr 60 PTR host',
        '@ 60 CAA 128 Issue "ca.example.net"',
      ].join('\n'),
    );
    expect(lines(inside)).toEqual([
      '_sip._udp.example.test. 60 IN SRV 10 20 5060 sip.example.test.',
      'alias.example.test. 60 IN CNAME ns1.example.test.',
      SOA_LINE,
      'example.test. 60 IN CAA 128 issue "ca.example.net"',
      'example.test. 60 IN MX 10 mail.example.test.',
      'example.test. 60 IN NS ns1.example.test.',
      'ns1.example.test. 60 IN A 192.0.2.53',
      'ptr.example.test. 60 IN PTR host.example.test.',
      'txt.example.test. 60 IN TXT "one" "two"',
      'v6.example.test. 60 IN AAAA 2001:db8::1',
    ]);
  });

  it('keeps a TXT string longer than 255 octets whole in the zone and splits it at 255 on the wire', async () => {
    const long = 'x'.repeat(300);
    const zone = await parseZone(`${SOA}\nlong 60 TXT "${long}" "short"\n`);
    const [record] = zone.rrset('long.example.test', RRType.TXT);
    expect(record.data).toEqual([long, 'short']);
    const message = createMessage({ qr: true, questions: [{ name: 'long.example.test', type: RRType.TXT, class: RRClass.IN }], answers: [record] });
    expect(decodeMessage(encodeMessage(message)).answers[0].data).toEqual(['x'.repeat(255), 'x'.repeat(45), 'short']);
  });

  it('reads unknown types in the generic form of RFC 3597 (TYPE65280 \\# 4 ...)', async () => {
    const zone = await parseZone(`${SOA}\nx 60 TYPE65280 \\# 4 0a00 0001\nempty 60 TYPE65281 \\# 0\n`);
    expect(lines(zone)).toContain('x.example.test. 60 IN TYPE65280 \\# 4 0a000001');
    expect(lines(zone)).toContain('empty.example.test. 60 IN TYPE65281 \\# 0');
  });

  it('reads known types in the generic form into the same record as their own form (RFC 3597 5)', async () => {
    const zone = await parseZone(`${SOA}\na 60 A \\# 4 C0000201\nb 60 TYPE1 \\# 4 c0000202\nm 60 MX \\# 8 000a 046d61696c00\n`);
    expect(lines(zone)).toContain('a.example.test. 60 IN A 192.0.2.1');
    expect(lines(zone)).toContain('b.example.test. 60 IN A 192.0.2.2');
    expect(lines(zone)).toContain('m.example.test. 60 IN MX 10 mail.');
  });

  it('keeps TXT octets that are not UTF-8 as they are, as opaque RDATA', async () => {
    const zone = await parseZone(`${SOA}\nbin 60 TXT "\\255\\000"\n`);
    expect(lines(zone)).toContain('bin.example.test. 60 IN TXT \\# 3 02ff00');
  });

  it('drops a duplicate record and gives an RRset the lowest TTL of its records (RFC 2181 5, 5.2)', async () => {
    const zone = await parseZone(`${SOA}\na 60 A 192.0.2.1\na 30 A 192.0.2.2\na 90 A 192.0.2.1\n`);
    expect(lines(zone).filter((line) => line.startsWith('a.'))).toEqual(['a.example.test. 30 IN A 192.0.2.1', 'a.example.test. 30 IN A 192.0.2.2']);
  });
});

describe('errors name file:line:column and the reason', () => {
  const syntax: Array<[string, string, RegExp]> = [
    ['a bad IPv4 address', `${SOA}\nwww 60 A 192.0.2.300\n`, /:2:10: "192\.0\.2\.300" is not an IPv4 address$/],
    ['a bad IPv6 address', `${SOA}\nwww 60 AAAA 2001:db8::g\n`, /:2:13: "2001:db8::g" is not an IPv6 address$/],
    ['an unknown type', `${SOA}\nwww 60 BOGUS 1\n`, /:2:8: unknown type "BOGUS"/],
    ['a modelled-nowhere type without \\#', `${SOA}\nwww 60 TYPE99 abc\n`, /:2:8: type TYPE99 is written in the generic form/],
    ['a missing field', `${SOA}\nmx 60 MX 10\n`, /:2:12: MX needs an exchange name$/],
    ['an extra field', `${SOA}\nwww 60 A 192.0.2.1 extra\n`, /:2:20: unexpected "extra" after the A data$/],
    ['a port out of range', `${SOA}\n_s._tcp 60 SRV 0 0 70000 host\n`, /:2:20: SRV needs a port from 0 to 65535, not "70000"$/],
    ['an unclosed parenthesis', `${SOA}\nwww 60 A ( 192.0.2.1\n\n`, /:2:10: "\(" is never closed$/],
    ['a stray ")"', `${SOA}\nwww 60 A 192.0.2.1 )\n`, /:2:20: "\)" without a matching "\("$/],
    ['an unclosed quote', `${SOA}\nt 60 TXT "open\n`, /:2:10: quoted string is not closed on its line$/],
    ['a \\DDD over 255', `${SOA}\nt 60 TXT "a\\300"\n`, /:2:12: "\\300" is not an octet/],
    ['a label over 63 octets', `${SOA}\n${'l'.repeat(64)} 60 A 192.0.2.1\n`, /:2:1: bad domain name "l{64}": label longer than 63 octets/],
    ['an unknown directive', `${SOA}\n$GENERATE 1-2 a A 1.2.3.4\n`, /:2:1: unknown directive \$GENERATE/],
    ['$TTL without a value', `$TTL\n${SOA}\n`, /:1:1: \$TTL needs an argument$/],
    ['a TTL above 2^31-1', `${SOA}\nwww 2147483648 A 192.0.2.1\n`, /:2:5: TTL 2147483648 is over 2147483647 seconds/],
    ['a class other than IN', `${SOA}\nwww 60 CH A 192.0.2.1\n`, /:2:8: class CH: only class IN is served$/],
    ['no TTL anywhere', `@ 60 IN SOA ns1 hostmaster 1 2 3 4 5\n`.replace('@ 60 IN', '@ IN').replace('SOA', 'NS ns1\n@ IN SOA'), /:1:6: the record has no TTL and no \$TTL is set before it/],
    ['an owner-less first record', `  60 A 192.0.2.1\n${SOA}\n`, /:1:1: the first record needs an owner name/],
    ['a bad CAA tag', `${SOA}\n@ 60 CAA 0 is-sue "x"\n`, /:2:12: CAA tag "is-sue" must be 1-15 letters or digits/],
    ['a \\# length that does not match', `${SOA}\nx 60 TYPE65280 \\# 3 0a0000\n`.replace('\\# 3 0a0000', '\\# 4 0a0000'), /:2:19: the length says 4 octets but the hex holds 3$/],
  ];
  it.each(syntax)('%s', async (_what, text, message) => {
    const err = await parseError(text);
    expect(err.code).toBe(ErrorCodes.ZONE_PARSE);
    expect(err.message).toMatch(/example\.test\.db:\d+:\d+: /);
    expect(err.message).toMatch(message);
  });

  const data: Array<[string, string, RegExp]> = [
    ['no SOA', 'www 60 A 192.0.2.1\n', /:1:1: the zone example\.test\. has no SOA record at its apex$/],
    ['a second SOA', `${SOA}\n${SOA}\n`, /:2:1: a zone has exactly one SOA record; this is the second$/],
    ['an SOA below the apex', `${SOA}\nsub 60 SOA ns1 hostmaster 1 2 3 4 5\n`, /:2:1: an SOA belongs at the apex example\.test\., not at sub\.example\.test\.$/],
    ['a record outside the origin', `${SOA}\nwww.other.test. 60 A 192.0.2.1\n`, /:2:1: www\.other\.test\. is outside the zone example\.test\.$/],
    ['a CNAME beside other data', `${SOA}\nwww 60 A 192.0.2.1\nwww 60 CNAME other\n`, /:3:1: www\.example\.test\. has other data: a CNAME must be the only record at its name/],
    ['data beside a CNAME', `${SOA}\nwww 60 CNAME other\n  60 TXT "x"\n`, /:3:1: www\.example\.test\. has a CNAME: no other data may share its name/],
    ['two CNAMEs at one name', `${SOA}\nwww 60 CNAME a\nwww 60 CNAME b\n`, /:3:1: www\.example\.test\. has another CNAME/],
    ['a CNAME at the apex', `${SOA}\n@ 60 CNAME elsewhere.test.\n`, /:2:1: example\.test\. has other data/],
  ];
  it.each(data)('%s', async (_what, text, message) => {
    const err = await parseError(text);
    expect(err.code).toBe(ErrorCodes.ZONE_DATA);
    expect(err.message).toMatch(message);
  });
});
