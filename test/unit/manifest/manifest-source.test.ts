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
import { FakeIndex, fakeLogger, type FakeLogger } from '../cluster/fake-index.js';

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

/** Poll until `check` passes (bounded); the watcher's debounce is 50 ms and the stat poll 1 s. */
async function eventually(check: () => void, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

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
    await writeFile(file, manifest({ hello: '10.96.0.22', world: '10.96.0.21' }));
    await eventually(() => expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.22')));
    expect(index.touched()).toEqual(['svc:default/hello']);
    expect(log.info).toHaveBeenCalledWith(expect.objectContaining({ services: 2, changed: 1 }), 'manifest reloaded');
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
    await rename(tmp, file); // new inode and mtime, same content
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeFile(file, manifest({ hello: '10.96.0.23' }));
    await eventually(() => expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.23')));
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
      await rename(tmp, file);
      await eventually(() => expect(index.lines('svc:default/hello')).toContain(A('hello', ip)));
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
    await writeFile(override, manifest({ extra: '10.96.0.42' }));
    await eventually(() => expect(index.lines('svc:default/world')).toContain(A('world', '10.96.0.21')));
    expect(index.touched().sort()).toEqual(['svc:default/extra', 'svc:default/world']);

    // The earlier file changes an object the later one overrides: nothing changes in the store.
    await writeFile(override, manifest({ extra: '10.96.0.42', hello: '10.96.0.43' }));
    await eventually(() => expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.43')));
    index.reset();
    await writeFile(base, manifest({ hello: '10.96.0.50', world: '10.96.0.21' }));
    await eventually(() => expect(log.info.mock.calls.filter((call) => call[1] === 'manifest reloaded').at(-1)?.[0]).toMatchObject({ files: [base], changed: 0 }));
    expect(index.touched()).toEqual([]);
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.43'));

    // Gone from both files: deleted.
    await writeFile(override, manifest({ extra: '10.96.0.42' }));
    await eventually(() => expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.50')));
    await writeFile(base, manifest({ world: '10.96.0.21' }));
    await eventually(() => expect(index.lines('svc:default/hello')).toEqual([]));
  });

  it('a file caught mid-write is looked at again before anything is reported', async () => {
    const file = join(dir, 'c.json');
    const list = (ip: string) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'hello', namespace: 'default' }, spec: { clusterIP: ip } }] });
    await writeFile(file, list('10.96.0.20'));
    source = new ManifestSource({ files: [file], store, logger: log.logger, settleMs: 300 });
    await source.start();
    const full = list('10.96.0.24');
    await writeFile(file, full.slice(0, full.length / 2)); // `kubectl get -o json > file` half way
    await new Promise((resolve) => setTimeout(resolve, 100));
    await writeFile(file, full);
    await eventually(() => expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.24')));
    await new Promise((resolve) => setTimeout(resolve, 400)); // past the settle time
    expect(log.warn).not.toHaveBeenCalled();
    // Still broken after the settle time: reported once.
    await writeFile(file, full.slice(0, full.length / 2));
    await eventually(() => expect(log.warn).toHaveBeenCalledTimes(1));
    expect(log.warn.mock.calls[0][0]).toMatchObject({ file, code: ErrorCodes.MANIFEST_PARSE });
  });

  it('a broken edit keeps the last good data and logs why; fixing it applies again', async () => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, manifest({ hello: '10.96.0.20' }));
    source = new ManifestSource({ files: [file], store, logger: log.logger });
    await source.start();
    await writeFile(file, `${manifest({ hello: '10.96.0.99' })}  bad: [unclosed\n`);
    await eventually(() => expect(log.warn).toHaveBeenCalled());
    const [fields, message] = log.warn.mock.calls[0];
    expect(message).toBe('manifest change not applied; still serving its last good data');
    expect(fields).toMatchObject({ file, code: ErrorCodes.MANIFEST_PARSE });
    expect(fields.err).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: invalid YAML`));
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.20'));

    // A malformed object is a broken edit too.
    log.warn.mockClear();
    await writeFile(file, manifest({ hello: '10.96.0.300' }));
    await eventually(() => expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ code: ErrorCodes.MANIFEST_OBJECT }), expect.any(String)));
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.20'));

    await writeFile(file, manifest({ hello: '10.96.0.21' }));
    await eventually(() => expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.21')));
    expect(log.info).toHaveBeenCalledWith({ file }, 'manifest valid again');
  });

  it('a deleted file keeps serving its last data', async () => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, manifest({ hello: '10.96.0.20' }));
    source = new ManifestSource({ files: [file], store, logger: log.logger });
    await source.start();
    rmSync(file);
    await eventually(() => expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ code: ErrorCodes.MANIFEST_READ }), expect.any(String)));
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.20'));
  });

  it('an emptied file keeps the last good data and warns, again at the interval, until it has objects again', async () => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, manifest({ hello: '10.96.0.20' }));
    source = new ManifestSource({ files: [file], store, logger: log.logger, settleMs: 50, emptyWarnIntervalMs: 100 });
    await source.start();
    const emptied = 'manifest has no objects; still serving its last good data until it has some again';
    const warnings = () => log.warn.mock.calls.filter(([, message]) => message === emptied);

    // Truncated (a failed `kubectl get … > c.yaml`): warned at once, then again while it lasts.
    await writeFile(file, '');
    await eventually(() => expect(warnings().length).toBeGreaterThanOrEqual(2));
    expect(warnings()[0][0]).toEqual({ file, objects: 1 });
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.20'));

    await writeFile(file, manifest({ hello: '10.96.0.21' }));
    await eventually(() => expect(log.info).toHaveBeenCalledWith({ file, objects: 1 }, 'manifest has objects again'));
    expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.21'));

    // A List that lost every item is emptied too.
    log.warn.mockClear();
    await writeFile(file, 'apiVersion: v1\nkind: List\nitems: []\n');
    await eventually(() => expect(warnings().length).toBeGreaterThanOrEqual(1));
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

  it('close() stops every watcher and timer: no handle is left open, later edits are ignored', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // let handles closed by earlier tests go
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
    await new Promise((resolve) => setTimeout(resolve, 300));
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
    await writeFile(file, manifest({ hello: '10.96.0.77' }));
    await eventually(() => expect(index.lines('svc:default/hello')).toContain(A('hello', '10.96.0.77')), 3000);
  });
});
