// A cluster snapshot file → trimmed objects. Accepts exactly what
// `kubectl get svc,endpointslices,pods,namespaces -A -o yaml|json` prints (a `kind: List`), a `---` stream of
// objects and lists, and saved API list responses (`kind: ServiceList`, whose items carry no kind).
// Other kinds are skipped and counted so the caller can log one line about them.
//
// Errors carry the file and the line: MANIFEST_PARSE for YAML/JSON syntax, MANIFEST_OBJECT for a supported
// object that trim rejects (the line where that object starts), MANIFEST_READ for an unreadable file.
import { readFile } from 'node:fs/promises';
import { LineCounter, isNode, parseAllDocuments, type Document } from 'yaml';
import { ClusterDnsError, ErrorCodes, type ErrorLocation } from '../errors.js';
import type { ClusterObject, ClusterObjectKind } from '../cluster/objects.js';
import { isSupportedKind, trimObject, type TrimOptions } from '../cluster/trim.js';
import { parseBlockYaml, type GaveUp } from './block-yaml.js';
import { CharCode as Char } from './char-codes.js';
import type { TimeSlicer } from '../runtime/time-slicer.js';

/** Where trimmed objects go, in file order: an array, or the parse worker's JSON slices (json-slices.ts). */
export interface ObjectSink {
  push(object: ClusterObject): void;
  readonly length: number;
}

export interface ParsedManifest<S extends ObjectSink = ClusterObject[]> {
  objects: S;
  /** kind → how many objects of it were skipped (kinds clusterdns does not read, or other API versions). */
  skippedKinds: Map<string, number>;
}

type Path = Array<string | number>;

/** One raw object found in the file and where it sits (document index + path to it inside). */
interface Found {
  raw: unknown;
  doc: number;
  path: Path;
  hint?: ClusterObjectKind;
}

/** Read and parse one manifest file. */
export async function loadManifestFile(file: string, trim?: TrimOptions): Promise<ParsedManifest> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw manifestReadError(err, file);
  }
  return parseManifestBytes(bytes, file, trim, () => []);
}

/** A manifest that cannot be read: the usual reasons in words, the system's code after them. */
export function manifestReadError(err: unknown, file: string): ClusterDnsError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === undefined ? (err as Error).message : `${READ_ERRORS[code] ?? 'error'}: ${code}`;
  return new ClusterDnsError(ErrorCodes.MANIFEST_READ, `cannot read the manifest (${reason})`, { location: { file }, cause: err });
}

/** What the usual reasons a file cannot be read mean, for the error (the code follows). */
const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'a symlink loop',
  ENOTDIR: 'a path component is not a directory',
};

/** Parse a manifest's text; `file` names it in errors. */
export function parseManifest(text: string, file: string, trim?: TrimOptions): ParsedManifest {
  return parseText(withLfLineBreaks(text.startsWith('\uFEFF') ? text.slice(1) : text), file, trim, () => [], true);
}

/**
 * parseManifest for the file's bytes as read, the objects going to a sink from `newSink` (one per attempt: a
 * fast path that gives up half-way leaves its sink behind). A JSON List is split and parsed an item at a time from the
 * bytes themselves, so the text of the whole file (tens of megabytes in one string) is never made; other
 * text is decoded and parsed as parseManifest does.
 */
export function parseManifestBytes<S extends ObjectSink>(bytes: Uint8Array, file: string, trim: TrimOptions | undefined, newSink: () => S): ParsedManifest<S> {
  const buffer = withoutUtf8Bom(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
  const json = startsAsJsonObject(buffer);
  if (json) {
    const list = splitJsonList(buffer);
    const result = list === undefined ? undefined : trimItems(list, trim, newSink);
    if (result !== undefined) return result;
  }
  return parseText(withLfLineBreaks(buffer.toString('utf8')), file, trim, newSink, !json);
}

/**
 * The text without a UTF-8 byte order mark (Windows editors write one; YAML 1.2 5.2 allows it), which no
 * path below reads past. UTF-16, which Windows PowerShell's `>` writes, is an error naming the encoding:
 * read as UTF-8 it would be one object of no kind, a cluster served empty without a word.
 */
function withoutUtf8Bom(buffer: Buffer, file: string): Buffer {
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) return buffer.subarray(3);
  const utf16 = (buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff) || (buffer.length >= 2 && (buffer[0] === 0) !== (buffer[1] === 0));
  if (utf16) {
    throw new ClusterDnsError(ErrorCodes.MANIFEST_PARSE, 'the manifest is UTF-16 (as Windows PowerShell\'s `>` writes it); save it as UTF-8 (`kubectl get … -o yaml | Out-File -Encoding utf8 FILE`)', {
      location: { file, line: 1, column: 1 },
    });
  }
  return buffer;
}

