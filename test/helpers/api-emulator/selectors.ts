// Label and field selectors as the Kubernetes API server parses them (the subset clients send):
//   label:  `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, comma-separated (AND).
//   field:  `path=v`, `path==v`, `path!=v` where path is dotted (`metadata.namespace`, `status.phase`).
// A selector that does not parse throws; the emulator answers 400 BadRequest like the real server.

type Json = Record<string, unknown>;

export type Matcher = (object: Json) => boolean;

const matchAll: Matcher = () => true;

/** Split on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

function labelsOf(object: Json): Record<string, string> {
  const meta = object.metadata as Json | undefined;
  const labels = meta?.labels;
  return typeof labels === 'object' && labels !== null ? (labels as Record<string, string>) : {};
}

export function parseLabelSelector(selector: string | null | undefined): Matcher {
  if (!selector) return matchAll;
  const requirements: Matcher[] = splitTerms(selector).map((term) => {
    let m = /^([A-Za-z0-9._/-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const key = m[1];
      const values = new Set(m[3].split(',').map((v) => v.trim()).filter((v) => v !== ''));
      const has = (o: Json): boolean => {
        const labels = labelsOf(o);
        return key in labels && values.has(labels[key]);
      };
      return m[2] === 'in' ? has : (o) => !has(o);
    }
    m = /^([A-Za-z0-9._/-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(term);
    if (m) {
      const [, key, op, value] = m;
      if (op === '!=') return (o) => labelsOf(o)[key] !== value;
      return (o) => labelsOf(o)[key] === value;
    }
    m = /^(!?)([A-Za-z0-9._/-]+)$/.exec(term);
    if (m) {
      const key = m[2];
      return m[1] === '!' ? (o) => !(key in labelsOf(o)) : (o) => key in labelsOf(o);
    }
    throw new Error(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
  return (o) => requirements.every((r) => r(o));
}

function fieldValue(object: Json, path: string): string {
  let value: unknown = object;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return '';
    value = (value as Json)[part];
  }
  return value === undefined || value === null ? '' : String(value);
}

export function parseFieldSelector(selector: string | null | undefined): Matcher {
  if (!selector) return matchAll;
  const requirements: Matcher[] = splitTerms(selector).map((term) => {
    const m = /^([A-Za-z0-9._-]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new Error(`invalid field selector: ${JSON.stringify(term)}`);
    const [, path, op, value] = m;
    if (op === '!=') return (o) => fieldValue(o, path) !== value;
    return (o) => fieldValue(o, path) === value;
  });
  return (o) => requirements.every((r) => r(o));
}
