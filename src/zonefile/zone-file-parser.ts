// Reads a zone file (RFC 1035 §5) into a Zone: the directives $ORIGIN, $TTL (RFC 2308 §4) and $INCLUDE,
// "@", relative names, an omitted owner (the previous one), TTL and class in either order.
//
// The work is cut into slices of a few milliseconds that yield to the event loop, so a large zone loads
// while the server keeps answering.
import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import { RRClass, RRType, type ResourceRecord } from '../wire/types.js';
import { ZoneLexer, decodeEscapes, type Entry, type Token } from './lexer.js';
import { parseRdata, TEXT_TYPES } from './rdata-text.js';
import { parseTtl, ttlValue } from './ttl.js';
import { LocatedZoneFileError, ZoneBuilder } from './zone-builder.js';
import { ZoneFileError } from './zone-file-error.js';
import { canonicalName, resolveName } from './zone-names.js';
import type { Zone } from './zone.js';

export interface ZoneFileOptions {
  /** $INCLUDE names files relative to this directory and may not leave it. */
  zonesDir: string;
  /** The origin when the file sets none before its first record (e.g. from the file name), lowercase. */
  defaultOrigin: string;
}

/** How long one slice of parsing may hold the event loop. */
const SLICE_MS = 4;
/** $INCLUDE nesting allowed (a file including itself would otherwise recurse forever). */
const MAX_INCLUDE_DEPTH = 8;

/** Type mnemonics the parser knows; any other type is written TYPEnnn. */
const TYPE_NUMBERS = new Map<string, number>(
  Object.entries(RRType).filter(([, value]) => TEXT_TYPES.has(value)),
);
const CLASS_NUMBERS = new Map<string, number>([['IN', RRClass.IN], ['CH', RRClass.CH], ['CS', 2], ['HS', 4]]);

interface ParseState {
  origin: string;
  /** $TTL, when set. */
  defaultTtl: number | null;
  /** The TTL of the previous record, for records that give none and have no $TTL (RFC 1035 5.1). */
  lastTtl: number | null;
  lastOwner: string | null;
  builder: ZoneBuilder | null;
  sliceStart: number;
}

/**
 * Parses `file` into a zone whose apex is the first $ORIGIN set before any record, else `defaultOrigin`.
 * Rejects with a ClusterDnsError whose location is the file, line and column of the problem.
 */
export async function parseZoneFile(file: string, options: ZoneFileOptions): Promise<Zone> {
  const zonesDir = await realpath(options.zonesDir).catch(() => resolve(options.zonesDir));
  const text = await readText(file, null);
  const state: ParseState = {
    origin: options.defaultOrigin,
    defaultTtl: null,
    lastTtl: null,
    lastOwner: null,
    builder: null,
    sliceStart: performance.now(),
  };
  const end = await parseText(text, file, state, zonesDir, 0);
  const builder = state.builder ?? startZone(state, file);
  try {
    return builder.build({ file, line: end, column: 1 });
  } catch (err) {
    throw located(err, file);
  }
}

/** Parses one file's text into `state`; returns the number of its last line. */
async function parseText(text: string, file: string, state: ParseState, zonesDir: string, depth: number): Promise<number> {
  const lexer = new ZoneLexer(text);
  for (;;) {
    let entry: Entry | null;
    try {
      entry = lexer.next();
      if (entry === null) break;
      const first = entry.tokens[0];
      if (!entry.ownerOmitted && !first.quoted && first.text.startsWith('$')) {
        await directive(entry, file, state, zonesDir, depth);
      } else {
        addRecord(entry, file, state);
      }
    } catch (err) {
      throw located(err, file);
    }
    if (performance.now() - state.sliceStart > SLICE_MS) {
      await new Promise<void>((done) => setImmediate(done));
      state.sliceStart = performance.now();
    }
  }
  return text.endsWith('\n') ? lexer.line - 1 : lexer.line;
}

async function directive(entry: Entry, file: string, state: ParseState, zonesDir: string, depth: number): Promise<void> {
  const [name, ...args] = entry.tokens;
  switch (name.text.toUpperCase()) {
    case '$ORIGIN': {
      expectArguments(name, args, 1, 1);
      state.origin = canonicalName(resolveName(args[0], state.origin), true);
      return;
    }
    case '$TTL':
      expectArguments(name, args, 1, 1);
      state.defaultTtl = parseTtl(args[0]);
      return;
    case '$INCLUDE': {
      expectArguments(name, args, 1, 2);
      if (depth + 1 > MAX_INCLUDE_DEPTH) throw new ZoneFileError(`$INCLUDE nested deeper than ${MAX_INCLUDE_DEPTH} files`, name.line, name.column);
      const target = await includedFile(args[0], zonesDir);
      const savedOrigin = state.origin;
      // RFC 1035 5.1: the origin given applies to the included file only, and the including file's resumes after.
      if (args[1] !== undefined) state.origin = canonicalName(resolveName(args[1], state.origin), true);
      startZone(state, file).addFile(target);
      await parseText(await readText(target, { file, line: name.line, column: name.column }), target, state, zonesDir, depth + 1);
      state.origin = savedOrigin;
      return;
    }
    default:
      throw new ZoneFileError(`unknown directive ${name.text} (known: $ORIGIN, $TTL, $INCLUDE)`, name.line, name.column);
  }
}