/**
 * CRLF and lone CR line breaks as LF (YAML 1.2 5.4: all three are line breaks; JSON: white space), so that a
 * file saved on Windows takes the fast paths, which read LF only, rather than the general parser, which is
 * slower by orders of magnitude on a big file (docs/reliability.md). Line numbers are unchanged.
 */
function withLfLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function parseText<S extends ObjectSink>(text: string, file: string, trim: TrimOptions | undefined, newSink: () => S, tryJsonItems: boolean): ParsedManifest<S> {
  const first = /\S/.exec(text)?.[0];
  if (first === '{') {
    // A JSON `kind: List` (kubectl -o json, the benchmark snapshot): parse and trim it one item at a time, so
    // the raw tree of the whole file (several times the text) never exists at once and only short-lived
    // garbage is made. Anything unusual, and any error, takes the general path below,
    // which gives exactly the same objects and the same errors.
    const list = tryJsonItems ? splitJsonList(text) : undefined;
    if (list !== undefined) {
      const result = trimItems(list, trim, newSink);
      if (result !== undefined) return result;
    }
  } else if (first !== '[') {
    // YAML as kubectl prints it: parsed by block-yaml.ts one List item at a time, each trimmed at once. Text
    // outside its subset, and any error, takes the general path (the `yaml` package), which gives the same
    // objects and finds syntax errors with their lines.
    const gaveUp: GaveUp = {};
    const result = trimYamlItems(text, file, trim, newSink, gaveUp);
    if (result !== undefined) return result;
    const cut = cutShortYamlEnd(text, file, gaveUp);
    if (cut !== undefined) throw cut;
  }
  return parseWhole(text, file, first, trim, newSink);
}

/**
 * Past this size a YAML text that ends inside a line the fast path cannot read is reported as cut short at
 * once: the general path would take seconds and hundreds of megabytes per ten megabytes to say the same.
 * Below it, the general path is quick and names the syntax error itself.
 */
const CUT_SHORT_YAML_BYTES = 1 << 20;

/**
 * A big YAML text cut short (`kubectl get -o yaml > f` or `cp` still writing): it does not end with a newline,
 * as every YAML printer's output does, and the fast path stopped on that last line. Undefined otherwise.
 */
function cutShortYamlEnd(text: string, file: string, gaveUp: GaveUp): ClusterDnsError | undefined {
  if (text.length < CUT_SHORT_YAML_BYTES || text.endsWith('\n') || gaveUp.lineStart === undefined) return undefined;
  if (text.includes('\n', gaveUp.lineStart)) return undefined; // it stopped before the last line
  return new ClusterDnsError(
    ErrorCodes.MANIFEST_PARSE,
    'invalid YAML/JSON: the file ends inside a line that does not parse (cut short, or still being written?)',
    { location: endOf(text, file) },
  );
}

/** The general path (also what tests compare the fast paths with). */
export function parseManifestFully(text: string, file: string, trim?: TrimOptions): ParsedManifest {
  return parseWhole(text, file, /\S/.exec(text)?.[0], trim, () => []);
}

/**
 * The fast YAML path. Undefined when the text is outside block-yaml.ts's subset or holds what only the
 * general path places by line (a bad object inside a nested List). A rejected object is reported once the
 * whole text has parsed, as the general path does: a syntax error after it would win.
 */
