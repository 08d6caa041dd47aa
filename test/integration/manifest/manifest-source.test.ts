// ManifestSource against real files in a temp directory: initial load, in-place edits, rename-replace
// edits, broken edits, and a close() that leaves nothing running.
import { mkdtempSync, rmSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/errors.js';
import { ClusterStore } from '../../../src/cluster/cluster-store.js';
import { ManifestSource } from '../../../src/manifest/manifest-source.js';
import { ThreadedManifestParser } from '../../../src/manifest/threaded-manifest-parser.js';
import { FakeIndex, fakeLogger, type FakeLogger } from '../../unit/cluster/fake-index.js';

function manifest(services: Record<string, string>): string {
  const items = Object.entries(services).map(
    ([name, ip]) => `- apiVersion: v1
  kind: Service
  metadata:
    name: ${name}
    namespace: default
  spec:
    clusterIP: ${ip}
    ports:
    - name: http
      port: 80`,
  );
  return `apiVersion: v1\nkind: List\nitems:\n${items.join('\n')}\n`;
}

const RELOADED = 'manifest reloaded';
const NOT_APPLIED = 'manifest change not applied; still serving its last good data';

/** One full turn of the event loop, close callbacks included (closed handles leave the active list). */
const loopTurn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

let dir: string;
let index: FakeIndex;
let store: ClusterStore;
let log: FakeLogger;
let source: ManifestSource | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clusterdns-source-'));
  index = new FakeIndex();
  log = fakeLogger();
  store = new ClusterStore({ index, zones: ['cluster.local'], ttl: 5, pods: 'verified', logger: log.logger });
});

