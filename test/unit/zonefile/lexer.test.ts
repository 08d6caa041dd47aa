import { describe, expect, it } from 'vitest';
import { ZoneLexer, decodeEscapes, type Entry } from '../../../src/zonefile/lexer.js';
import { ZoneFileError } from '../../../src/zonefile/zone-file-error.js';

function entries(text: string): Entry[] {
  const lexer = new ZoneLexer(text);
  const out: Entry[] = [];
  for (let entry = lexer.next(); entry !== null; entry = lexer.next()) out.push(entry);
  return out;
}

const words = (entry: Entry) => entry.tokens.map((token) => (token.quoted ? `"${token.text}"` : token.text));

describe('ZoneLexer (RFC 1035 5.1)', () => {
  it('splits entries at newlines outside parentheses and drops comments and blank lines', () => {
    const found = entries('a A 1.2.3.4 ; comment\n\n; only a comment\nb ( TXT\n "x y" ) ; end\nc A 5.6.7.8');
    expect(found.map(words)).toEqual([['a', 'A', '1.2.3.4'], ['b', 'TXT', '"x y"'], ['c', 'A', '5.6.7.8']]);
    expect(found.map((entry) => entry.line)).toEqual([1, 4, 6]);
  });

  it('marks an entry whose first line starts with a blank as having no owner', () => {
    const found = entries('www A 1.2.3.4\n  AAAA ::1\n\tTXT "t"\nmail A 1.2.3.5\n');
    expect(found.map((entry) => entry.ownerOmitted)).toEqual([false, true, true, false]);
  });

  it('gives each token its 1-based line and column, the quote included for quoted strings', () => {
    const [entry] = entries('\n  x  60 (\n   TXT "q" )\n');
    expect(entry.tokens.map((token) => [token.text, token.line, token.column])).toEqual([
      ['x', 2, 3],
      ['60', 2, 6],
      ['TXT', 3, 4],
      ['q', 3, 8],
    ]);
  });

  it('keeps escapes in words, so an escaped blank, ";" or parenthesis stays inside the word', () => {
    expect(entries('a\\ b\\;c\\(d TXT x\n').map(words)).toEqual([['a\\ b\\;c\\(d', 'TXT', 'x']]);
  });

  it('decodes \\DDD and \\X into octets, other text as UTF-8', () => {
    const [entry] = entries('"\\065\\"\\\\é\\255"\n');
    expect([...decodeEscapes(entry.tokens[0])]).toEqual([65, 0x22, 0x5c, 0xc3, 0xa9, 255]);
  });

  it('reports an unclosed "(" where it opened and a stray ")" where it stands', () => {
    expect(() => entries('a (\nb\n')).toThrow(expect.objectContaining({ line: 1, column: 3, reason: '"(" is never closed' }));
    expect(() => entries('ok\n a )\n')).toThrow(expect.objectContaining({ line: 2, column: 4 }));
    expect(() => entries('a "open\n')).toThrow(ZoneFileError);
  });
});