function trimYamlItems<S extends ObjectSink>(text: string, file: string, trim: TrimOptions | undefined, newSink: () => S, gaveUp: GaveUp): ParsedManifest<S> | undefined {
  const result: ParsedManifest<S> = { objects: newSink(), skippedKinds: new Map() };
  let rejected: { err: unknown; line: number | undefined } | undefined;
  const trimOne = (item: Found, line: number | undefined): void => {
    if (rejected !== undefined) return;
    try {
      trimFound(item, result, trim);
    } catch (err) {
      rejected = { err, line };
    }
  };
  // Items with a kind of their own are trimmed as they are parsed; kindless ones (an API list response, whose
  // kind comes from the list) stay in the document until the list's kind is known.
  const docs = parseBlockYaml(text, (item, line) => {
    const kind = (item as { kind?: unknown } | null)?.kind;
    if (typeof item !== 'object' || item === null || Array.isArray(item) || typeof kind !== 'string' ||
      (kind.endsWith('List') && Array.isArray((item as { items?: unknown }).items))) return false;
    trimOne({ raw: item, doc: 0, path: [] }, line);
    return true;
  }, gaveUp);
  if (docs === undefined) return undefined;
  for (let d = 0; d < docs.length; d++) {
    const { value, line, consumed, keptLines } = docs[d];
    if (isCutShortList(value)) throw cutShortList(text, file);
    if (consumed > 0) {
      const list = value as { kind?: unknown; items?: unknown } | null;
      const isList = typeof list?.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items);
      if (!isList || (list.items as unknown[]).length > 0) {
        // Items of a non-List, or kinds mixed. A List's `kind` comes after its items: one cut inside it
        // (`kind: Li`) ends the text.
        if (!isList && d === docs.length - 1) gaveUp.lineStart = text.lastIndexOf('\n') + 1;
        return undefined;
      }
      continue;
    }
    const found: Found[] = [];
    collect(value, d, [], undefined, found);
    // The document itself starts at `line`; a List's own item where the parser saw it; deeper ones are left
    // to the general path to place.
    for (const item of found) trimOne(item, item.path.length === 0 ? line : item.path.length === 2 && item.path[0] === 'items' ? keptLines[item.path[1] as number] : undefined);
  }
  if (rejected !== undefined) {
    if (rejected.line === undefined) return undefined; // the general path finds the line
    throw new ClusterDnsError(ErrorCodes.MANIFEST_OBJECT, (rejected.err as Error).message, {
      location: { file, line: rejected.line },
      cause: rejected.err,
    });
  }
  return result;
}

/** The general path: the whole file parsed at once (natively when JSON), then every object trimmed. */
function parseWhole<S extends ObjectSink>(text: string, file: string, first: string | undefined, trim: TrimOptions | undefined, newSink: () => S): ParsedManifest<S> {
  // JSON (kubectl -o json) is parsed natively: far faster than the YAML parser on a big cluster. The YAML
  // parse (JSON is YAML) is still what locates a syntax error or a rejected object by line.
  let values: unknown[] | undefined;
  if (first === '{' || first === '[') {
    try {
      values = [JSON.parse(text)];
    } catch {
      const end = cutShortJsonEnd(text, file);
      if (end !== undefined) {
        throw new ClusterDnsError(ErrorCodes.MANIFEST_PARSE, 'invalid YAML/JSON: the file ends inside its JSON value (cut short, or still being written?)', {
          location: end,
        });
      }
      values = undefined; // let the YAML parser report where
    }
  }
  let parsed: ParsedYaml | undefined;
  if (values === undefined) {
    parsed = parseYaml(text, file);
    values = parsed.values;
  }

  const found: Found[] = [];
  for (const value of values) if (isCutShortList(value)) throw cutShortList(text, file);
  values.forEach((value, doc) => collect(value, doc, [], undefined, found));

  const result: ParsedManifest<S> = { objects: newSink(), skippedKinds: new Map() };
  for (const item of found) {
    try {
      trimFound(item, result, trim);
    } catch (err) {
      parsed ??= parseYaml(text, file);
      const line = lineOf(parsed, item);
      throw new ClusterDnsError(ErrorCodes.MANIFEST_OBJECT, (err as Error).message, {
        location: line === undefined ? { file } : { file, line },
        cause: err,
      });
    }
  }
  return result;
}

/**
 * Where a JSON document that never closes ends (its last line and the column after its last character), or
 * undefined when the text is closed or does not read as JSON. A file cut short (`kubectl get -o json > f` still
 * writing, a full disk) is the usual broken JSON, and the YAML parser takes seconds per megabyte to say only
 * that it ended; its brackets and strings say so at once. Only text that starts as JSON does (`{"` or `[`
 * then `{`, `"` or `]`): a YAML flow mapping may hold quotes and brackets in comments.
 */
