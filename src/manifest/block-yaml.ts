// A fast parser for the block YAML that `kubectl get -o yaml` and YAML libraries print: block mappings and
// sequences, plain, quoted and literal (`|`) scalars, empty flow collections (`{}`, `[]`), comments and `---`
// documents. It builds plain values as the `yaml` package's toJS does with its defaults (YAML 1.2, core
// schema: yaml.org/spec/1.2.2 §10.3), without that package's Document model, which costs it tens of
// seconds and a gigabyte on a 20,000-Service snapshot.
//
// It accepts a subset only: anchors, aliases, tags, directives, complex keys, folded scalars, non-empty flow
// collections, tabs, CRs, duplicate keys and anything else it is not sure of make it give up (undefined), and
// the caller parses with the `yaml` package instead, which gives the same values or reports the error with
// its line. So what this accepts is always valid YAML that the full parser reads the same way.

import { CharCode as C } from './char-codes.js';

/** One document: its value, the line where its content starts, and what became of its root `items`. */
export interface BlockYamlDocument {
  value: unknown;
  line: number;
  /** How many root `items` elements the handler took. */
  consumed: number;
  /** The line of each root `items` element it left in `value`. */
  keptLines: number[];
}

/**
 * Called for each element of the `items` sequence of a document's root mapping (a `kind: List`), with the
 * line where it starts; returns true when it took the element (it is then left out of the document's
 * `items`), so a big List is handled one item at a time and its tree never exists at once.
 */
export type RootItemHandler = (item: unknown, line: number) => boolean;

interface RootItems {
  consumed: number;
  keptLines: number[];
}

/** Thrown inside the parser to give up; never escapes parseBlockYaml. */
const GIVE_UP: unique symbol = Symbol('give up');

/** Characters that cannot start a plain scalar here (yaml.org/spec/1.2.2 §7.3.3, c-indicator), or that this parser leaves to the full one. */
function isIndicator(c: number): boolean {
  switch (c) {
    case C.Dash: case C.Question: case C.Colon: case C.Comma: case C.OpenBracket: case C.CloseBracket:
    case C.OpenBrace: case C.CloseBrace: case C.Hash: case C.Ampersand: case C.Star: case C.Bang:
    case C.Pipe: case C.Greater: case C.Apostrophe: case C.Quote: case C.Percent: case C.At: case C.Backtick:
      return true;
    default:
      return false;
  }
}

/** Where the parser gave up, when it did: the offset where the line it was reading starts (unset for a reason of the whole text). */
export interface GaveUp {
  lineStart?: number;
}

/**
 * The values of every document, or undefined when the text is outside the subset (parse it fully then);
 * `gaveUp` learns the line where it stopped.
 */
export function parseBlockYaml(text: string, onRootItem?: RootItemHandler, gaveUp?: GaveUp): BlockYamlDocument[] | undefined {
  // Tabs (indentation rules), CRs and a BOM are left to the full parser: rare in kubectl output.
  if (text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff) return undefined;
  const parser = new BlockYamlParser(text, onRootItem);
  try {
    return parser.documents();
  } catch (err) {
    // A RangeError is the stack running out on absurdly deep nesting: the full parser then reports it.
    if (err === GIVE_UP || err instanceof RangeError) {
      if (gaveUp !== undefined && err === GIVE_UP) gaveUp.lineStart = parser.currentLineStart;
      return undefined;
    }
    throw err;
  }
}

class BlockYamlParser {
  private readonly end: number;
  /** Start of the current line, its end (the LF or the text's end) and 1-based number. */
  private lineStart = 0;
  private lineEnd = 0;
  private lineNo = 1;
  /** Column of the current line's content (or of a compact mapping's first key), and where that is. */
  private indent = 0;
  private at = 0;
  /** Past the last line. */
  private eof = false;

  constructor(private readonly text: string, private readonly onRootItem: RootItemHandler | undefined) {
    this.end = text.length;
    this.scanLine();
  }

  /** The offset where the line being read starts (past the text's end once every line is read). */
  get currentLineStart(): number {
    return this.lineStart;
  }

  documents(): BlockYamlDocument[] {
    const docs: BlockYamlDocument[] = [];
    this.skipToContent();
    while (!this.eof) {
      if (this.isMarker(C.Dash)) {
        if (!this.restIsBlank(this.at + 3)) this.giveUp(); // `--- value`: content on the marker's line
        this.nextLine();
        this.skipToContent();
        if (this.eof || this.isMarker(C.Dash)) {
          docs.push({ value: null, line: this.lineNo, consumed: 0, keptLines: [] }); // an empty document
          continue;
        }
      }
      if (this.isMarker(C.Dot) || this.indent !== 0) this.giveUp();
      const line = this.lineNo;
      const items: RootItems = { consumed: 0, keptLines: [] };
      const value = this.isDash(this.at) ? this.sequence(0, undefined) : this.mapping(0, items);
      docs.push({ value, line, consumed: items.consumed, keptLines: items.keptLines });
      if (!this.eof && !this.isMarker(C.Dash)) this.giveUp(); // anything else is outside the subset (or an error)
    }
    return docs;
  }

