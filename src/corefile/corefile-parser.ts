// A Corefile's server blocks (CoreDNS core/dnsserver, caddyfile/parse.go): `[ZONE...][:PORT] { directive args
// { sub-directive args } }`, with `{$ENV}` / `{env.VAR}` substitution, snippets `(name) { ... }` and
// `import name|FILE|GLOB`. Every error names the file and line (and the directive, when there is one).
import { normalizeName } from '../wire/name.js';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import { tokenizeCorefile, type CorefileToken } from './corefile-lexer.js';

export interface CorefileDirective {
  name: string;
  args: string[];
  /** The `{ ... }` after the arguments, or null when there is none. */
  block: CorefileDirective[] | null;
  file: string;
  line: number;
}

export interface ServerBlockKey {
  /** Lowercase, without a trailing dot; '' is the root zone `.`. */
  zone: string;
  /** The port written in the key, or null (CoreDNS's default, 53). */
  port: number | null;
  /** The key as written. */
  text: string;
}

export interface ServerBlock {
  keys: ServerBlockKey[];
  directives: CorefileDirective[];
  file: string;
  line: number;
}

export interface CorefileParseOptions {
  /** Environment for `{$VAR}` and `{env.VAR}`; default process.env. */
  env?: Record<string, string | undefined>;
  /** Reads a file (the Corefile and what it imports); default readFileSync as UTF-8. */
  readFile?: (path: string) => string;
}

/** Imports nested deeper than this are a cycle (caddyfile/parse.go refuses an import of a file that imports itself). */
const MAX_IMPORT_DEPTH = 10;

interface Token extends CorefileToken {
  /** Tokens with the same key are on one logical line (spliced imports get a key of their own). */
  lineKey: string;
}

