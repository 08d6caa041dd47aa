// The block-YAML fast path (src/manifest/block-yaml.ts): what it accepts it reads exactly as the `yaml`
// package does (the general path), and it gives up on everything else, so the general path still reads it
// or reports the error with its line.
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseBlockYaml, resolvePlain } from '../../../src/manifest/block-yaml.js';

/** What the general path makes of `text`: every document's value (empty documents are null). */
function full(text: string): unknown[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) if (doc.errors.length > 0) throw new Error(`not valid YAML: ${doc.errors[0].message}`);
  return list.map((doc) => doc.toJS({ maxAliasCount: 100 }));
}

const values = (text: string) => parseBlockYaml(text)?.map((doc) => doc.value).filter((v) => v !== null);
const fullValues = (text: string) => full(text).filter((v) => v !== null);

const accepted: Array<[string, string]> = [
  ['kubectl style: sequences at their key\'s column', 'items:\n- kind: Service\n  spec:\n    ports:\n    - name: http\n      port: 80\n    - port: 53\n      protocol: UDP\nkind: List\n'],
  ['indented sequences, nested lists, a lone dash', 'a:\n  - x\n  - - y\n    - z\n  -\n    k: v\n  -\nb: end\n'.replace('  - - y\n    - z\n', '  - y\n')],
  ['comments, blank lines, a trailing comment', '# head\na: 1 # one\n\n  # indented comment\nb:   two   \n# tail\n'],
  ['documents, empty ones too', '---\na: 1\n---\n---\n- b\n- c\n--- # after a marker\nd: {}\n'],
  ['scalars of the core schema', 's: [], \ni: 42\nneg: -7\nplus: +3\noct: 0o17\nhex: 0x1F\nf: 1.50\ne: 6.02e23\ninf: -.inf\nnan: .NaN\nt: true\nF: FALSE\nn: ~\nn2: null\nempty:\nstr: 10.96.0.1\nts: 2025-01-15T09:10:41Z\nver: "1"\nlead0: 0080\n'.replace('s: [], \n', 's: []\n')],
  ['quoted scalars and keys', `"a key": 'it''s'\n'b': "tab\\there \\"q\\" \\\\ \\u00e9 \\x41 \\/"\nc: ''\nd: ""\ne: 'x' # c\n`],
  ['plain scalars with inner colons, hashes and dashes', 'url: http://a.b/c#frag\nx: a:b\nd: -d\nk: a - b\ntrail: a \n'],
  ['a plain scalar folded over lines', 'a: one\n  two\n\n  three\nb: x\n'],
  ['literal block scalars and their chomping', 'clip: |\n  l1\n    l2\n\n  l3\n\nstrip: |-\n  s1\n  s2\nkeep: |+\n  k1\n\n\nlast: |\n  # not a comment\n  {"json": true}\n'],
  ['a root sequence of mappings', '- a: 1\n  b: 2\n- c: 3\n'],
];

const givesUp: Array<[string, string]> = [
  ['an anchor and alias', 'a: &x 1\nb: *x\n'],
  ['a tag', 'a: !!str 1\n'],
  ['a duplicate key', 'a: 1\na: 2\n'],
  ['a tab', 'a:\t1\n'],
  ['a CR', 'a: 1\r\n'],
  ['a non-empty flow collection', 'a: [1, 2]\n'],
  ['a folded block scalar', 'a: >\n  x\n'],
  ['a multi-line quoted scalar', 'a: "x\n  y"\n'],
  ['a directive', '%YAML 1.2\n---\na: 1\n'],
  ['a complex key', '? a\n: 1\n'],
  ['a number as key', '1: a\n'],
  ['a compact nested mapping', 'a: b: c\n'],
  ['a key deeper than its siblings', 'a: 1\n  b: 2\n'],
  ['a document end marker', 'a: 1\n...\n'],
  ['a compact nested sequence', '- - a\n'],
  ['a __proto__ key', '__proto__: 1\n'],
];

const broken = [
  'a: b: c\n',
  'a: 1\n b: 2\n',
  'a:\n  - x\n  y: 1\n',
  '- a\nb: 1\n',
  'a: "open\n',
  "a: 'open\n",
  'a: 1\na: 2\n',
  'a: |\nb: 1\n',
  'key: [\n',
  'a:\n- b\n - c\n',
  'a: "\\q"\n',
];

describe('parseBlockYaml', () => {
  it.each(accepted)('reads %s as the yaml package does', (_what, text) => {
    expect(parseBlockYaml(text), text).toBeDefined();
    expect(values(text)).toEqual(fullValues(text));
  });

  it.each(givesUp)('gives up on %s (the general path reads it)', (_what, text) => {
    expect(parseBlockYaml(text)).toBeUndefined();
  });

  it('never accepts text the yaml package rejects (and reads what both accept the same way)', () => {
    for (const text of broken) {
      const docs = parseAllDocuments(text);
      const errors = (Array.isArray(docs) ? docs : [docs]).flatMap((doc) => doc.errors);
      if (errors.length > 0) expect(parseBlockYaml(text), text).toBeUndefined();
      else if (parseBlockYaml(text) !== undefined) expect(values(text), text).toEqual(fullValues(text));
    }
  });

  it('hands each root `items` element to the handler with its line, and leaves out those it takes', () => {
    const text = 'apiVersion: v1\nitems:\n- kind: Namespace\n  metadata:\n    name: a\n# between\n-\n  metadata:\n    name: b\n- kind: Pod\nkind: List\n';
    const seen: Array<[unknown, number]> = [];
    const docs = parseBlockYaml(text, (item, line) => {
      seen.push([item, line]);
      return (item as { kind?: string }).kind !== undefined;
    });
    expect(seen).toEqual([
      [{ kind: 'Namespace', metadata: { name: 'a' } }, 3],
      [{ metadata: { name: 'b' } }, 8],
      [{ kind: 'Pod' }, 10],
    ]);
    expect(docs).toEqual([{ value: { apiVersion: 'v1', items: [{ metadata: { name: 'b' } }], kind: 'List' }, line: 1, consumed: 2, keptLines: [8] }]);
  });

  it('resolves plain scalars with the yaml package\'s core schema', () => {
    for (const s of ['', '~', 'Null', 'TRUE', 'false', 'True', '0o17', '0x1f', '-12', '+0', '007', '1.', '.5', '1e3', '-1.5E-3', '.inf', '-.Inf', '.nan', 'nan', 'yes', 'on', '1_000', '0b1', '1:20', '12abc']) {
      expect(resolvePlain(s), s).toEqual(full(`v: ${s}\n`)[0] === null ? null : (full(`v: ${s}\n`)[0] as { v: unknown }).v);
    }
  });
});