  // ------------------------------------------------------------------------------------------- lines

  private giveUp(): never {
    throw GIVE_UP;
  }

  private scanLine(): void {
    if (this.lineStart >= this.end) {
      this.eof = true;
      return;
    }
    const lf = this.text.indexOf('\n', this.lineStart);
    this.lineEnd = lf < 0 ? this.end : lf;
    let i = this.lineStart;
    while (i < this.lineEnd && this.text.charCodeAt(i) === C.Space) i++;
    this.at = i;
    this.indent = i - this.lineStart;
  }

  private nextLine(): void {
    this.lineStart = this.lineEnd + 1;
    this.lineNo++;
    this.scanLine();
  }

  /** Skip blank and comment-only lines. */
  private skipToContent(): void {
    while (!this.eof && (this.at === this.lineEnd || this.text.charCodeAt(this.at) === C.Hash)) this.nextLine();
  }

  /** `---` or `...` at column 0, alone or followed by a space. */
  private isMarker(c: number): boolean {
    const t = this.text;
    const a = this.at;
    return this.indent === 0 && t.charCodeAt(a) === c && t.charCodeAt(a + 1) === c && t.charCodeAt(a + 2) === c &&
      (a + 3 === this.lineEnd || t.charCodeAt(a + 3) === C.Space);
  }

  /** From `from` to the line's end: spaces only, or spaces and a comment. */
  private restIsBlank(from: number): boolean {
    let i = from;
    while (i < this.lineEnd && this.text.charCodeAt(i) === C.Space) i++;
    return i === this.lineEnd || (i > from && this.text.charCodeAt(i) === C.Hash);
  }

  /** A block sequence entry's `-` at `i` (followed by a space or the line's end). */
  private isDash(i: number): boolean {
    return this.text.charCodeAt(i) === C.Dash && (i + 1 === this.lineEnd || this.text.charCodeAt(i + 1) === C.Space);
  }

  private skipSpaces(i: number): number {
    while (i < this.lineEnd && this.text.charCodeAt(i) === C.Space) i++;
    return i;
  }

  // ---------------------------------------------------------------------------------------- structure

