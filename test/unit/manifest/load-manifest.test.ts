import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterDnsError, ErrorCodes } from '../../../src/errors.js';
import { stringify } from 'yaml';
import { generateCluster, prng, toKubernetesList, toYaml } from '../../../bench/generate-cluster.mjs';
import { loadManifestFile, parseJsonListInSlices, parseManifest, parseManifestBytes, parseManifestFully, splitJsonList } from '../../../src/manifest/load-manifest.js';
import { TimeSlicer } from '../../../src/runtime/time-slicer.js';
import { JsonSlices } from '../../../src/manifest/json-slices.js';

const listYaml = `apiVersion: v1
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: shop
    uid: 1b7c
- apiVersion: v1
  kind: Service
  metadata:
    name: cart
    namespace: shop
  spec:
    clusterIP: 10.96.0.50
    clusterIPs:
    - 10.96.0.50
    ports:
    - name: http
      port: 80
      targetPort: 8080
- addressType: IPv4
  apiVersion: discovery.k8s.io/v1
  endpoints:
  - addresses:
    - 10.244.2.30
    conditions:
      ready: true
  kind: EndpointSlice
  metadata:
    labels:
      kubernetes.io/service-name: cart
    name: cart-x2b9k
    namespace: shop
  ports:
  - name: http
    port: 8080
    protocol: TCP
- apiVersion: v1
  kind: Pod
  metadata:
    name: cart-7f9c8d5b6-wp4ds
    namespace: shop
  status:
    phase: Running
    podIP: 10.244.2.30
kind: List
metadata:
  resourceVersion: ""
`;

const summary = (objects: Array<{ kind: string; name: string }>) => objects.map((o) => `${o.kind}/${o.name}`);

describe('parseManifest', () => {
  it('reads a kind: List as kubectl prints it', () => {
    const { objects, skippedKinds } = parseManifest(listYaml, 'c.yaml');
    expect(summary(objects)).toEqual(['Namespace/shop', 'Service/cart', 'EndpointSlice/cart-x2b9k', 'Pod/cart-7f9c8d5b6-wp4ds']);
    expect(objects[1]).toMatchObject({ namespace: 'shop', clusterIPs: ['10.96.0.50'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
    expect(objects[2]).toMatchObject({ serviceName: 'cart', endpoints: [{ addresses: ['10.244.2.30'], ready: true }] });
    expect(skippedKinds.size).toBe(0);
  });

  it('reads the same as JSON (kubectl -o json)', () => {
    const yamlResult = parseManifest(listYaml, 'c.yaml');
    const json = JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: '1b7c' } },
          { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', namespace: 'shop' }, spec: { clusterIP: '10.96.0.50', clusterIPs: ['10.96.0.50'], ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
          {
            addressType: 'IPv4',
            apiVersion: 'discovery.k8s.io/v1',
            endpoints: [{ addresses: ['10.244.2.30'], conditions: { ready: true } }],
            kind: 'EndpointSlice',
            metadata: { labels: { 'kubernetes.io/service-name': 'cart' }, name: 'cart-x2b9k', namespace: 'shop' },
            ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
          },
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cart-7f9c8d5b6-wp4ds', namespace: 'shop' }, status: { phase: 'Running', podIP: '10.244.2.30' } },
        ],
        metadata: { resourceVersion: '' },
      },
      null,
      4,
    );
    expect(parseManifest(json, 'c.json')).toEqual(yamlResult);
  });

  it('reads a --- stream of single objects and lists, skipping empty documents', () => {
    const text = `---
apiVersion: v1
kind: Namespace
metadata:
  name: a
---
# just a comment
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: b
- apiVersion: v1
  kind: Namespace
  metadata:
    name: c
---
apiVersion: v1
kind: Service
metadata:
  name: s
  namespace: a
spec:
  clusterIP: None
...
`;
    const { objects } = parseManifest(text, 's.yaml');
    expect(summary(objects)).toEqual(['Namespace/a', 'Namespace/b', 'Namespace/c', 'Service/s']);
  });

  it('reads saved API list responses whose items carry no kind', () => {
    const text = JSON.stringify({
      kind: 'ServiceList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '999' },
      items: [{ metadata: { name: 'hello', namespace: 'default' }, spec: { clusterIP: '10.96.0.20' } }],
    });
    const { objects } = parseManifest(text, 'services.json');
    expect(objects).toEqual([expect.objectContaining({ kind: 'Service', name: 'hello', clusterIPs: ['10.96.0.20'] })]);
  });

  it('skips other kinds and counts them', () => {
    const text = `apiVersion: v1
kind: List
items:
- {apiVersion: apps/v1, kind: Deployment, metadata: {name: a, namespace: x}}
- {apiVersion: apps/v1, kind: Deployment, metadata: {name: b, namespace: x}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: x}}
- {apiVersion: v1, kind: Endpoints, metadata: {name: d, namespace: x}}
- {apiVersion: serving.knative.dev/v1, kind: Service, metadata: {name: e, namespace: x}}
- {metadata: {name: f}}
- {apiVersion: v1, kind: Namespace, metadata: {name: x}}
`;
    const { objects, skippedKinds } = parseManifest(text, 'k.yaml');
    expect(summary(objects)).toEqual(['Namespace/x']);
    expect(Object.fromEntries(skippedKinds)).toEqual({
      Deployment: 2,
      ConfigMap: 1,
      Endpoints: 1,
      'serving.knative.dev/v1 Service': 1,
      '(no kind)': 1,
    });
  });

  it('an empty file holds no objects', () => {
    expect(parseManifest('', 'e.yaml')).toEqual({ objects: [], skippedKinds: new Map() });
    expect(parseManifest('# nothing\n', 'e.yaml').objects).toEqual([]);
  });
});

