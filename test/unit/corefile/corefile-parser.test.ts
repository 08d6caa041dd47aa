import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenizeCorefile } from '../../../src/corefile/corefile-lexer.js';
import { parseCorefile, parseCorefileFile, substituteEnv } from '../../../src/corefile/corefile-parser.js';
import { ClusterDnsError, ErrorCodes } from '../../../src/errors.js';

const texts = (source: string) => tokenizeCorefile(source, 'Corefile').map((token) => token.text);

describe('Corefile lexer', () => {
  it.each([
    ['words and braces', '.:53 {\n  errors\n}', ['.:53', '{', 'errors', '}']],
    ['a comment runs to the end of the line', 'log # every query\ncache', ['log', 'cache']],
    ['# inside a word is no comment', 'a#b', ['a#b']],
    ['quotes keep spaces and \\"', 'labels "app = web" "say \\"hi\\""', ['labels', 'app = web', 'say "hi"']],
    ['a byte-order mark is skipped', '\ufefferrors', ['errors']],
    ['CRLF lines', 'errors\r\nlog\r\n', ['errors', 'log']],
  ])('%s', (_title, source, expected) => {
    expect(texts(source)).toEqual(expected);
  });

  it('gives each token its line; a quoted newline and a trailing backslash continue the logical line', () => {
    const tokens = tokenizeCorefile('a\nb "x\ny" c\nd \\\n  e\nf', 'F');
    expect(tokens.map((t) => [t.text, t.line, t.logicalLine])).toEqual([
      ['a', 1, 1],
      ['b', 2, 2],
      ['x\ny', 2, 2],
      ['c', 3, 2],
      ['d', 4, 4],
      ['e', 5, 4],
      ['f', 6, 6],
    ]);
  });

  it('reports an unterminated quote at the line where it opens', () => {
    expect(() => tokenizeCorefile('errors\nlabels "open\n', 'Corefile')).toThrow(/^Corefile:2: unterminated quoted string$/);
  });
});