export function parseCorefileFile(path: string, options: CorefileParseOptions = {}): ServerBlock[] {
  const readFile = options.readFile ?? ((file: string) => readFileSync(file, 'utf8'));
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    throw new ClusterDnsError(ErrorCodes.COREFILE_READ, `cannot read the Corefile ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseCorefile(text, path, options);
}

export function parseCorefile(text: string, file: string, options: CorefileParseOptions = {}): ServerBlock[] {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  let splices = 0;
  const lex = (source: string, name: string): Token[] => {
    const id = splices++;
    return tokenizeCorefile(source, name).map((token) => ({
      ...token,
      text: token.quoted ? token.text : substituteEnv(token.text, env),
      lineKey: `${id}:${token.logicalLine}`,
    }));
  };
  const snippets = new Map<string, Token[]>();

  /** Expands `import` lines, collecting snippet definitions at the top level of each file. */
  const expand = (tokens: Token[], depth: number, stack: string[]): Token[] => {
    const out: Token[] = [];
    let level = 0;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      const startsLine = i === 0 || tokens[i - 1].lineKey !== token.lineKey;
      if (level === 0 && startsLine && !token.quoted && /^\(.+\)$/.test(token.text)) {
        const name = token.text.slice(1, -1);
        const open = tokens[i + 1];
        if (open?.text !== '{' || open.quoted) throw syntax(token, `snippet ${token.text} must be followed by {`);
        const end = matchingBrace(tokens, i + 1);
        if (snippets.has(name)) throw syntax(token, `snippet ${token.text} is defined twice`);
        snippets.set(name, tokens.slice(i + 2, end));
        i = end;
        continue;
      }
      if (startsLine && !token.quoted && token.text === 'import') {
        let count = 0;
        while (tokens[i + 1 + count]?.lineKey === token.lineKey) count++;
        const args = tokens.slice(i + 1, i + 1 + count);
        if (args.length !== 1) throw syntax(token, 'expected one snippet name, file or glob', 'import');
        if (depth >= MAX_IMPORT_DEPTH) throw syntax(token, `nested more than ${MAX_IMPORT_DEPTH} deep (an import cycle?)`, 'import');
        out.push(...importTokens(token, args[0].text, depth, stack));
        i += args.length;
        continue;
      }
      if (!token.quoted && token.text === '{') level++;
      if (!token.quoted && token.text === '}') level--;
      out.push(token);
    }
    return out;
  };

  const importTokens = (at: Token, target: string, depth: number, stack: string[]): Token[] => {
    const snippet = snippets.get(target);
    if (snippet) {
      // A fresh line key per use: the snippet's lines never merge with the lines around the import.
      const id = splices++;
      return expand(
        snippet.map((t) => ({ ...t, lineKey: `${id}:${t.lineKey}` })),
        depth + 1,
        stack,
      );
    }
    const pattern = isAbsolute(target) ? target : join(dirname(at.file), target);
    let files: string[];
    try {
      files = globFiles(pattern);
    } catch {
      // An unclosed `[` or a pattern too long for a RegExp: a mistake in the Corefile, located like any other.
      throw syntax(at, `"${target}" is not a valid file name or glob`, 'import');
    }
    if (!/[*?[]/.test(basename(pattern)) && !existsSync(pattern)) {
      throw syntax(at, `no snippet named "${target}" and no file ${pattern}`, 'import');
    }
    const out: Token[] = [];
    for (const path of files) {
      if (stack.includes(resolve(path))) throw syntax(at, `${path} imports itself`, 'import');
      let text: string;
      try {
        text = readFile(path);
      } catch (err) {
        throw new ClusterDnsError(ErrorCodes.COREFILE_READ, `directive import: cannot read ${path}: ${(err as Error).message}`, {
          location: { file: at.file, line: at.line },
          cause: err,
        });
      }
      out.push(...expand(lex(text, path), depth + 1, [...stack, resolve(path)]));
    }
    return out;
  };

  const tokens = expand(lex(text, file), 0, [resolve(file)]);
  return parseServerBlocks(tokens);
}

function parseServerBlocks(tokens: Token[]): ServerBlock[] {
  const blocks: ServerBlock[] = [];
  const seen = new Map<string, ServerBlock>();
  let i = 0;
  while (i < tokens.length) {
    const first = tokens[i];
    const keyTokens: Token[] = [];
    while (i < tokens.length && !(tokens[i].text === '{' && !tokens[i].quoted)) {
      if (tokens[i].text === '}' && !tokens[i].quoted) throw syntax(tokens[i], 'unexpected }');
      keyTokens.push(tokens[i]);
      i++;
    }
    if (i >= tokens.length) throw syntax(first, `server block "${keyTokens.map((t) => t.text).join(' ')}" has no { ... }`);
    const keys = keyTokens
      .flatMap((token) => token.text.split(',').filter((part) => part !== '').map((part) => ({ token, part })))
      .map(({ token, part }) => parseKey(token, part));
    if (keys.length === 0) throw syntax(tokens[i], 'a server block needs a zone (for example `.:53 {`)');
    const end = matchingBrace(tokens, i);
    const block: ServerBlock = { keys, directives: parseDirectives(tokens.slice(i + 1, end)), file: first.file, line: first.line };
    for (const key of keys) {
      const id = `${key.zone}:${key.port ?? 53}`;
      const earlier = seen.get(id);
      if (earlier) {
        throw new ClusterDnsError(
          ErrorCodes.COREFILE_SERVER_BLOCK,
          `server block "${key.text}": zone ${key.zone || '.'} on port ${key.port ?? 53} is already defined at ${earlier.file}:${earlier.line}`,
          { location: { file: first.file, line: first.line } },
        );
      }
      seen.set(id, block);
    }
    blocks.push(block);
    i = end + 1;
  }
  return blocks;
}

function parseDirectives(tokens: Token[]): CorefileDirective[] {
  const directives: CorefileDirective[] = [];
  let i = 0;
  while (i < tokens.length) {
    const head = tokens[i];
    if (!head.quoted && (head.text === '{' || head.text === '}')) throw syntax(head, `unexpected ${head.text}`);
    const args: string[] = [];
    let block: CorefileDirective[] | null = null;
    i++;
    while (i < tokens.length && tokens[i].lineKey === head.lineKey) {
      const token = tokens[i];
      if (!token.quoted && token.text === '{') {
        const end = matchingBrace(tokens, i);
        block = parseDirectives(tokens.slice(i + 1, end));
        i = end + 1;
        break;
      }
      if (!token.quoted && token.text === '}') throw syntax(token, 'unexpected }', head.text);
      args.push(token.text);
      i++;
    }
    directives.push({ name: head.text, args, block, file: head.file, line: head.line });
  }
  return directives;
}

/** Index of the `}` closing the `{` at `open`. */
function matchingBrace(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].quoted) continue;
    if (tokens[i].text === '{') depth++;
    else if (tokens[i].text === '}' && --depth === 0) return i;
  }
  throw syntax(tokens[open], 'unclosed { (missing })');
}

/** `[dns://]ZONE[:PORT]`; only plain DNS (`dns://`) is served. */
function parseKey(token: Token, text: string): ServerBlockKey {
  let rest = text;
  const scheme = /^([a-z0-9+]+):\/\//i.exec(rest);
  if (scheme) {
    if (scheme[1].toLowerCase() !== 'dns') {
      throw new ClusterDnsError(ErrorCodes.COREFILE_SERVER_BLOCK, `server block "${text}": only dns:// is served (not ${scheme[1]}://)`, {
        location: { file: token.file, line: token.line },
      });
    }
    rest = rest.slice(scheme[0].length);
  }
  let port: number | null = null;
  const withPort = /^(.*):(\d{1,5})$/.exec(rest);
  if (withPort) {
    port = Number(withPort[2]);
    rest = withPort[1];
    if (port > 65535) throw blockError(token, text, `port ${port} is out of range`);
  } else if (rest.includes(':')) {
    throw blockError(token, text, 'expected ZONE[:PORT]');
  }
  if (rest === '') rest = '.';
  const zone = rest === '.' ? '' : normalizeName(rest);
  if (zone !== '' && !/^[a-z0-9_*-]+(\.[a-z0-9_-]+)*$/.test(zone)) throw blockError(token, text, `"${rest}" is not a zone name`);
  return { zone, port, text };
}

function blockError(token: Token, text: string, message: string): ClusterDnsError {
  return new ClusterDnsError(ErrorCodes.COREFILE_SERVER_BLOCK, `server block "${text}": ${message}`, { location: { file: token.file, line: token.line } });
}

function syntax(token: CorefileToken, message: string, directive?: string): ClusterDnsError {
  const what = directive === undefined ? '' : `directive ${directive}: `;
  return new ClusterDnsError(ErrorCodes.COREFILE_PARSE, `${what}${message}`, { location: { file: token.file, line: token.line } });
}

/** `{$VAR}`, `{$VAR:default}` (CoreDNS, Caddy v1) and `{env.VAR}` (Caddy v2); an unset variable is empty. */
export function substituteEnv(text: string, env: Record<string, string | undefined>): string {
  return text
    .replace(/\{\$([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => env[name] ?? fallback ?? '')
    .replace(/\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? '');
}

/** Files matching a glob in its last path element (`*`, `?`), sorted; a plain path is itself. */
function globFiles(pattern: string): string[] {
  const name = basename(pattern);
  if (!/[*?[]/.test(name)) return [pattern];
  const dir = dirname(pattern);
  const regex = new RegExp(`^${name.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .filter((entry) => regex.test(entry) && !entry.startsWith('.'))
    .sort()
    .map((entry) => join(dir, entry));
}
