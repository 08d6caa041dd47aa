// A cluster snapshot file → trimmed objects. Accepts exactly what
// `kubectl get svc,endpointslices,pods,namespaces -A -o yaml|json` prints (a `kind: List`), a `---` stream of
// objects and lists, and saved API list responses (`kind: ServiceList`, whose items carry no kind).
// Other kinds are skipped and counted so the caller can log one line about them.
//
// Errors carry the file and the line: MANIFEST_PARSE for YAML/JSON syntax, MANIFEST_OBJECT for a supported
// object that trim rejects (the line where that object starts), MANIFEST_READ for an unreadable file.
import { readFile } from 'node:fs/promises';
import { LineCounter, isNode, parseAllDocuments, type Document } from 'yaml';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { ClusterObject, ClusterObjectKind } from '../kubernetes/objects.js';
import { isSupportedKind, trimObject } from '../kubernetes/trim.js';

export interface ParsedManifest {
  objects: ClusterObject[];
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
export async function loadManifestFile(file: string): Promise<ParsedManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ClusterDnsError(ErrorCodes.MANIFEST_READ, `cannot read the manifest (${reason})`, {
      location: { file },
      cause: err,
    });
  }
  return parseManifest(text, file);
}

/** Parse a manifest's text; `file` names it in errors. */
export function parseManifest(text: string, file: string): ParsedManifest {
  // JSON (kubectl -o json) is parsed natively: far faster than the YAML parser on a big cluster. The YAML
  // parse (JSON is YAML) is still what locates a syntax error or a rejected object by line.
  let values: unknown[] | undefined;
  const first = /\S/.exec(text)?.[0];
  if (first === '{' || first === '[') {
    try {
      values = [JSON.parse(text)];
    } catch {
      values = undefined; // let the YAML parser report where
    }
  }
  let parsed: ParsedYaml | undefined;
  if (values === undefined) {
    parsed = parseYaml(text, file);
    values = parsed.values;
  }

  const found: Found[] = [];
  values.forEach((value, doc) => collect(value, doc, [], undefined, found));

  const objects: ClusterObject[] = [];
  const skippedKinds = new Map<string, number>();
  for (const item of found) {
    let object: ClusterObject | null;
    try {
      object = trimObject(item.raw, item.hint);
    } catch (err) {
      parsed ??= parseYaml(text, file);
      const line = lineOf(parsed, item);
      throw new ClusterDnsError(ErrorCodes.MANIFEST_OBJECT, (err as Error).message, {
        location: line === undefined ? { file } : { file, line },
        cause: err,
      });
    }
    if (object !== null) {
      objects.push(object);
      continue;
    }
    const raw = item.raw as { kind?: unknown; apiVersion?: unknown } | null;
    let kind = typeof raw?.kind === 'string' ? raw.kind : '(no kind)';
    if (isSupportedKind(kind) && typeof raw?.apiVersion === 'string') kind = `${raw.apiVersion} ${kind}`;
    skippedKinds.set(kind, (skippedKinds.get(kind) ?? 0) + 1);
  }
  return { objects, skippedKinds };
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
    const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
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
    throw new ClusterDnsError(ErrorCodes.MANIFEST_PARSE, `invalid YAML/JSON: ${(err as Error).message}`, {
      location: { file },
      cause: err,
    });
  }
  return { values, docs, lines };
}

/** 1-based line where the object at `item` starts, when the YAML parse can tell. */
function lineOf(parsed: ParsedYaml, item: Found): number | undefined {
  const doc = parsed.docs[item.doc];
  if (!doc) return undefined;
  const node = item.path.length === 0 ? doc.contents : doc.getIn(item.path, true);
  const offset = isNode(node) ? node.range?.[0] : undefined;
  return offset === undefined ? undefined : parsed.lines.linePos(offset).line;
}