function cutShortJsonEnd(text: string, file: string): ErrorLocation | undefined {
  const bytes = Buffer.from(text, 'utf8');
  const start = skipSpace(bytes, 0);
  const next = bytes[skipSpace(bytes, start + 1)];
  const jsonLike = bytes[start] === Char.OpenBrace ? next === Char.Quote : next === Char.OpenBrace || next === Char.Quote || next === Char.CloseBracket;
  return jsonLike && skipValue(bytes, start) === -1 ? endOf(text, file) : undefined;
}

/** The last line of `text` and the column after its last character. */
function endOf(text: string, file: string): ErrorLocation {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) line++;
  return { file, line, column: text.length - text.lastIndexOf('\n') };
}

/**
 * A document that is a mapping with `items` and no `kind`: what `kubectl get -o yaml` leaves when the file is
 * cut short, since kubectl prints `kind: List` after the items. Skipped as a kindless object it would make
 * the file an empty cluster (every name NXDOMAIN); reported, a reload keeps the last good data instead.
 */
function isCutShortList(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const list = value as { kind?: unknown; items?: unknown };
  return list.kind === undefined && Array.isArray(list.items);
}

function cutShortList(text: string, file: string): ClusterDnsError {
  return new ClusterDnsError(
    ErrorCodes.MANIFEST_PARSE,
    'invalid YAML/JSON: a list with `items` but no `kind` (cut short before the `kind: List` kubectl prints after the items, or still being written?)',
    { location: endOf(text, file) },
  );
}

/** Trim one found object into `result` (or count its kind as skipped); throws what trimObject throws. */
function trimFound(item: Found, result: ParsedManifest<ObjectSink>, trim: TrimOptions | undefined): void {
  const object = trimObject(item.raw, item.hint, trim);
  if (object !== null) {
    result.objects.push(object);
    return;
  }
  const raw = item.raw as { kind?: unknown; apiVersion?: unknown } | null;
  let kind = typeof raw?.kind === 'string' ? raw.kind : '(no kind)';
  if (isSupportedKind(kind) && typeof raw?.apiVersion === 'string') kind = `${raw.apiVersion} ${kind}`;
  result.skippedKinds.set(kind, (result.skippedKinds.get(kind) ?? 0) + 1);
}

/**
 * Work that can stop between steps: each `yield` is a point where a caller running it in time slices may
 * pause (finishInSlices); finish() runs it straight through.
 */
type Steps<T> = Generator<void, T, undefined>;

/** Items split between steps (≈ 1–2 ms of scanning), and items parsed and trimmed between steps. */
const SPLIT_STEP = 1024;
const TRIM_STEP = 256;

function finish<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

async function finishInSlices<T>(steps: Steps<T>, slicer: TimeSlicer): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    await slicer.pause();
  }
}

/**
 * parseManifestBytes's JSON List path on the calling thread in time slices: the same objects, the loop
 * pausing between items whenever its slice is used up. Undefined whenever that path would not take the
 * bytes (not a JSON List, an item that does not parse or that trim rejects): the caller then parses them
 * the usual way, which also reports the first problem with its line.
 */
export async function parseJsonListInSlices(bytes: Uint8Array, trim: TrimOptions | undefined, slicer: TimeSlicer): Promise<ParsedManifest | undefined> {
  if (!startsAsJsonObject(bytes)) return undefined;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const list = await finishInSlices(splitJsonListSteps(buffer), slicer);
  return list === undefined ? undefined : finishInSlices(trimItemsSteps(list, trim, () => []), slicer);
}

/** The first character after any white space is `{`: JSON (or a YAML flow mapping), never block YAML. */
export function startsAsJsonObject(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer[skipSpace(buffer, 0)] === Char.OpenBrace;
}

/** A JSON List split at its items: the List's other members parsed, each item still bytes. */
export interface JsonList {
  bytes: Buffer;
  kind: string;
  /** [start, end) of each element of `items`. */
  items: Array<[number, number]>;
}

/**
 * Parse one item at a time and trim it at once. Undefined when an item is not valid JSON or is rejected by
 * trim: the caller then parses the whole file the general way, which reports the first problem in file order
 * with its line, as it always did.
 */
