// The tokens of an RFC 1035 §5.1 master file, one entry (logical line) at a time, so a caller can stop
// between entries and let the event loop run.
//
// - An entry ends at a newline outside parentheses; "(" and ")" let it span lines and are not tokens.
// - ";" starts a comment up to the end of the line.
// - A line starting with a blank leaves the owner out (it is the previous owner).
// - Words keep their escapes as written ("\." "\DDD" "\X"): a name's text form uses the same escapes.
// - Quoted strings ("...") are one token; their escapes are decoded into octets.
import { ZoneFileError } from './zone-file-error.js';

export interface Token {
  /** A word as written, escapes included; for a quoted string, its text without the quotes. */
  text: string;
  quoted: boolean;
  line: number;
  /** 1-based column of the token's first character. */
  column: number;
}

export interface Entry {
  tokens: Token[];
  /** The entry's first line started with a blank: the owner is the previous entry's. */
  ownerOmitted: boolean;
  line: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const SEMICOLON = 0x3b;
const OPEN = 0x28;
const CLOSE = 0x29;
const BACKSLASH = 0x5c;

export class ZoneLexer {
  private at = 0;
  private currentLine = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  /** The line the lexer is on (after the last entry: the number of newlines + 1). */
  get line(): number {
    return this.currentLine;
  }

  /** The next entry with at least one token, or null at the end of the text. */
  next(): Entry | null {
    const text = this.text;
    let tokens: Token[] = [];
    let depth = 0;
    let openLine = 0;
    let openColumn = 0;
    let ownerOmitted = false;
    let entryLine = this.currentLine;
    while (this.at < text.length) {
      const code = text.charCodeAt(this.at);
      if (code === NEWLINE) {
        this.at++;
        this.currentLine++;
        this.lineStart = this.at;
        if (depth === 0) {
          if (tokens.length > 0) return { tokens, ownerOmitted, line: entryLine };
          entryLine = this.currentLine;
        }
        continue;
      }
      if (code === SPACE || code === TAB || code === CR) {
        if (this.at === this.lineStart && depth === 0 && tokens.length === 0) ownerOmitted = true;
        this.at++;
        continue;
      }
      if (this.at === this.lineStart && depth === 0 && tokens.length === 0) ownerOmitted = false;
      if (code === SEMICOLON) {
        while (this.at < text.length && text.charCodeAt(this.at) !== NEWLINE) this.at++;
        continue;
      }
      if (code === OPEN) {
        if (depth === 0) {
          openLine = this.currentLine;
          openColumn = this.column();
        }
        depth++;
        this.at++;
        continue;
      }
      if (code === CLOSE) {
        if (depth === 0) throw this.error('")" without a matching "("', this.column());
        depth--;
        this.at++;
        continue;
      }
      if (tokens.length === 0) entryLine = this.currentLine;
      tokens.push(code === QUOTE ? this.quoted() : this.word());
    }
    if (depth > 0) throw new ZoneFileError('"(" is never closed', openLine, openColumn);
    if (tokens.length > 0) {
      const entry = { tokens, ownerOmitted, line: entryLine };
      tokens = [];
      return entry;
    }
    return null;
  }

  private column(): number {
    return this.at - this.lineStart + 1;
  }

  private error(reason: string, column: number): ZoneFileError {
    return new ZoneFileError(reason, this.currentLine, column);
  }

  private word(): Token {
    const text = this.text;
    const start = this.at;
    const column = this.column();
    while (this.at < text.length) {
      const code = text.charCodeAt(this.at);
      if (code === BACKSLASH) {
        if (this.at + 1 >= text.length || text.charCodeAt(this.at + 1) === NEWLINE) {
          throw this.error('"\\" at the end of a line escapes nothing', this.column());
        }
        this.at += 2;
        continue;
      }
      if (code === SPACE || code === TAB || code === CR || code === NEWLINE || code === SEMICOLON) break;
      if (code === OPEN || code === CLOSE || code === QUOTE) break;
      this.at++;
    }
    return { text: text.slice(start, this.at), quoted: false, line: this.currentLine, column };
  }

  /** A quoted string on one line; escapes stay in the text and are decoded by characterString. */
  private quoted(): Token {
    const text = this.text;
    const column = this.column();
    const start = ++this.at;
    while (this.at < text.length) {
      const code = text.charCodeAt(this.at);
      if (code === BACKSLASH) {
        this.at += 2;
        continue;
      }
      if (code === NEWLINE) break;
      if (code === QUOTE) {
        const token = { text: text.slice(start, this.at), quoted: true, line: this.currentLine, column };
        this.at++;
        return token;
      }
      this.at++;
    }
    throw this.error('quoted string is not closed on its line', column);
  }
}

/**
 * The octets of a <character-string> or word (RFC 1035 5.1): "\DDD" is the octet DDD, "\X" is X, anything
 * else is its UTF-8 encoding. Throws on a "\DDD" above 255.
 */
export function decodeEscapes(token: Token): Uint8Array {
  const text = token.text;
  if (!text.includes('\\')) return Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== BACKSLASH) {
      const point = text.codePointAt(i) as number;
      if (point > 0xffff) i++;
      for (const octet of Buffer.from(String.fromCodePoint(point), 'utf8')) out.push(octet);
      continue;
    }
    const digits = text.slice(i + 1, i + 4);
    if (/^[0-9]{3}$/.test(digits)) {
      const value = Number(digits);
      if (value > 255) throw new ZoneFileError(`"\\${digits}" is not an octet (over 255)`, token.line, token.column + (token.quoted ? 1 : 0) + i);
      out.push(value);
      i += 3;
      continue;
    }
    if (/^[0-9]/.test(digits)) {
      throw new ZoneFileError(`"\\${digits}" needs three decimal digits`, token.line, token.column + (token.quoted ? 1 : 0) + i);
    }
    i++;
    const point = text.codePointAt(i) as number;
    if (point > 0xffff) i++;
    for (const octet of Buffer.from(String.fromCodePoint(point), 'utf8')) out.push(octet);
  }
  return Uint8Array.from(out);
}
