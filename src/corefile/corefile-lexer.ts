// Splits a Corefile into tokens as CoreDNS's Caddyfile lexer does (caddyfile/lexer.go): words separated by
// whitespace, `#` comments to the end of the line, double quotes that may span lines with `\"` inside, and
// `{` `}` as words of their own. A backslash at the end of a line continues the line (the next line's words
// count as arguments of the same directive).
import { ClusterDnsError, ErrorCodes } from '../errors.js';

export interface CorefileToken {
  text: string;
  file: string;
  /** 1-based line where the token starts. */
  line: number;
  /** The line its directive's arguments must be on (differs from `line` after a continuation or a quoted newline). */
  logicalLine: number;
  quoted: boolean;
}

export function tokenizeCorefile(text: string, file: string): CorefileToken[] {
  const tokens: CorefileToken[] = [];
  let line = 1;
  // Lines joined by continuations and quoted newlines share the logical line of their first one.
  let logicalLine = 1;
  let i = 0;
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\n') {
      line++;
      logicalLine = line;
      i++;
      continue;
    }
    // The same whitespace that ends a word (caddyfile/lexer.go: unicode.IsSpace), so a vertical tab, form
    // feed or no-break space cannot start an empty word that never advances.
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '\\' && (source[i + 1] === '\n' || (source[i + 1] === '\r' && source[i + 2] === '\n'))) {
      i += source[i + 1] === '\n' ? 2 : 3;
      line++;
      continue;
    }
    if (ch === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    const startLine = line;
    if (ch === '"') {
      let value = '';
      i++;
      let closed = false;
      while (i < source.length) {
        const c = source[i];
        if (c === '\\' && source[i + 1] === '"') {
          value += '"';
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === '\n') line++;
        value += c;
        i++;
      }
      if (!closed) {
        throw new ClusterDnsError(ErrorCodes.COREFILE_PARSE, 'unterminated quoted string', { location: { file, line: startLine } });
      }
      tokens.push({ text: value, file, line: startLine, logicalLine, quoted: true });
      continue;
    }
    let value = '';
    while (i < source.length && !/[\s]/.test(source[i])) {
      value += source[i];
      i++;
    }
    tokens.push({ text: value, file, line: startLine, logicalLine, quoted: false });
  }
  return tokens;
}