function trimItems<S extends ObjectSink>(list: JsonList, trim: TrimOptions | undefined, newSink: () => S): ParsedManifest<S> | undefined {
  return finish(trimItemsSteps(list, trim, newSink));
}

function* trimItemsSteps<S extends ObjectSink>(list: JsonList, trim: TrimOptions | undefined, newSink: () => S): Steps<ParsedManifest<S> | undefined> {
  const itemKind = list.kind.slice(0, -'List'.length);
  const hint = isSupportedKind(itemKind) ? itemKind : undefined;
  const found: Found[] = [];
  const result: ParsedManifest<S> = { objects: newSink(), skippedKinds: new Map() };
  for (let i = 0; i < list.items.length; i++) {
    const [start, end] = list.items[i];
    try {
      collect(JSON.parse(list.bytes.toString('utf8', start, end)), 0, ['items', i], hint, found);
      for (const item of found) trimFound(item, result, trim);
    } catch {
      return undefined;
    }
    found.length = 0;
    if (i % TRIM_STEP === TRIM_STEP - 1) yield;
  }
  return result;
}

/**
 * Split `{ …, "kind": "<X>List", "items": [ … ], … }` into its items without building them. Undefined for
 * anything else (not an object, no items array, kind not a string ending in "List", a repeated member,
 * malformed structure): the general path handles those. Member values other than `items` are checked with
 * JSON.parse; each item is checked when it is parsed.
 */
export function splitJsonList(input: string | Buffer): JsonList | undefined {
  return finish(splitJsonListSteps(input));
}

function* splitJsonListSteps(input: string | Buffer): Steps<JsonList | undefined> {
  // Bytes, not text: the structure is ASCII, and UTF-8 never puts an ASCII byte inside a longer character.
  const text = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let at = skipSpace(text, 0);
  if (text[at] !== Char.OpenBrace) return undefined;
  at = skipSpace(text, at + 1);
  const seen = new Set<string>();
  let kind: unknown;
  let items: Array<[number, number]> | undefined;
  if (text[at] === Char.CloseBrace) return undefined;
  for (;;) {
    if (text[at] !== Char.Quote) return undefined;
    const keyEnd = skipString(text, at);
    if (keyEnd < 0) return undefined;
    let key: unknown;
    try {
      key = JSON.parse(text.toString('utf8', at, keyEnd));
    } catch {
      return undefined;
    }
    if (typeof key !== 'string' || seen.has(key)) return undefined;
    seen.add(key);
    at = skipSpace(text, keyEnd);
    if (text[at] !== Char.Colon) return undefined;
    at = skipSpace(text, at + 1);
    if (key === 'items') {
      if (text[at] !== Char.OpenBracket) return undefined;
      items = [];
      at = skipSpace(text, at + 1);
      if (text[at] === Char.CloseBracket) at++;
      else {
        for (;;) {
          const end = skipValue(text, at);
          if (end < 0) return undefined;
          items.push([at, end]);
          if (items.length % SPLIT_STEP === 0) yield;
          at = skipSpace(text, end);
          const c = text[at];
          if (c === Char.CloseBracket) {
            at++;
            break;
          }
          if (c !== Char.Comma) return undefined;
          at = skipSpace(text, at + 1);
        }
      }
    } else {
      const end = skipValue(text, at);
      if (end < 0) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(text.toString('utf8', at, end));
      } catch {
        return undefined;
      }
      if (key === 'kind') kind = value;
      at = end;
    }
    at = skipSpace(text, at);
    const c = text[at];
    if (c === Char.CloseBrace) break;
    if (c !== Char.Comma) return undefined;
    at = skipSpace(text, at + 1);
  }
  if (skipSpace(text, at + 1) !== text.length) return undefined;
  if (items === undefined || typeof kind !== 'string' || !kind.endsWith('List')) return undefined;
  return { bytes: text, kind, items };
}

function skipSpace(text: Buffer, at: number): number {
  for (;;) {
    const c = text[at];
    if (c !== Char.Space && c !== Char.LineFeed && c !== Char.Return && c !== Char.Tab) return at;
    at++;
  }
}