describe('Corefile parser', () => {
  it('reads server blocks, keys with ports and schemes, directives with arguments and sub-blocks', () => {
    const blocks = parseCorefile('dns://Example.COM. corp.test:1053 {\n forward . 10.0.0.1 {\n  max_concurrent 5\n }\n}\n.:53 {\n errors\n}', 'Corefile');
    expect(blocks.map((b) => b.keys)).toEqual([
      [
        { zone: 'example.com', port: null, text: 'dns://Example.COM.' },
        { zone: 'corp.test', port: 1053, text: 'corp.test:1053' },
      ],
      [{ zone: '', port: 53, text: '.:53' }],
    ]);
    expect(blocks[0].directives).toEqual([
      { name: 'forward', args: ['.', '10.0.0.1'], file: 'Corefile', line: 2, block: [{ name: 'max_concurrent', args: ['5'], block: null, file: 'Corefile', line: 3 }] },
    ]);
  });

  it('arguments end at the end of the line; a continued line adds to them', () => {
    const [block] = parseCorefile('. {\n forward . 10.0.0.1 \\\n   10.0.0.2\n cache\n}', 'Corefile');
    expect(block.directives.map((d) => [d.name, d.args])).toEqual([
      ['forward', ['.', '10.0.0.1', '10.0.0.2']],
      ['cache', []],
    ]);
  });

  it('substitutes {$VAR}, {$VAR:default} and {env.VAR}; an unset variable is empty', () => {
    expect(substituteEnv('{$A}-{$B:dflt}-{env.A}-{$UNSET}', { A: 'a' })).toBe('a-dflt-a-');
    const [block] = parseCorefile('.:{$PORT} {\n kubernetes {env.ZONE}\n}', 'Corefile', { env: { PORT: '1053', ZONE: 'corp.local' } });
    expect(block.keys[0].port).toBe(1053);
    expect(block.directives[0].args).toEqual(['corp.local']);
  });

  it('expands snippets where they are imported, with the snippet’s own lines', () => {
    const source = '(common) {\n  errors\n  cache 30\n}\n.:53 {\n  import common\n  log\n}';
    const [block] = parseCorefile(source, 'Corefile');
    expect(block.directives.map((d) => [d.name, d.args, d.line])).toEqual([
      ['errors', [], 2],
      ['cache', ['30'], 3],
      ['log', [], 7],
    ]);
  });

  const dir = mkdtempSync(join(tmpdir(), 'corefile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a file and a glob relative to the importing file; errors name the imported file', () => {
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'conf.d', 'a.conf'), 'corp.test {\n  forward . 10.1.0.53\n}\n');
    writeFileSync(join(dir, 'conf.d', 'b.conf'), 'other.test {\n  forward . 10.2.0.53\n}\n');
    writeFileSync(join(dir, 'plugins'), 'errors\n');
    writeFileSync(join(dir, 'Corefile'), '.:53 {\n  import plugins\n}\nimport conf.d/*.conf\n');
    const blocks = parseCorefileFile(join(dir, 'Corefile'));
    expect(blocks.map((b) => b.keys[0].zone)).toEqual(['', 'corp.test', 'other.test']);
    expect(blocks[0].directives[0]).toMatchObject({ name: 'errors', file: join(dir, 'plugins'), line: 1 });
    expect(blocks[2].directives[0]).toMatchObject({ file: join(dir, 'conf.d', 'b.conf'), line: 2 });
  });

  it('refuses a file that imports itself', () => {
    writeFileSync(join(dir, 'loop'), '.:53 {\n  import loop\n}\n');
    expect(() => parseCorefileFile(join(dir, 'loop'))).toThrow(/loop:2: directive import: .*imports itself/);
  });

  it.each([
    ['an unclosed block', '.:53 {\n errors\n', /^Corefile:1: unclosed \{/, ErrorCodes.COREFILE_PARSE],
    ['a stray }', '.:53 {\n}\n}', /^Corefile:3: unexpected \}/, ErrorCodes.COREFILE_PARSE],
    ['a block without braces', 'errors\n', /^Corefile:1: server block "errors" has no/, ErrorCodes.COREFILE_PARSE],
    ['an import of nothing', '.:53 {\n import nowhere\n}', /^Corefile:2: directive import: no snippet named "nowhere"/, ErrorCodes.COREFILE_PARSE],
    ['an import with two arguments', '.:53 {\n import a b\n}', /^Corefile:2: directive import: expected one/, ErrorCodes.COREFILE_PARSE],
    ['a snippet defined twice', '(a) {\n}\n(a) {\n}', /^Corefile:3: snippet \(a\) is defined twice/, ErrorCodes.COREFILE_PARSE],
    ['the same zone and port twice', '.:53 {\n}\n\n.:53 {\n}', /^Corefile:4: server block ".:53": zone . on port 53 is already defined at Corefile:1/, ErrorCodes.COREFILE_SERVER_BLOCK],
    ['a default port given once implicitly', 'a.test {\n}\na.test:53 {\n}', /^Corefile:3: .*already defined/, ErrorCodes.COREFILE_SERVER_BLOCK],
    ['a TLS server', 'tls://.:853 {\n}', /^Corefile:1: server block "tls:\/\/.:853": only dns:\/\//, ErrorCodes.COREFILE_SERVER_BLOCK],
    ['a port out of range', '.:70000 {\n}', /port 70000 is out of range/, ErrorCodes.COREFILE_SERVER_BLOCK],
  ])('%s is an error naming file and line', (_title, source, message, code) => {
    let error: unknown;
    try {
      parseCorefile(source, 'Corefile');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ClusterDnsError);
    expect((error as ClusterDnsError).message).toMatch(message);
    expect((error as ClusterDnsError).code).toBe(code);
  });

  it('a Corefile that cannot be read is COREFILE_READ', () => {
    expect(() => parseCorefileFile(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: ErrorCodes.COREFILE_READ }));
  });
});
