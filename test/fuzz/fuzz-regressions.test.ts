// One test per bug the fuzzer found (docs/reliability.md "Fuzzing"), each with the input it found or its core.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCorefileText } from '../../fuzz/targets/corefile-target.js';
import { checkPacket } from '../../fuzz/targets/codec-target.js';
import { tokenizeCorefile } from '../../src/corefile/corefile-lexer.js';
import { parseCorefileFile } from '../../src/corefile/corefile-parser.js';
import { ClusterDnsError, ErrorCodes } from '../../src/errors.js';
import { createMessage, decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { RRClass, RRType } from '../../src/wire/types.js';
import { parseZone } from '../unit/zonefile/zone-files.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('Corefile lexer: whitespace other than space, tab, CR and LF (fuzz corefile, seed 1, iteration 46)', () => {
  // The lexer skipped only ' ', '\t', '\r' between words but ended a word at any /\s/, so a no-break space,
  // vertical tab, form feed or U+FEFF between words made an empty word and never advanced: the process hung.
  // Run in a child process, so that the bug coming back fails this test instead of hanging the suite.
  it('tokenizes a line with a vertical tab, form feed, no-break space and U+FEFF within 5 s', () => {
    const script = `
      import { tokenizeCorefile } from ${JSON.stringify(new URL('../../dist/corefile/corefile-lexer.js', import.meta.url).href)};
      const tokens = tokenizeCorefile('.:53 {\\n prometheus :9153\\uFEFF\\n cache\\u000b30\\f\\u00a0\\n}\\n', 'Corefile');
      console.log(JSON.stringify(tokens.map((t) => t.text)));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 5000 });
    expect(run.signal).toBeNull();
    expect(JSON.parse(run.stdout)).toEqual(['.:53', '{', 'prometheus', ':9153', 'cache', '30', '}']);
  });

  it('the Corefile the fuzzer found gives settings or a located error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterdns-fuzz-regression-'));
    dirs.push(dir);
    const found = '.:53 {\n    errors\n    prometheus :9153\ufeff\n    forward . /etc/resolv.conf\n} }\n';
    expect(() => checkCorefileText(dir, found, '')).not.toThrow();
    expect(tokenizeCorefile('a\u00a0b', 'Corefile').map((t) => t.text)).toEqual(['a', 'b']);
  });
});

describe('TXT and CAA strings that begin with the octets EF BB BF (fuzz codec, seed 1, iteration 1923)', () => {
  // TextDecoder drops a leading byte-order mark unless told not to: the decoded TXT lost its first character,
  // so decode(encode(record)) differed from the record.
  it('decodes a TXT string beginning with U+FEFF with the U+FEFF kept', () => {
    const packet = encodeMessage(
      createMessage({
        qr: true,
        questions: [{ name: 'example.com', type: RRType.TXT, class: RRClass.IN }],
        answers: [{ name: 'example.com', type: RRType.TXT, class: RRClass.IN, ttl: 60, data: ['\ufeffH', 'x'] }],
      }),
    );
    expect(decodeMessage(packet).answers[0].data).toEqual(['\ufeffH', 'x']);
    expect(() => checkPacket(packet)).not.toThrow();
  });

  it('decodes a CAA value beginning with U+FEFF with the U+FEFF kept', () => {
    const packet = encodeMessage(
      createMessage({ qr: true, answers: [{ name: 'example.com', type: RRType.CAA, class: RRClass.IN, ttl: 60, data: { flags: 0, tag: 'issue', value: '\ufeffca.example' } }] }),
    );
    expect(decodeMessage(packet).answers[0].data).toEqual({ flags: 0, tag: 'issue', value: '\ufeffca.example' });
  });

  it('reads a zone file TXT written \\239\\187\\191 with those octets kept', async () => {
    const zone = await parseZone('@ 3600 IN SOA ns1 hostmaster 1 7200 900 1209600 60\nbom 60 TXT "\\239\\187\\191x"\n');
    expect(zone.rrset('bom.example.test', RRType.TXT)[0].data).toEqual(['\ufeffx']);
  });
});

describe('a TXT record with RDLENGTH 0 (fuzz codec, seed 1, iteration 90980)', () => {
  // RFC 1035 3.3.14 wants one or more character-strings. It decoded as [] and re-encoded as [""] (one empty
  // string), so a relayed reply was not the reply received.
  const found = Buffer.from('000184000001000100000000076578616d706c6503636f6d000010000107657861ffff6c6503636f6d00001000010000003c0000', 'hex');

  it('decodes as empty opaque RDATA and re-encodes with RDLENGTH 0 again', () => {
    const message = decodeMessage(found);
    expect(message.answers[0].data).toEqual(new Uint8Array(0));
    expect(decodeMessage(encodeMessage(message)).answers[0].data).toEqual(new Uint8Array(0));
    expect(() => checkPacket(found)).not.toThrow();
  });
});

describe('an import whose glob is not a valid pattern (fuzz corefile, seed 1, iteration 4815)', () => {
  // The glob became a RegExp unchecked: `import a[` or a name of thousands of characters threw a bare
  // SyntaxError out of the parser instead of a ClusterDnsError naming the file and line.
  it.each([
    ['an unclosed [', 'import snip[pets\n. {\n}\n'],
    ['a pattern too large for a RegExp', `import *.c${'x'.repeat(63).concat('.').repeat(600)}\n. {\n}\n`],
  ])('%s is a COREFILE_PARSE error at the import line', (_, text) => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterdns-fuzz-regression-'));
    dirs.push(dir);
    expect(() => checkCorefileText(dir, text, '')).not.toThrow();
    let error: unknown;
    try {
      parseCorefileFile(join(dir, 'Corefile'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ClusterDnsError);
    expect((error as ClusterDnsError).code).toBe(ErrorCodes.COREFILE_PARSE);
    expect((error as ClusterDnsError).location).toEqual({ file: join(dir, 'Corefile'), line: 1 });
  });
});