/** Index just past the string that starts at `at` (a quote), or -1 when it never ends. */
function skipString(text: Buffer, at: number): number {
  for (let i = at + 1; ; ) {
    const quote = text.indexOf(Char.Quote, i);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let j = quote - 1; j > at && text[j] === Char.Backslash; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/**
 * Index just past the JSON value that starts at `at`, or -1. Only the structure is followed (strings,
 * brackets); the value's own validity is for JSON.parse to judge.
 */
function skipValue(text: Buffer, at: number): number {
  const c = text[at];
  if (c === Char.Quote) return skipString(text, at);
  if (c !== Char.OpenBrace && c !== Char.OpenBracket) {
    // A literal or number: up to the next delimiter.
    let i = at;
    for (; i < text.length; i++) {
      const d = text[i];
      if (d === Char.Comma || d === Char.CloseBrace || d === Char.CloseBracket || d === Char.Space ||
        d === Char.LineFeed || d === Char.Return || d === Char.Tab) break;
    }
    return i === at ? -1 : i;
  }
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const d = text[i];
    if (d === Char.Quote) {
      const end = skipString(text, i);
      if (end < 0) return -1;
      i = end - 1;
    } else if (d === Char.OpenBrace || d === Char.OpenBracket) depth++;
    else if (d === Char.CloseBrace || d === Char.CloseBracket) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Walk a document: an object, a List (items), or a `<Kind>List` whose items may lack their kind. */
function collect(value: unknown, doc: number, path: Path, hint: ClusterObjectKind | undefined, out: Found[]): void {
  if (value === null || value === undefined) return; // an empty document (a trailing `---`)
  if (typeof value !== 'object' || Array.isArray(value)) {
    if (Array.isArray(value)) {
      value.forEach((item, i) => collect(item, doc, [...path, i], hint, out));
      return;
    }
    out.push({ raw: value, doc, path }); // counted as "(no kind)"
    return;
  }
  const object = value as { kind?: unknown; items?: unknown };
  if (typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items)) {
    const itemKind = object.kind.slice(0, -'List'.length);
    const itemHint = isSupportedKind(itemKind) ? itemKind : undefined;
    object.items.forEach((item, i) => collect(item, doc, [...path, 'items', i], itemHint, out));
    return;
  }
  out.push(hint === undefined ? { raw: value, doc, path } : { raw: value, doc, path, hint });
}

interface ParsedYaml {
  values: unknown[];
  docs: Document[];
  lines: LineCounter;
}

function parseYaml(text: string, file: string): ParsedYaml {
  const lines = new LineCounter();
  // parseAllDocuments never throws: every document carries its own errors.
  const result = parseAllDocuments(text, { lineCounter: lines, prettyErrors: true });
  const docs = (Array.isArray(result) ? result : [result]) as Document[];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (!error) continue;
    const pos = error.linePos?.[0] ?? lines.linePos(error.pos[0]);
    const message = printable(error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''));
    throw new ClusterDnsError(ErrorCodes.MANIFEST_PARSE, `invalid YAML/JSON: ${message}`, {
      location: { file, line: pos.line, column: pos.col },
      cause: error,
    });
  }
  let values: unknown[];
  try {
    values = docs.map((doc) => doc.toJS({ maxAliasCount: 100 }));
  } catch (err) {
    // toJS throws on alias bombs and the like.
    throw new ClusterDnsError(ErrorCodes.MANIFEST_PARSE, `invalid YAML/JSON: ${printable((err as Error).message)}`, {
      location: { file },
      cause: err,
    });
  }
  return { values, docs, lines };
}

/** Longest parser message shown: the YAML parser quotes the whole offending token, all of a binary file's first line. */
const MAX_MESSAGE = 200;

/** `message` on one short line of printable text: control characters escaped, the rest cut at MAX_MESSAGE. */
function printable(message: string): string {
  const escaped = message.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped.length <= MAX_MESSAGE ? escaped : `${escaped.slice(0, MAX_MESSAGE)}… (${escaped.length - MAX_MESSAGE} more characters)`;
}

/** 1-based line where the object at `item` starts, when the YAML parse can tell. */
function lineOf(parsed: ParsedYaml, item: Found): number | undefined {
  const doc = parsed.docs[item.doc];
  if (!doc) return undefined;
  const node = item.path.length === 0 ? doc.contents : doc.getIn(item.path, true);
  const offset = isNode(node) ? node.range?.[0] : undefined;
  return offset === undefined ? undefined : parsed.lines.linePos(offset).line;
}