function thrown(fn: () => unknown): ClusterDnsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ClusterDnsError);
    return err as ClusterDnsError;
  }
  throw new Error('expected a ClusterDnsError');
}

/** A MANIFEST_PARSE error saying `message`, placed at the end of `text`: its last line, past its last character. */
function expectParseErrorAtEnd(err: ClusterDnsError, text: string, file: string, message: string): void {
  expect(err.code, text.slice(-60)).toBe(ErrorCodes.MANIFEST_PARSE);
  expect(err.message).toContain(message);
  const lines = text.split('\n');
  expect(err.location).toEqual({ file, line: lines.length, column: lines.at(-1)!.length + 1 });
}

describe('parseManifest errors', () => {
  it('YAML syntax error → MANIFEST_PARSE at the right line', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: ok
   bad: indentation
`;
    const err = thrown(() => parseManifest(text, 'broken.yaml'));
    expect(err.code).toBe(ErrorCodes.MANIFEST_PARSE);
    expect(err.location).toMatchObject({ file: 'broken.yaml', line: 8 });
    expect(err.message).toMatch(/^broken\.yaml:8:\d+: invalid YAML\/JSON: /);
  });

  it('an error in a later document of a stream gives that document\'s line', () => {
    const text = `apiVersion: v1
kind: Namespace
metadata:
  name: a
---
apiVersion: v1
kind: Namespace
metadata: {name: "b}
`;
    const err = thrown(() => parseManifest(text, 'stream.yaml'));
    expect(err.code).toBe(ErrorCodes.MANIFEST_PARSE);
    expect(err.location?.line).toBeGreaterThanOrEqual(8);
  });

  it('JSON syntax error → MANIFEST_PARSE with a line', () => {
    const text = '{\n  "kind": "List",\n  "items": [\n    {"kind": "Namespace",, "metadata": {"name": "a"}}\n  ]\n}\n';
    const err = thrown(() => parseManifest(text, 'broken.json'));
    expect(err.code).toBe(ErrorCodes.MANIFEST_PARSE);
    expect(err.location).toMatchObject({ file: 'broken.json', line: 4 });
  });

  it('a supported object that is malformed → MANIFEST_OBJECT at the line where it starts', () => {
    const text = listYaml.replace('    name: cart\n    namespace: shop\n  spec:', '    namespace: shop\n  spec:');
    const err = thrown(() => parseManifest(text, 'c.yaml'));
    expect(err.code).toBe(ErrorCodes.MANIFEST_OBJECT);
    // The Service item starts at line 8 ("- apiVersion: v1").
    expect(err.location).toEqual({ file: 'c.yaml', line: 8 });
    expect(err.message).toBe('c.yaml:8: Service without metadata.name');
  });

  it('a malformed object in a stream document, and in JSON', () => {
    const stream = `apiVersion: v1
kind: Namespace
metadata:
  name: a
---
apiVersion: v1
kind: Service
metadata:
  name: s
spec:
  ports:
  - port: 99999
`;
    const err = thrown(() => parseManifest(stream, 's.yaml'));
    expect(err.code).toBe(ErrorCodes.MANIFEST_OBJECT);
    expect(err.location).toEqual({ file: 's.yaml', line: 6 });
    expect(err.message).toMatch(/spec\.ports\[0\]\.port must be 1\.\.65535/);

    const json = '{\n  "kind": "List",\n  "items": [\n    {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "a"}},\n    {"kind": "Pod", "apiVersion": "v1",\n     "metadata": {"name": "p"}, "status": {"podIP": "x"}}\n  ]\n}\n';
    const jsonErr = thrown(() => parseManifest(json, 'p.json'));
    expect(jsonErr.code).toBe(ErrorCodes.MANIFEST_OBJECT);
    expect(jsonErr.location).toEqual({ file: 'p.json', line: 5 });
  });
});

describe('a JSON List, parsed one item at a time', () => {
  const items = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { note: 'quote " bracket ] brace } \\' } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', namespace: 'shop' }, spec: { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80 }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { x: '[{' } },
    { kind: 'ServiceList', items: [{ metadata: { name: 'inner', namespace: 'shop' }, spec: { clusterIP: 'None' } }] },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, status: { podIP: '10.0.0.9', phase: 'Running' } },
    [],
    null,
    'text',
    { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'cart-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'cart' } }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.9'] }], ports: [{ name: 'http', port: 80 }] },
  ];
  const list = { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };

  it('splits a kubectl-style List at its items, compact or indented', () => {
    for (const text of [JSON.stringify(list), JSON.stringify(list, null, 2) + '\n', ` \n${JSON.stringify(list, null, '\t')}`]) {
      const split = splitJsonList(text);
      expect(split?.kind).toBe('List');
      expect(split?.items.map(([start, end]) => JSON.parse(text.slice(start, end)))).toEqual(items);
    }
    expect(splitJsonList('{"kind": "List", "items": []}')?.items).toEqual([]);
  });

  it('gives the same objects and skipped kinds as parsing the whole file', () => {
    for (const text of [JSON.stringify(list), JSON.stringify(list, null, 2)]) {
      const whole = parseManifest(`[${text}]`, 'c.json'); // an array is never split: the general path
      const streamed = parseManifest(text, 'c.json');
      expect(streamed).toEqual(whole);
      expect(streamed.objects.map((o) => o.name)).toEqual(['shop', 'cart', 'inner', 'p', 'cart-1']);
      expect(streamed.skippedKinds).toEqual(new Map([['ConfigMap', 1], ['(no kind)', 1]]));
    }
  });

  it('leaves anything it does not fully understand to the general path', () => {
    const ok = '{"kind": "List", "items": [{"kind": "Namespace", "metadata": {"name": "a"}}]}';
    expect(splitJsonList(ok)).toBeDefined();
    for (const text of [
      '{"kind": "List", "items": [], "items": [{"kind": "Namespace", "metadata": {"name": "a"}}]}', // JSON.parse keeps the last
      '{"kind": "Service", "items": []}',
      '{"kind": 5, "items": []}',
      '{"kind": "List"}',
      '{"kind": "List", "items": {}}',
      `${ok} x`,
      ok.replace('}]}', '} {"kind": "Namespace"}]}'),
      ok.replace('"items":', '"items"'),
      ok.slice(0, -1),
      '[]',
    ]) {
      expect(splitJsonList(text), text).toBeUndefined();
    }
  });

  it('errors: a JSON syntax error anywhere wins over a bad object before it, as when parsing the whole file', () => {
    const bad = '{\n"kind": "List",\n"items": [\n{"kind": "Service", "apiVersion": "v1", "metadata": {"name": "s"}, "spec": {"type": "Nope"}},\n{"kind": "Namespace",, "metadata": {"name": "a"}}\n]\n}\n';
    const syntax = thrown(() => parseManifest(bad, 'b.json'));
    expect(syntax.code).toBe(ErrorCodes.MANIFEST_PARSE);
    expect(syntax.location).toMatchObject({ file: 'b.json', line: 5 });

    const objectOnly = bad.replace(',,', ',');
    const object = thrown(() => parseManifest(objectOnly, 'b.json'));
    expect(object.code).toBe(ErrorCodes.MANIFEST_OBJECT);
    expect(object.location).toEqual({ file: 'b.json', line: 4 });
    expect(object.message).toMatch(/unknown spec\.type "Nope"/);
  });
});

describe('loadManifestFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterdns-manifest-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an unreadable file → MANIFEST_READ naming it', async () => {
    const file = join(dir, 'missing.yaml');
    await expect(loadManifestFile(file)).rejects.toMatchObject({
      code: ErrorCodes.MANIFEST_READ,
      location: { file },
      message: `${file}: cannot read the manifest (no such file: ENOENT)`,
    });
  });

  it('reads the bundled example', async () => {
    const { objects, skippedKinds } = await loadManifestFile('examples/cluster.yaml');
    const counts: Record<string, number> = {};
    for (const o of objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
    expect(counts).toEqual({ Namespace: 3, Service: 9, EndpointSlice: 9, Pod: 11 });
    expect(skippedKinds.size).toBe(0);
  });
});

describe('the fast paths (YAML one item at a time, JSON from the bytes) against the general path', () => {
  const list = toKubernetesList(generateCluster({ services: 300, seed: 7 }));
  const json = JSON.stringify(list);
  const texts: Array<[string, string]> = [
    ['the bundled example', readFileSync('examples/cluster.yaml', 'utf8')],
    ['a generated cluster as kubectl prints it', stringify(list, { indentSeq: false })],
    ['a generated cluster with indented sequences', stringify(list)],
    ['a generated cluster from the benchmark generator', toYaml(list)],
    ['a generated cluster as a --- stream of objects', list.items.map((item) => stringify(item)).join('---\n')],
  ];

  it.each(texts)('%s: the same objects and skipped kinds', (_what, text) => {
    const fast = parseManifest(text, 'c.yaml');
    expect(fast).toEqual(parseManifestFully(text, 'c.yaml'));
    expect(fast.objects.length).toBeGreaterThan(0);
  });

  it('YAML and JSON of the same cluster give the same objects, from text or from bytes', () => {
    const fromJson = parseManifest(json, 'c.json');
    expect(parseManifest(stringify(list, { indentSeq: false }), 'c.yaml')).toEqual(fromJson);
    expect(parseManifestBytes(Buffer.from(json), 'c.json', undefined, () => [])).toEqual(fromJson);
    expect(parseManifestBytes(new TextEncoder().encode(stringify(list)), 'c.yaml', undefined, () => [])).toEqual(fromJson);
    expect(parseManifestFully(json, 'c.json')).toEqual(fromJson);
  });

  it('the parse worker\'s JSON slices hold the same objects, in order, a slice at a time', () => {
    const { objects } = parseManifestBytes(Buffer.from(json), 'c.json', undefined, () => new JsonSlices(100));
    objects.flush();
    expect(objects.slices.length).toBe(Math.ceil(objects.length / 100));
    expect(objects.slices.flatMap((slice) => JSON.parse(slice) as unknown[])).toEqual(parseManifest(json, 'c.json').objects);
  });

  it('on the serving thread in time slices (a first load): the same objects, yielding to the event loop between slices; what the fast path does not take is left to the caller', async () => {
    let otherTaskRan = false;
    const parsing = parseJsonListInSlices(Buffer.from(json), undefined, new TimeSlicer(0)); // every slice used up: yields at each step
    setImmediate(() => (otherTaskRan = true));
    const parsed = await parsing;
    expect(otherTaskRan).toBe(true);
    expect(parsed).toEqual(parseManifestBytes(Buffer.from(json), 'c.json', undefined, () => []));

    const rejected = { ...list, items: [...list.items, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad', namespace: 'x' }, spec: { type: 'Nope' } }] };
    for (const bytes of [stringify(list), '[]', JSON.stringify(rejected), json.slice(0, -2)]) {
      expect(await parseJsonListInSlices(Buffer.from(bytes), undefined, new TimeSlicer()), bytes.slice(0, 40)).toBeUndefined();
    }
  });

  it('JSON cut short (kubectl still writing) → MANIFEST_PARSE at its end, from text and from bytes; YAML flow text with quotes in a comment still parses', () => {
    const whole = JSON.stringify(list, null, 4);
    for (const cut of [whole.length - 2, Math.floor(whole.length / 2), whole.indexOf('"name"') + 3]) {
      const text = whole.slice(0, cut);
      for (const err of [thrown(() => parseManifest(text, 'c.json')), thrown(() => parseManifestBytes(Buffer.from(text), 'c.json', undefined, () => []))]) {
        expectParseErrorAtEnd(err, text, 'c.json', 'the file ends inside its JSON value');
      }
    }
    expect(parseManifest('{kind: List, # {"a\n items: [{kind: Namespace, metadata: {name: x}}]}\n', 'c.yaml').objects.map((o) => o.name)).toEqual(['x']);
  });

  it('a kubectl List cut short before its closing `kind: List` → MANIFEST_PARSE at its end (fast YAML path, general path, JSON), not an empty cluster', () => {
    const { kind, ...withoutKind } = list;
    expect(kind).toBe('List');
    const whole = stringify({ ...withoutKind, kind }, { indentSeq: false }); // kubectl's order: kind after the items
    expect(whole.indexOf('\nkind: List')).toBeGreaterThan(whole.indexOf('\nitems:'));
    const texts = [
      whole.slice(0, whole.lastIndexOf('\n', whole.length / 2) + 1), // at a line's end (mid-line it is a syntax error, reported as such): the block-YAML fast path
      whole.slice(0, whole.indexOf('\nkind: List') + 1),
      'apiVersion: v1\nitems:\n- &a {kind: Namespace, metadata: {name: x}}\n', // an anchor: the general path
      JSON.stringify(withoutKind),
    ];
    for (const text of texts) expectParseErrorAtEnd(thrown(() => parseManifest(text, 'c.yaml')), text, 'c.yaml', 'a list with `items` but no `kind`');
    expect(parseManifest(whole, 'c.yaml').objects.length).toBeGreaterThan(0);
  });

  it('a YAML List over a megabyte cut inside a line (`cp` still writing) → MANIFEST_PARSE "ends inside a line" at its end, not the general parser\'s message; the same file whole without its final newline still parses, and a small cut file keeps the general parser\'s message', () => {
    const big = toKubernetesList(generateCluster({ services: 1500, seed: 3 }));
    const { kind, ...withoutKind } = big;
    const whole = stringify({ ...withoutKind, kind }, { indentSeq: false }); // kubectl's order: kind after the items
    expect(whole.length).toBeGreaterThan(1 << 20);
    const lastNamespaceKey = whole.lastIndexOf('\n    namespace: ') + '\n    names'.length;
    const texts = [
      whole.slice(0, lastNamespaceKey), // a key cut before its colon: the general path says "Implicit map keys…"
      whole.slice(0, whole.indexOf('\nkind: List') + '\nkind: Li'.length), // the List's own kind cut
    ];
    for (const text of texts) {
      expectParseErrorAtEnd(thrown(() => parseManifest(text, 'c.yaml')), text, 'c.yaml', 'the file ends inside a line that does not parse (cut short, or still being written?)');
    }
    expect(thrown(() => parseManifestFully(texts[0], 'c.yaml')).message).toContain('Implicit map keys need to be followed by map values');
    expect(parseManifest(whole.trimEnd(), 'c.yaml').objects.length).toBe(parseManifest(whole, 'c.yaml').objects.length);
    const small = stringify({ ...toKubernetesList(generateCluster({ services: 20, seed: 3 })), kind: 'List' }, { indentSeq: false });
    const smallCut = small.slice(0, small.lastIndexOf('\n    namespace: ') + '\n    names'.length);
    expect(thrown(() => parseManifest(smallCut, 'c.yaml')).message).toContain('Implicit map keys need to be followed by map values');
  });

  it('a YAML List saved on Windows (CRLF, a UTF-8 byte order mark) gives the objects of the same file with LF, through the fast parser: cut inside its last line past a megabyte, it is reported as cut short', () => {
    const whole = stringify({ ...toKubernetesList(generateCluster({ services: 1500, seed: 4 })), kind: 'List' }, { indentSeq: false });
    const windows = (text: string) => Buffer.from(`\uFEFF${text.replaceAll('\n', '\r\n')}`, 'utf8');
    const objects = parseManifest(whole, 'c.yaml').objects;
    expect(objects.length).toBeGreaterThan(1500);
    expect(parseManifestBytes(windows(whole), 'c.yaml', undefined, () => []).objects).toEqual(objects);
    expect(parseManifest(`\uFEFF${whole.replaceAll('\n', '\r\n')}`, 'c.yaml').objects).toEqual(objects);
    // Only the fast parser says "cut short" for a cut inside a line: the general one names a YAML error.
    const cut = whole.slice(0, whole.lastIndexOf('\n    namespace: ') + '\n    names'.length);
    expectParseErrorAtEnd(thrown(() => parseManifestBytes(windows(cut), 'c.yaml', undefined, () => [])), cut, 'c.yaml', 'the file ends inside a line that does not parse');
  });

  it('a UTF-16 file (PowerShell’s `>`), with a byte order mark or without → MANIFEST_PARSE naming the encoding, not an empty cluster', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n';
    for (const bytes of [Buffer.from(`\uFEFF${text}`, 'utf16le'), Buffer.from(text, 'utf16le'), Buffer.from(`\uFEFF${text}`, 'utf16le').swap16()]) {
      const err = thrown(() => parseManifestBytes(bytes, 'c.yaml', undefined, () => []));
      expect(err.code).toBe(ErrorCodes.MANIFEST_PARSE);
      expect(err.message).toContain('the manifest is UTF-16');
      expect(err.location).toEqual({ file: 'c.yaml', line: 1, column: 1 });
    }
  });

  it('a binary file → a MANIFEST_PARSE message of one printable line, the offending token cut short, not 16 KB of it', () => {
    // mulberry32 seed 48: 8 KiB whose YAML error quotes a scalar token thousands of bytes long.
    const random = prng(48);
    const bytes = Buffer.from(Array.from({ length: 8192 }, () => Math.floor(random() * 256)));
    const err = thrown(() => parseManifestBytes(bytes, 'bin.yaml', undefined, () => []));
    expect(err.code).toBe(ErrorCodes.MANIFEST_PARSE);
    expect(err.message).toMatch(/^bin\.yaml:\d+:\d+: invalid YAML\/JSON: Unexpected scalar token in YAML stream: .*… \(\d+ more characters\)$/);
    expect(err.message.length).toBeLessThan(300);
    expect(err.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('YAML: a bad object deep in a List → MANIFEST_OBJECT at the line of its `-`, as the general path says', () => {
    const items = list.items.slice(0, 50).concat([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad', namespace: 'x' }, spec: { type: 'Nope' } }], list.items.slice(50, 80));
    const text = stringify({ ...list, items }, { indentSeq: false });
    const fast = thrown(() => parseManifest(text, 'big.yaml'));
    const general = thrown(() => parseManifestFully(text, 'big.yaml'));
    expect(fast.code).toBe(ErrorCodes.MANIFEST_OBJECT);
    expect(fast.location).toEqual(general.location);
    expect(fast.message).toBe(general.message);
    const line = text.split('\n')[fast.location!.line! - 1];
    expect(line).toMatch(/^- /);

    // A syntax error after the bad object wins, as the general path parses everything first.
    const broken = `${text}- kind: Service\n  metadata: {name: [}\n`;
    const syntax = thrown(() => parseManifest(broken, 'big.yaml'));
    expect(syntax.code).toBe(ErrorCodes.MANIFEST_PARSE);
    expect(syntax.location?.line).toBe(text.split('\n').length + 1);
  });
});