function expectArguments(name: Token, args: Token[], min: number, max: number): void {
  if (args.length < min) throw new ZoneFileError(`${name.text} needs ${min === 1 ? 'an argument' : `${min} arguments`}`, name.line, name.column);
  if (args.length > max) throw new ZoneFileError(`unexpected "${args[max].text}" after ${name.text}`, args[max].line, args[max].column);
}

/** The path an $INCLUDE names, which must lie inside the zones directory once links are resolved. */
async function includedFile(token: Token, zonesDir: string): Promise<string> {
  const written = Buffer.from(decodeEscapes(token)).toString('utf8');
  const wanted = resolve(zonesDir, written);
  const real = await realpath(wanted).catch(() => wanted);
  const inside = relative(zonesDir, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new ZoneFileError(`$INCLUDE ${written} is outside the zones directory ${zonesDir}${sep}`, token.line, token.column, 'include');
  }
  return wanted;
}

function addRecord(entry: Entry, file: string, state: ParseState): void {
  const tokens = entry.tokens;
  let at = 0;
  let owner: string;
  let ownerToken: Token;
  if (entry.ownerOmitted) {
    if (state.lastOwner === null) throw new ZoneFileError('the first record needs an owner name (this line starts with a blank)', tokens[0].line, 1);
    owner = state.lastOwner;
    ownerToken = tokens[0];
  } else {
    ownerToken = tokens[at++];
    owner = canonicalName(resolveName(ownerToken, state.origin), true);
  }
  let ttl: number | null = null;
  let rrClass: number | null = null;
  // RFC 1035 5.1: [<TTL>] [<class>] <type> or [<class>] [<TTL>] <type>.
  for (let field = 0; field < 2 && at < tokens.length; field++) {
    const token = tokens[at];
    if (token.quoted) break;
    if (ttl === null && ttlValue(token.text) !== null) {
      ttl = parseTtl(token);
      at++;
    } else if (rrClass === null && classNumber(token.text) !== null) {
      rrClass = classNumber(token.text);
      if (rrClass !== RRClass.IN) throw new ZoneFileError(`class ${token.text}: only class IN is served`, token.line, token.column);
      at++;
    } else {
      break;
    }
  }
  const typeToken = tokens[at++];
  if (typeToken === undefined) {
    const last = tokens[tokens.length - 1];
    throw new ZoneFileError('the record has no type', last.line, last.column + last.text.length);
  }
  const type = typeNumber(typeToken);
  const data = parseRdata(type, typeToken, tokens.slice(at), state.origin);
  const builder = startZone(state, file);
  ttl ??= state.defaultTtl ?? state.lastTtl;
  if (ttl === null) {
    if (type !== RRType.SOA) throw new ZoneFileError('the record has no TTL and no $TTL is set before it (RFC 2308 4)', typeToken.line, typeToken.column);
    ttl = (data as { minimum: number }).minimum; // the classic default: the SOA's own minimum
  }
  state.lastTtl = ttl;
  state.lastOwner = owner;
  const record = { name: owner, type, class: RRClass.IN, ttl, data } as ResourceRecord;
  builder.add(record, { file, line: ownerToken.line, column: entry.ownerOmitted ? 1 : ownerToken.column });
}

/** The zone starts at the first record: its apex is the origin in effect then. */
function startZone(state: ParseState, file: string): ZoneBuilder {
  if (state.builder === null) {
    state.builder = new ZoneBuilder(state.origin);
    state.builder.addFile(file);
  }
  return state.builder;
}

function classNumber(text: string): number | null {
  const upper = text.toUpperCase();
  const known = CLASS_NUMBERS.get(upper);
  if (known !== undefined) return known;
  const generic = /^CLASS([0-9]{1,5})$/.exec(upper); // RFC 3597 5
  return generic && Number(generic[1]) <= 0xffff ? Number(generic[1]) : null;
}

function typeNumber(token: Token): number {
  const upper = token.text.toUpperCase();
  const known = TYPE_NUMBERS.get(upper);
  if (known !== undefined && !token.quoted) return known;
  const generic = /^TYPE([0-9]{1,5})$/.exec(upper); // RFC 3597 5
  if (generic && Number(generic[1]) <= 0xffff && !token.quoted) return Number(generic[1]);
  throw new ZoneFileError(`unknown type "${token.text}" (write other types as TYPEnnn \\# <length> <hex>, RFC 3597 5)`, token.line, token.column);
}

async function readText(file: string, includedAt: { file: string; line: number; column: number } | null): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a byte-order mark some editors write
  } catch (err) {
    const reason = `cannot read zone file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    throw new ClusterDnsError(ErrorCodes.ZONE_READ, reason, { location: includedAt ?? { file }, cause: err });
  }
}

/** Adds the file to a located problem; passes other errors on. */
function located(err: unknown, file: string): unknown {
  if (err instanceof LocatedZoneFileError) {
    return new ClusterDnsError(ErrorCodes.ZONE_DATA, err.reason, { location: err.location });
  }
  if (err instanceof ZoneFileError) {
    const code = err.problem === 'data' ? ErrorCodes.ZONE_DATA : err.problem === 'include' ? ErrorCodes.ZONE_INCLUDE : ErrorCodes.ZONE_PARSE;
    return new ClusterDnsError(code, err.reason, { location: { file, line: err.line, column: err.column } });
  }
  return err;
}