  /**
   * A block mapping whose keys sit at column `indent`, from the current line. `consumed` is given for a
   * document's root mapping only: its `items` sequence then goes to onRootItem.
   */
  private mapping(indent: number, consumed: RootItems | undefined): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    for (;;) {
      const colon = this.keyColon(this.at);
      if (colon < 0) this.giveUp();
      const key = this.key(this.at, colon);
      if (key === '__proto__' || Object.prototype.hasOwnProperty.call(object, key)) this.giveUp(); // duplicates are an error
      const valueAt = this.skipSpaces(colon + 1);
      let value: unknown;
      if (valueAt === this.lineEnd || this.text.charCodeAt(valueAt) === C.Hash) {
        this.nextLine();
        value = this.nested(indent, true, consumed !== undefined && key === 'items' ? consumed : undefined);
      } else {
        value = this.inline(valueAt, indent);
      }
      object[key] = value;
      this.skipToContent();
      if (this.eof || this.indent < indent || this.isMarker(C.Dash) || this.isMarker(C.Dot)) return object;
      if (this.indent > indent || this.isDash(this.at)) this.giveUp();
    }
  }

  /**
   * The value on the lines after `key:` or a lone `-` at column `parent`: a deeper mapping or sequence, a
   * sequence at the same column after a key (kubectl's style), or null.
   */
  private nested(parent: number, afterKey: boolean, items: RootItems | undefined): unknown {
    this.skipToContent();
    if (this.eof || this.isMarker(C.Dash) || this.isMarker(C.Dot)) return null;
    if (this.indent > parent) {
      if (this.isDash(this.at)) return this.sequence(this.indent, items);
      return this.mapping(this.indent, undefined);
    }
    if (this.indent === parent && afterKey && this.isDash(this.at)) return this.sequence(parent, items);
    return null;
  }

  /** A block sequence whose dashes sit at column `indent`, from the current line. */
  private sequence(indent: number, items: RootItems | undefined): unknown[] {
    const list: unknown[] = [];
    for (;;) {
      let line = this.lineNo;
      const after = this.skipSpaces(this.at + 1);
      let value: unknown;
      if (after === this.lineEnd || this.text.charCodeAt(after) === C.Hash) {
        this.nextLine();
        this.skipToContent();
        line = this.lineNo;
        value = this.nested(indent, false, undefined);
      } else if (this.isDash(after)) {
        this.giveUp(); // `- - x`: a compact nested sequence
      } else if (this.keyColon(after) >= 0) {
        // `- key: value`: a mapping whose keys sit at the column of this first one.
        this.indent = after - this.lineStart;
        this.at = after;
        value = this.mapping(this.indent, undefined);
      } else {
        value = this.inline(after, indent);
      }
      if (items === undefined) list.push(value);
      else if (this.onRootItem?.(value, line)) items.consumed++;
      else {
        list.push(value);
        items.keptLines.push(line);
      }
      this.skipToContent();
      if (this.eof || this.indent < indent || this.isMarker(C.Dash) || this.isMarker(C.Dot)) return list;
      if (this.indent > indent) this.giveUp();
      if (!this.isDash(this.at)) return list; // a key of the mapping this sequence is the value of
    }
  }

  // -------------------------------------------------------------------------------------------- keys

  /**
   * Where the `:` of a mapping key starting at `i` is (followed by a space or the line's end), or -1 when
   * the line holds no implicit key there.
   */
  private keyColon(i: number): number {
    const t = this.text;
    const c = t.charCodeAt(i);
    if (c === C.Quote || c === C.Apostrophe) {
      const close = this.quoteEnd(i);
      if (close < 0) return -1;
      const j = this.skipSpaces(close + 1);
      return t.charCodeAt(j) === C.Colon && (j + 1 === this.lineEnd || t.charCodeAt(j + 1) === C.Space) ? j : -1;
    }
    if (isIndicator(c)) return -1;
    for (let j = i + 1; j < this.lineEnd; j++) {
      const d = t.charCodeAt(j);
      if (d === C.Colon) {
        if (j + 1 === this.lineEnd || t.charCodeAt(j + 1) === C.Space) return j;
      } else if (d === C.Hash && t.charCodeAt(j - 1) === C.Space) {
        return -1;
      }
    }
    return -1;
  }

  /** The key that starts at `i` and ends before `colon`; only keys that resolve to strings. */
  private key(i: number, colon: number): string {
    const c = this.text.charCodeAt(i);
    if (c === C.Quote || c === C.Apostrophe) return this.quoted(i, this.quoteEnd(i));
    let j = colon;
    while (this.text.charCodeAt(j - 1) === C.Space) j--;
    if (j - i > 1024) this.giveUp(); // an implicit key is at most 1024 characters (§7.4.2)
    const key = this.text.slice(i, j);
    if (typeof resolvePlain(key) !== 'string') this.giveUp(); // a number or bool as key: left to the full parser
    return key;
  }

  // ------------------------------------------------------------------------------------------ scalars

  /** A value that starts at `i` on the current line, in a block whose parent sits at column `parent`. */
  private inline(i: number, parent: number): unknown {
    const t = this.text;
    const c = t.charCodeAt(i);
    if (c === C.Quote || c === C.Apostrophe) {
      const close = this.quoteEnd(i);
      if (close < 0 || !this.restIsBlank(close + 1)) this.giveUp();
      const value = this.quoted(i, close);
      this.nextLine();
      return value;
    }
    if (c === C.Pipe) return this.literal(i, parent);
    if (c === C.OpenBrace || c === C.OpenBracket) {
      const close = c === C.OpenBrace ? C.CloseBrace : C.CloseBracket;
      if (t.charCodeAt(i + 1) !== close || !this.restIsBlank(i + 2)) this.giveUp();
      this.nextLine();
      return c === C.OpenBrace ? {} : [];
    }
    if (isIndicator(c) && !(c === C.Dash && t.charCodeAt(i + 1) !== C.Space)) this.giveUp();
    return this.plain(i, parent);
  }

  /** A plain scalar from `i`, folded over more-indented lines that follow (§7.3.3, §6.5). */
  private plain(i: number, parent: number): unknown {
    const t = this.text;
    let end = this.lineEnd;
    let comment = false;
    for (let j = i + 1; j < this.lineEnd; j++) {
      const d = t.charCodeAt(j);
      if (d === C.Colon && (j + 1 === this.lineEnd || t.charCodeAt(j + 1) === C.Space)) this.giveUp(); // `a: b: c`
      if (d === C.Hash && t.charCodeAt(j - 1) === C.Space) {
        end = j;
        comment = true;
        break;
      }
    }
    while (t.charCodeAt(end - 1) === C.Space) end--;
    const first = t.slice(i, end);
    this.nextLine();
    // Continuation lines: deeper than the parent, before any line that is not.
    let folded: string | undefined;
    for (;;) {
      let blank = 0;
      while (!this.eof && this.at === this.lineEnd) {
        blank++;
        this.nextLine();
      }
      if (this.eof || this.indent <= parent) break; // blank lines before it are not part of the scalar
      const c = t.charCodeAt(this.at);
      if (c === C.Hash) break; // a comment line ends the scalar
      if (comment || isIndicator(c)) this.giveUp();
      let stop = this.lineEnd;
      for (let j = this.at; j < this.lineEnd; j++) {
        const d = t.charCodeAt(j);
        if ((d === C.Colon && (j + 1 === this.lineEnd || t.charCodeAt(j + 1) === C.Space)) || (d === C.Hash && t.charCodeAt(j - 1) === C.Space)) this.giveUp();
      }
      while (t.charCodeAt(stop - 1) === C.Space) stop--;
      folded = (folded ?? first) + (blank === 0 ? ' ' : '\n'.repeat(blank)) + t.slice(this.at, stop);
      this.nextLine();
    }
    return folded === undefined ? resolvePlain(first) : folded;
  }

  /** Index of the quote closing the quoted scalar that opens at `i`, on the same line; -1 when it is not there. */
  private quoteEnd(i: number): number {
    const t = this.text;
    const q = t.charCodeAt(i);
    for (let j = i + 1; j < this.lineEnd; j++) {
      const d = t.charCodeAt(j);
      if (q === C.Quote && d === C.Backslash) j++;
      else if (d === q) {
        if (q === C.Apostrophe && t.charCodeAt(j + 1) === C.Apostrophe) j++;
        else return j;
      }
    }
    return -1; // multi-line quoted scalars are left to the full parser
  }

  /** The value of the quoted scalar from `open` to `close` (§7.3.1, §7.3.2). */
  private quoted(open: number, close: number): string {
    const raw = this.text.slice(open + 1, close);
    if (this.text.charCodeAt(open) === C.Apostrophe) return raw.includes("''") ? raw.replaceAll("''", "'") : raw;
    return raw.includes('\\') ? unescapeDoubleQuoted(raw) ?? this.giveUp() : raw;
  }

  /** A literal block scalar (`|`, `|-`, `|+`) whose header is at `i` (§8.1.2). */
  private literal(i: number, parent: number): string {
    const t = this.text;
    let j = i + 1;
    const chomp = t.charCodeAt(j);
    if (chomp === C.Dash || chomp === 43 /* + */) j++;
    if (j !== this.lineEnd && (t.charCodeAt(j) !== C.Space || !this.restIsBlank(j))) this.giveUp(); // an indentation indicator, or a comment
    this.nextLine();
    // Leading blank lines and empty block scalars: their indentation rules are subtle, and kubectl prints neither.
    if (this.eof || this.at === this.lineEnd || this.indent <= parent) this.giveUp();
    const blockIndent = this.indent;
    const lines: string[] = [];
    let trailing = 0;
    while (!this.eof) {
      if (this.at === this.lineEnd) {
        if (this.indent > blockIndent) this.giveUp();
        trailing++;
        this.nextLine();
        continue;
      }
      if (this.indent < blockIndent) break;
      for (; trailing > 0; trailing--) lines.push('');
      lines.push(t.slice(this.lineStart + blockIndent, this.lineEnd));
      this.nextLine();
    }
    const body = lines.join('\n');
    if (chomp === C.Dash) return body;
    if (chomp === 43) return body + '\n'.repeat(trailing + 1);
    return body + '\n';
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ',
  '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The escapes of a one-line double-quoted scalar (§5.7); undefined for an invalid one. */
function unescapeDoubleQuoted(raw: string): string | undefined {
  let out = '';
  let from = 0;
  for (let i = raw.indexOf('\\'); i >= 0; i = raw.indexOf('\\', from)) {
    out += raw.slice(from, i);
    const e = raw[i + 1];
    const simple = e === undefined ? undefined : SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      from = i + 2;
      continue;
    }
    const length = e === undefined ? undefined : HEX_LENGTH[e];
    const hex = length === undefined ? '' : raw.slice(i + 2, i + 2 + length);
    if (length === undefined || hex.length !== length || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
    const code = Number.parseInt(hex, 16);
    if (code > 0x10ffff) return undefined;
    out += String.fromCodePoint(code);
    from = i + 2 + length;
  }
  return out + raw.slice(from);
}

/**
 * A plain scalar's value in the core schema (yaml.org/spec/1.2.2 §10.3.2), with the `yaml` package's own
 * patterns and conversions (its schema/core and schema/common tags), so both parsers give the same values.
 */
export function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // Only these can start a null, bool or number: everything else is a string at once.
  const digit = c >= 48 && c <= 57;
  if (!(s === '' || digit || c === 43 || c === C.Dash || c === C.Dot || c === 126 || c === 110 || c === 78 ||
    c === 116 || c === 84 || c === 102 || c === 70)) return s;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T';
  if (/^0o[0-7]+$/.test(s)) return Number.parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return Number.parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return Number.parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) {
    return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return Number.parseFloat(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return Number.parseFloat(s);
  return s;
}