afterEach(async () => {
  await source?.close();
  source = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The built worker script (global setup builds dist/); its objects are plain data, whichever build made them. */
const PARSE_WORKER = fileURLToPath(new URL('../../../dist/manifest/parse-worker.js', import.meta.url));
const A = (name: string, ip: string) => `${name}.default.svc.cluster.local. 5 IN A ${ip}`;

describe('ManifestSource', () => {
  it('start() loads every file, merges them and marks the store synced', async () => {
    const one = join(dir, 'one.yaml');
    const two = join(dir, 'two.json');
    await writeFile(one, manifest({ hello: '10.96.0.20' }));
    await writeFile(two, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }));
    source = new ManifestSource({ files: [one, two], store, logger: log.logger });
    expect(store.synced).toBe(false);
    await source.start();
    expect(store.synced).toBe(true);
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.20'));
    expect(store.namespaceExists('shop')).toBe(true);
    expect(log.info).toHaveBeenCalledWith(expect.objectContaining({ services: 1, namespaces: 1 }), 'manifest loaded');
  });

  it('start() rejects with MANIFEST_READ for a missing file and MANIFEST_PARSE for a broken one', async () => {
    const missing = new ManifestSource({ files: [join(dir, 'nope.yaml')], store, logger: log.logger });
    await expect(missing.start()).rejects.toMatchObject({ code: ErrorCodes.MANIFEST_READ });
    await missing.close();

    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'items:\n- kind: Service\n  metadata:\n    name: x\n\tbad: 1\n');
    const bad = new ManifestSource({ files: [broken], store, logger: log.logger });
    await expect(bad.start()).rejects.toMatchObject({ code: ErrorCodes.MANIFEST_PARSE, location: { file: broken, line: 5 } });
    await bad.close();
    expect(store.synced).toBe(false);
  });

  it('logs one line about skipped kinds', async () => {
    const file = join(dir, 'mixed.yaml');
    await writeFile(file, `${manifest({ hello: '10.96.0.20' })}- {apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: default}}\n`);
    source = new ManifestSource({ files: [file], store, logger: log.logger });
    await source.start();
    expect(log.info).toHaveBeenCalledWith({ file, kinds: { Deployment: 1 } }, 'ignoring objects of kinds clusterdns does not read');
  });

  it('an in-place edit reaches the store, re-publishing only what changed', async () => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, manifest({ hello: '10.96.0.20', world: '10.96.0.21' }));
    source = new ManifestSource({ files: [file], store, logger: log.logger });
    await source.start();
    index.reset();
    const reloaded = log.next('info', RELOADED);
    await writeFile(file, manifest({ hello: '10.96.0.22', world: '10.96.0.21' }));
    expect(await reloaded).toMatchObject({ services: 2, changed: 1 });
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.22'));
    expect(index.touched()).toEqual(['svc:default/hello']);
  });

  it('a file replaced by the same bytes is not re-parsed (compared by digest; the text itself is not kept)', async () => {
    const file = join(dir, 'c.yaml');
    const text = manifest({ hello: '10.96.0.20' });
    await writeFile(file, text);
    source = new ManifestSource({ files: [file], store, logger: log.logger });
    await source.start();
    index.reset();
    const tmp = join(dir, '.c.yaml.same.tmp');
    await writeFile(tmp, text);
    const unchanged = log.next('debug', 'manifest unchanged');
    await rename(tmp, file); // new inode and mtime, same content
    expect(await unchanged).toEqual({ file }); // read and compared, not re-parsed
    const reloaded = log.next('info', RELOADED);
    await writeFile(file, manifest({ hello: '10.96.0.23' }));
    await reloaded;
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.23'));
    const reloads = log.info.mock.calls.filter((call) => call[1] === 'manifest reloaded');
    expect(reloads).toHaveLength(1);
    expect(index.touched()).toEqual(['svc:default/hello']);
  });

  it('a rename-replace edit (editors, `kubectl get > tmp && mv`) is picked up, repeatedly', async () => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, manifest({ hello: '10.96.0.20' }));
    source = new ManifestSource({ files: [file], store, logger: log.logger });
    await source.start();
    for (const ip of ['10.96.0.31', '10.96.0.32']) {
      const tmp = join(dir, `.c.yaml.${ip}.tmp`);
      await writeFile(tmp, manifest({ hello: ip }));
      const reloaded = log.next('info', RELOADED, (fields) => fields.changed === 1);
      await rename(tmp, file);
      await reloaded;
      expect(index.lines('svc:default/hello')).toContain(A('hello', ip));
    }
  });

  it('an edit of one file is diffed against that file alone; the last file holding an object wins', async () => {
    const base = join(dir, 'base.yaml');
    const override = join(dir, 'override.yaml');
    await writeFile(base, manifest({ hello: '10.96.0.20', world: '10.96.0.21' }));
    await writeFile(override, manifest({ world: '10.96.0.41' }));
    source = new ManifestSource({ files: [base, override], store, logger: log.logger });
    await source.start();
    expect(index.lines('svc:default/world')).toContain(A('world', '10.96.0.41'));

    // The later file stops holding `world`: the earlier file's version comes back (not a delete).
    index.reset();
    const reloadOf = (file: string) => log.next('info', RELOADED, (fields) => (fields.files as string[]).includes(file));
    let reloaded = reloadOf(override);
    await writeFile(override, manifest({ extra: '10.96.0.42' }));
    await reloaded;
    expect(index.lines('svc:default/world')).toContain(A('world', '10.96.0.21'));
    expect(index.touched().sort()).toEqual(['svc:default/extra', 'svc:default/world']);

    // The earlier file changes an object the later one overrides: nothing changes in the store.
    reloaded = reloadOf(override);
    await writeFile(override, manifest({ extra: '10.96.0.42', hello: '10.96.0.43' }));
    await reloaded;
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.43'));
    index.reset();
    reloaded = reloadOf(base);
    await writeFile(base, manifest({ hello: '10.96.0.50', world: '10.96.0.21' }));
    expect(await reloaded).toMatchObject({ files: [base], changed: 0 });
    expect(index.touched()).toEqual([]);
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.43'));

    // Gone from both files: deleted.
    reloaded = reloadOf(override);
    await writeFile(override, manifest({ extra: '10.96.0.42' }));
    await reloaded;
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.50'));
    reloaded = reloadOf(base);
    await writeFile(base, manifest({ world: '10.96.0.21' }));
    await reloaded;
    expect(index.lines('svc:default/hello')).toEqual([]);
  });

  it('a file caught mid-write is looked at again before anything is reported', async () => {
    const file = join(dir, 'c.json');
    const list = (ip: string) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'hello', namespace: 'default' }, spec: { clusterIP: ip } }] });
    await writeFile(file, list('10.96.0.20'));
    source = new ManifestSource({ files: [file], store, logger: log.logger, settleMs: 300 });
    await source.start();
    const full = list('10.96.0.24');
    const settling = log.next('debug', 'manifest does not parse yet; looking again once the writer is done');
    await writeFile(file, full.slice(0, full.length / 2)); // `kubectl get -o json > file` half way
    expect(await settling).toEqual({ file, settleMs: 300 });
    const applied = log.next('info', RELOADED, (fields) => fields.changed === 1);
    await writeFile(file, full);
    await applied;
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.24'));
    // The settle time's second look parses the complete file: a reload that changes nothing, and no warning.
    expect(await log.next('info', RELOADED)).toMatchObject({ changed: 0 });
    expect(log.warn).not.toHaveBeenCalled();
    // Still broken after the settle time: reported once.
    const warned = log.next('warn', NOT_APPLIED);
    await writeFile(file, full.slice(0, full.length / 2));
    expect(await warned).toMatchObject({ file, code: ErrorCodes.MANIFEST_PARSE });
    expect(log.warn).toHaveBeenCalledTimes(1);
  });

  it('a broken edit keeps the last good data and logs why; fixing it applies again', async () => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, manifest({ hello: '10.96.0.20' }));
    source = new ManifestSource({ files: [file], store, logger: log.logger });
    await source.start();
    const warned = log.next('warn', NOT_APPLIED);
    await writeFile(file, `${manifest({ hello: '10.96.0.99' })}  bad: [unclosed\n`);
    const fields = await warned;
    expect(fields).toMatchObject({ file, code: ErrorCodes.MANIFEST_PARSE });
    expect(fields.err).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: invalid YAML`));
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.20'));

    // A malformed object is a broken edit too.
    const objectWarned = log.next('warn', NOT_APPLIED, (f) => f.code === ErrorCodes.MANIFEST_OBJECT);
    await writeFile(file, manifest({ hello: '10.96.0.300' }));
    expect(await objectWarned).toMatchObject({ file, err: expect.stringContaining('10.96.0.300') });
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.20'));

    const validAgain = log.next('info', 'manifest valid again');
    const reloaded = log.next('info', RELOADED);
    await writeFile(file, manifest({ hello: '10.96.0.21' }));
    expect(await validAgain).toEqual({ file });
    await reloaded;
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.21'));
  });

  it('a deleted file keeps serving its last data', async () => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, manifest({ hello: '10.96.0.20' }));
    source = new ManifestSource({ files: [file], store, logger: log.logger });
    await source.start();
    const warned = log.next('warn', NOT_APPLIED, (fields) => fields.code === ErrorCodes.MANIFEST_READ);
    rmSync(file);
    expect(await warned).toMatchObject({ file });
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.20'));
  });

  it('an emptied file keeps the last good data and warns, again at the interval, until it has objects again', async () => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, manifest({ hello: '10.96.0.20' }));
    source = new ManifestSource({ files: [file], store, logger: log.logger, settleMs: 50, emptyWarnIntervalMs: 100 });
    await source.start();
    const emptied = 'manifest has no objects; still serving its last good data until it has some again';

    // Truncated (a failed `kubectl get … > c.yaml`): warned once it has settled, then again while it lasts.
    const first = log.next('warn', emptied);
    await writeFile(file, '');
    expect(await first).toEqual({ file, objects: 1 });
    expect(await log.next('warn', emptied)).toEqual({ file, objects: 1 }); // repeated at the interval
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.20'));

    const recovered = log.next('info', 'manifest has objects again');
    const reloaded = log.next('info', RELOADED);
    await writeFile(file, manifest({ hello: '10.96.0.21' }));
    expect(await recovered).toEqual({ file, objects: 1 });
    await reloaded; // applied to the store
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.21'));

    // A List that lost every item is emptied too.
    const listEmptied = log.next('warn', emptied);
    await writeFile(file, 'apiVersion: v1\nkind: List\nitems: []\n');
    await listEmptied;
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.21'));
  });

  it('an empty manifest at start is a warning that says so, and the store is synced with nothing', async () => {
    const file = join(dir, 'empty.yaml');
    await writeFile(file, '');
    source = new ManifestSource({ files: [file], store, logger: log.logger });
    await source.start();
    expect(log.warn).toHaveBeenCalledWith(
      { file },
      'manifest is empty: it holds no Namespace, Service, EndpointSlice or Pod, so it adds no names',
    );
    expect(store.synced).toBe(true);
    expect(store.counts.services).toBe(0);
  });

  it('parsed in a worker thread, a manifest gives the same objects, and a broken one the same file:line error', async () => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, manifest({ hello: '10.96.0.20' }));
    source = new ManifestSource({ files: [file], store, logger: log.logger, parser: new ThreadedManifestParser(PARSE_WORKER) });
    await source.start();
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.20'));

    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'items:\n- kind: Service\n  metadata:\n    name: x\n\tbad: 1\n');
    const bad = new ManifestSource({ files: [broken], store: new ClusterStore({ index: new FakeIndex(), zones: ['cluster.local'], ttl: 5, pods: 'verified', logger: log.logger }), logger: log.logger, parser: new ThreadedManifestParser(PARSE_WORKER) });
    const failure = bad.start();
    await expect(failure).rejects.toMatchObject({ code: ErrorCodes.MANIFEST_PARSE, location: { file: broken, line: 5 } });
    await expect(failure).rejects.toThrow(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:1: invalid YAML`));
    await bad.close();
  });

  it('a JSON List is parsed on the serving thread on its first load and on small reloads (the parse worker never starts), a big reload and YAML in the worker; the objects compare equal wherever they were parsed', async () => {
    const service = (name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP: ip, ports: [{ name: 'http', port: 80 }] } });
    const json = (ip: string, more = 0) => JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [service('hello', ip), service('world', '10.96.0.21'), ...Array.from({ length: more }, (_, i) => service(`more-${i}`, `10.97.${i >> 8}.${i & 255}`))],
    }, null, 4);
    const file = join(dir, 'c.json');
    await writeFile(file, json('10.96.0.20'));
    let onRelease = (): void => {};
    const parser = new ThreadedManifestParser(PARSE_WORKER, { onRelease: () => onRelease() });
    source = new ManifestSource({ files: [file], store, logger: log.logger, parser });
    await source.start();
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.20'));
    expect(parser.workerRunning).toBe(false);

    let reloaded = log.next('info', RELOADED);
    await writeFile(file, json('10.96.0.22'));
    expect(await reloaded).toMatchObject({ services: 2, changed: 1 });
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.22'));
    expect(parser.workerRunning).toBe(false);

    const big = json('10.96.0.23', 6000);
    expect(big.length).toBeGreaterThan(1 << 20);
    reloaded = log.next('info', RELOADED);
    const workerReleased = new Promise<void>((resolve) => (onRelease = resolve));
    await writeFile(file, big);
    expect(await reloaded).toMatchObject({ services: 6002, changed: 6001 });
    await workerReleased; // a large parse lets its worker go at once: it ran
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.23'));

    const yaml = join(dir, 'c.yaml');
    await writeFile(yaml, manifest({ other: '10.96.0.30' }));
    const yamlParser = new ThreadedManifestParser(PARSE_WORKER, { idleReleaseMs: 60_000 });
    const yamlSource = new ManifestSource({ files: [yaml], store: new ClusterStore({ index: new FakeIndex(), zones: ['cluster.local'], ttl: 5, pods: 'verified', logger: log.logger }), logger: log.logger, parser: yamlParser });
    await yamlSource.start();
    expect(yamlParser.workerRunning).toBe(true);
    await yamlSource.close();
  });

  it('close() stops every watcher and timer: no handle is left open, later edits are ignored', async () => {
    await loopTurn(); // handles closed by earlier tests leave the active list
    const before = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    const file = join(dir, 'c.yaml');
    await writeFile(file, manifest({ hello: '10.96.0.20' }));
    source = new ManifestSource({ files: [file], store, logger: log.logger, pollMs: 100 });
    await source.start();
    const during = process.getActiveResourcesInfo();
    expect(during.filter((r) => r === 'FSEventWrap').length).toBeGreaterThan(before.filter((r) => r === 'FSEventWrap').length);
    // Trigger a pending debounce, then close before it fires.
    await writeFile(file, manifest({ hello: '10.96.0.44' }));
    await source.close();
    await loopTurn();
    const after = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    expect(after.filter((r) => r === 'FSEventWrap').length).toBe(before.filter((r) => r === 'FSEventWrap').length);
    expect(after.filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(before.filter((r) => r === 'Timeout').length);
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.20'));
  });

  it('the stat poll alone notices a change (watch events lost)', async () => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, manifest({ hello: '10.96.0.20' }));
    source = new ManifestSource({ files: [file], store, logger: log.logger, pollMs: 100 });
    await source.start();
    // Simulate a file system without watch events: close the watchers behind the source's back.
    for (const watcher of (source as unknown as { watchers: Array<{ close(): void }> }).watchers) watcher.close();
    const reloaded = log.next('info', RELOADED, () => true, 3000);
    await writeFile(file, manifest({ hello: '10.96.0.77' }));
    await reloaded;
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.77'));
  });
});
