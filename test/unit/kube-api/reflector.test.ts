// The reflector against the API emulator, through the real @kubernetes/client-node (KubeConfig from a
// kubeconfig file, its Watch): list pagination, watch resume, bookmarks, 410 relist + diff, backoff,
// watchdog, stop/start races, handler errors, malformed objects.
import v8 from 'node:v8';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectionPath, type ReflectorTarget } from '../../../src/kube-api/api-resources.js';
import { resolveKubeConfig } from '../../../src/kube-api/kubeconfig.js';
import type { ClusterEvent, ClusterObject, ClusterObjectKind } from '../../../src/cluster/objects.js';
import { Reflector, type ReflectorOptions } from '../../../src/kube-api/reflector.js';
import { compactHeap } from '../../../src/runtime/heap-compaction.js';
import {
  ApiEmulator,
  captureLogger,
  endpointSlice,
  namespace,
  nextEvent,
  service,
  tempDir,
  waitFor,
  writeKubeconfig,
  type CapturedLogger,
  type RecordedRequest,
} from '../../helpers/api-emulator/index.js';

const TOKEN = 'reflector-test-token';

/** Replays delivered events into a map, like the store would hold them. */
class Mirror {
  readonly objects = new Map<string, ClusterObject>();
  readonly batches: ClusterEvent[][] = [];
  apply = (events: ClusterEvent[]): void => {
    this.batches.push(events);
    for (const e of events) {
      if (e.type === 'upsert') {
        const o = e.object;
        this.objects.set(o.kind === 'Namespace' ? o.name : `${o.namespace}/${o.name}`, o);
      } else {
        this.objects.delete(e.kind === 'Namespace' ? e.name : `${e.namespace}/${e.name}`);
      }
    }
  };
  get keys(): string[] {
    return [...this.objects.keys()].sort();
  }
  get deletes(): ClusterEvent[] {
    return this.batches.flat().filter((e) => e.type === 'delete');
  }
}

let emu: ApiEmulator;
let kubeConfig: KubeConfig;
let removeDir: () => Promise<void>;
let log: CapturedLogger;
const running: Reflector[] = [];

beforeEach(async () => {
  emu = await new ApiEmulator({ token: TOKEN }).start();
  const dir = await tempDir();
  removeDir = dir.remove;
  const file = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: TOKEN }] });
  kubeConfig = resolveKubeConfig({ kubeconfig: file }).kubeConfig;
  log = captureLogger();
});

afterEach(async () => {
  for (const r of running.splice(0)) r.stop();
  await emu.close();
  await removeDir();
});

function target(kind: ClusterObjectKind, extra: Partial<ReflectorTarget> = {}): ReflectorTarget {
  return { kind, path: collectionPath(kind), description: kind, ...extra };
}

function reflector(
  kind: ClusterObjectKind,
  options: Partial<ReflectorOptions> = {},
  mirror = new Mirror(),
): { r: Reflector; mirror: Mirror } {
  const r = new Reflector({
    kubeConfig,
    target: target(kind),
    logger: log.logger,
    onEvents: mirror.apply,
    backoff: { baseMs: 10, maxMs: 80 },
    watchdogMs: 5000,
    minWatchMs: 50,
    ...options,
  });
  running.push(r);
  return { r, mirror };
}

const watchesOf = (resource: string) => (q: RecordedRequest) => q.watch && q.resource === resource;
const listsOf = (resource: string) => (q: RecordedRequest) => !q.watch && q.resource === resource;

function svc(name: string, ip: string, ns = 'default'): Record<string, unknown> {
  return service(ns, name, { clusterIP: ip });
}

describe('Reflector: list', () => {
  it('keeps nothing of the raw list pages once delivered, while the watch runs on', async () => {
    // 400 Services with a 50 kB annotation each: ≈ 20 MB of raw JSON strings that trimming drops. Were the
    // parsed pages kept (a suspended async frame holding the list through the watch), the heap would grow
    // by at least that much; the trimmed objects are a few hundred bytes each.
    const blob = 'x'.repeat(50_000);
    for (let i = 0; i < 400; i++) {
      const object = svc(`big${i}`, `10.0.${i >> 8}.${i & 255}`) as { metadata: { annotations: Record<string, string> } };
      object.metadata.annotations = { 'example.com/blob': blob };
      emu.apply(object);
    }
    compactHeap();
    const before = v8.getHeapStatistics().used_heap_size;
    const { r, mirror } = reflector('Service', { pageSize: 50 });
    const synced = nextEvent<{ objects: number }>(r, 'synced');
    r.start();
    expect((await synced).objects).toBe(400);
    await waitFor(() => emu.requests.some(watchesOf('services')));
    compactHeap();
    const grown = v8.getHeapStatistics().used_heap_size - before;
    expect(mirror.objects.size).toBe(400);
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });

  it('lists page by page (limit/continue) and delivers one batch, then reports synced', async () => {
    for (let i = 0; i < 7; i++) emu.apply(svc(`s${i}`, `10.0.0.${i + 1}`));
    const { r, mirror } = reflector('Service', { pageSize: 3 });
    const synced = nextEvent<{ objects: number }>(r, 'synced');
    r.start();
    expect((await synced).objects).toBe(7);
    expect(r.synced).toBe(true);
    expect(mirror.keys).toEqual(['default/s0', 'default/s1', 'default/s2', 'default/s3', 'default/s4', 'default/s5', 'default/s6']);
    expect(mirror.batches).toHaveLength(1);
    const lists = emu.requests.filter(listsOf('services'));
    expect(lists.map((q) => q.query.limit)).toEqual(['3', '3', '3']);
    expect(lists[0].query.continue).toBeUndefined();
    expect(lists[1].query.continue).toBeTruthy();
    expect(r.resourceVersion).toBe(String(emu.resourceVersion));
    // Items come back trimmed: no managedFields/annotations, the list's kind supplied by the reflector.
    const s0 = mirror.objects.get('default/s0');
    expect(s0).toEqual({
      kind: 'Service',
      namespace: 'default',
      name: 's0',
      type: 'ClusterIP',
      headless: false,
      clusterIPs: ['10.0.0.1'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      publishNotReadyAddresses: false,
    });
  });

  it('restarts the list when a continue token expires between pages', async () => {
    for (let i = 0; i < 6; i++) emu.apply(svc(`s${i}`, `10.0.0.${i + 1}`));
    const { r, mirror } = reflector('Service', { pageSize: 2 });
    // Compact right after the first page has been served: the continue token of that list is now too old.
    let compacted = false;
    emu.on('request', (q: RecordedRequest) => {
      if (!compacted && !q.watch && q.query.continue) {
        compacted = true;
        emu.apply(svc('late', '10.0.1.1'));
        emu.compact();
      }
    });
    r.start();
    await nextEvent(r, 'synced');
    expect(mirror.keys).toContain('default/late');
    expect(mirror.keys).toHaveLength(7);
    const lists = emu.requests.filter(listsOf('services'));
    expect(lists.filter((q) => q.status === 410)).toHaveLength(1);
    expect(lists.filter((q) => q.query.continue === undefined)).toHaveLength(2);
  });

  it('retries a failing list with growing, jittered backoff and syncs once the API answers', async () => {
    emu.apply(svc('a', '10.0.0.1'));
    emu.failRequests(3, { status: 500 });
    const { r, mirror } = reflector('Service', { backoff: { baseMs: 20, maxMs: 1000, jitter: 0 } });
    const failures: { attempt: number; retryInMs: number; phase: string }[] = [];
    r.on('failure', (f) => failures.push(f));
    r.start();
    await nextEvent(r, 'synced');
    expect(failures.map((f) => [f.phase, f.attempt, f.retryInMs])).toEqual([
      ['list', 1, 20],
      ['list', 2, 40],
      ['list', 3, 80],
    ]);
    expect(mirror.keys).toEqual(['default/a']);
  });

  it('treats a list body cut off half-way as a failure and retries', async () => {
    emu.apply(svc('a', '10.0.0.1'));
    emu.truncateNextLists(1);
    const { r, mirror } = reflector('Service');
    const failure = nextEvent<{ error: Error }>(r, 'failure');
    r.start();
    expect((await failure).error.message).toMatch(/closed mid-body|aborted|socket hang up|not JSON/);
    await nextEvent(r, 'synced');
    expect(mirror.keys).toEqual(['default/a']);
  });

  it('skips a malformed object with one log line and delivers the rest', async () => {
    emu.apply(svc('good', '10.0.0.1'));
    emu.apply({ ...svc('bad', '10.0.0.2'), spec: { clusterIP: 'not-an-ip', ports: [] } });
    const { r, mirror } = reflector('Service');
    r.start();
    await nextEvent(r, 'synced');
    expect(mirror.keys).toEqual(['default/good']);
    const lines = log.matching('malformed object skipped');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ object: 'default/bad', kind: 'Service' });
    expect(r.stats.malformed).toBe(1);
  });

  it('sends the label and field selectors of its target on list and watch', async () => {
    emu.apply(service('a', 'keep', { clusterIP: '10.0.0.1', labels: { tier: 'dns' } }));
    emu.apply(service('a', 'drop', { clusterIP: '10.0.0.2', labels: { tier: 'web' } }));
    emu.apply(service('b', 'other', { clusterIP: '10.0.0.3', labels: { tier: 'dns' } }));
    const { r, mirror } = reflector('Service', {
      target: target('Service', { labelSelector: 'tier=dns', fieldSelector: 'metadata.namespace=a' }),
    });
    r.start();
    await nextEvent(r, 'synced');
    expect(mirror.keys).toEqual(['a/keep']);
    const watch = await emu.waitForRequest(watchesOf('services'));
    expect(watch.query).toMatchObject({ labelSelector: 'tier=dns', fieldSelector: 'metadata.namespace=a' });
    // A change that moves an object out of the selector arrives as a DELETED.
    emu.apply(service('a', 'keep', { clusterIP: '10.0.0.1', labels: { tier: 'web' } }));
    await waitFor(() => mirror.keys.length === 0);
  });

  it('lists a namespaced path', async () => {
    emu.apply(endpointSlice('a', 'web-1', 'web', { endpoints: [{ addresses: ['10.1.0.1'] }] }));
    emu.apply(endpointSlice('b', 'web-1', 'web', { endpoints: [{ addresses: ['10.1.0.2'] }] }));
    const { r, mirror } = reflector('EndpointSlice', {
      target: target('EndpointSlice', { path: collectionPath('EndpointSlice', 'b') }),
    });
    r.start();
    await nextEvent(r, 'synced');
    expect(mirror.keys).toEqual(['b/web-1']);
    expect(emu.requests[0].path).toBe('/apis/discovery.k8s.io/v1/namespaces/b/endpointslices');
  });
});

describe('Reflector: watch', () => {
  it('watches from the list resourceVersion with bookmarks and a timeout drawn from 300..600 s', async () => {
    emu.apply(svc('a', '10.0.0.1'));
    const seen = new Set<string>();
    for (const random of [0, 0.5, 0.999999]) {
      const { r } = reflector('Service', { random: () => random });
      r.start();
      await nextEvent(r, 'synced');
      const mark = emu.mark();
      const watch = await emu.waitForRequest(watchesOf('services'), { since: Math.max(0, mark - 1) });
      expect(watch.query.resourceVersion).toBe(String(emu.resourceVersion));
      expect(watch.query.allowWatchBookmarks).toBe('true');
      seen.add(watch.query.timeoutSeconds);
      r.stop();
    }
    expect(seen).toEqual(new Set(['300', '450', '600']));
  });

  it('delivers ADDED, MODIFIED and DELETED as upserts and deletes', async () => {
    const { r, mirror } = reflector('Service');
    r.start();
    await nextEvent(r, 'synced');
    await emu.waitForWatches(1, 'services');
    emu.apply(svc('a', '10.0.0.1'));
    await waitFor(() => mirror.objects.get('default/a'));
    emu.apply(svc('a', '10.0.0.9'));
    await waitFor(() => (mirror.objects.get('default/a') as { clusterIPs: string[] }).clusterIPs[0] === '10.0.0.9');
    emu.delete('Service', 'default', 'a');
    await waitFor(() => mirror.keys.length === 0);
    expect(mirror.deletes).toEqual([{ type: 'delete', kind: 'Service', namespace: 'default', name: 'a' }]);
    expect(r.resourceVersion).toBe(String(emu.resourceVersion));
  });

  it('resumes from the last resourceVersion after a dropped connection, without relisting', async () => {
    const { r, mirror } = reflector('Service');
    r.start();
    await nextEvent(r, 'synced');
    await emu.waitForWatches(1, 'services');
    emu.apply(svc('a', '10.0.0.1'));
    await waitFor(() => mirror.objects.has('default/a'));
    const rvBeforeDrop = r.resourceVersion;
    const mark = emu.mark();
    emu.dropWatches();
    emu.apply(svc('b', '10.0.0.2')); // happens while no watch is open
    const rewatch = await emu.waitForRequest(watchesOf('services'), { since: mark });
    expect(rewatch.query.resourceVersion).toBe(rvBeforeDrop);
    await waitFor(() => mirror.objects.has('default/b'));
    expect(emu.requests.filter(listsOf('services'))).toHaveLength(1);
    expect(r.stats.relists).toBe(0);
  });

  it('moves its resourceVersion with BOOKMARK events', async () => {
    emu.apply(svc('a', '10.0.0.1'));
    emu.apply(namespace('elsewhere')); // moves the global resourceVersion without a Service event
    const { r } = reflector('Service');
    r.start();
    await nextEvent(r, 'synced');
    await emu.waitForWatches(1, 'services');
    emu.apply(namespace('more'));
    expect(r.resourceVersion).not.toBe(String(emu.resourceVersion));
    emu.sendBookmarks();
    await waitFor(() => r.resourceVersion === String(emu.resourceVersion));
    expect(r.stats.bookmarks).toBe(1);
    const mark = emu.mark();
    emu.endWatches();
    const rewatch = await emu.waitForRequest(watchesOf('services'), { since: mark });
    expect(rewatch.query.resourceVersion).toBe(String(emu.resourceVersion));
  });

  for (const goneAs of ['event', 'status'] as const) {
    it(`relists on 410 Gone (${goneAs === 'event' ? 'ERROR event in the stream' : 'HTTP 410'}) and delivers only the difference`, async () => {
      await emu.close();
      emu = await new ApiEmulator({ token: TOKEN, goneAs }).start(emu.port);
      emu.apply(svc('stay', '10.0.0.1'));
      emu.apply(svc('change', '10.0.0.2'));
      emu.apply(svc('vanish', '10.0.0.3'));
      const { r, mirror } = reflector('Service');
      r.start();
      await nextEvent(r, 'synced');
      await emu.waitForWatches(1, 'services');
      // The connection drops; meanwhile objects change and history is compacted away.
      emu.dropWatches();
      emu.apply(svc('change', '10.0.0.22'));
      emu.delete('Service', 'default', 'vanish');
      emu.apply(svc('new', '10.0.0.4'));
      emu.compact();
      const relist = nextEvent<{ reason: string }>(r, 'relist');
      expect((await relist).reason).toMatch(goneAs === 'event' ? /too old resource version/ : /Gone/);
      await waitFor(() => mirror.keys.join() === 'default/change,default/new,default/stay');
      expect((mirror.objects.get('default/change') as { clusterIPs: string[] }).clusterIPs).toEqual(['10.0.0.22']);
      // The relist batch: one delete, two upserts; the unchanged object is not re-delivered.
      const last = mirror.batches.at(-1)!;
      expect(last.map((e) => (e.type === 'delete' ? `-${e.name}` : `+${e.object.name}`)).sort()).toEqual([
        '+change',
        '+new',
        '-vanish',
      ]);
      expect(r.stats.relists).toBe(1);
      await emu.waitForWatches(1, 'services');
      const lastWatch = emu.requests.filter(watchesOf('services')).at(-1)!;
      expect(lastWatch.query.resourceVersion).toBe(String(emu.resourceVersion));
    });
  }

  it('restarts a watch that went silent after its headers (watchdog)', async () => {
    const { r, mirror } = reflector('Service', { watchdogMs: 150 });
    r.start();
    await nextEvent(r, 'synced');
    await emu.waitForWatches(1, 'services');
    emu.setSilentWatches('after-headers');
    const mark = emu.mark();
    emu.dropWatches(); // the next watch is silent
    await emu.waitForRequest(watchesOf('services'), { since: mark });
    emu.apply(svc('a', '10.0.0.1')); // never sent on the silent stream
    emu.setSilentWatches('off');
    await waitFor(() => mirror.objects.has('default/a'), { timeoutMs: 3000 });
    expect(r.stats.watchdogRestarts).toBeGreaterThanOrEqual(1);
    expect(log.matching('watch silent; restarting it').length).toBeGreaterThanOrEqual(1);
  });

  it('abandons a watch request that never gets response headers (watchdog) and closes its connection', async () => {
    const { r, mirror } = reflector('Service', { watchdogMs: 150 });
    emu.setSilentWatches('before-headers');
    r.start();
    await nextEvent(r, 'synced');
    await waitFor(() => r.stats.watchdogRestarts >= 1, { timeoutMs: 3000 });
    const failure = await nextEvent<{ phase: string; error: Error }>(r, 'failure', 3000);
    expect(failure.phase).toBe('watch');
    emu.setSilentWatches('off');
    emu.apply(svc('a', '10.0.0.1'));
    await waitFor(() => mirror.objects.has('default/a'), { timeoutMs: 3000 });
    // Every abandoned request's connection was closed: at most the live watch is still open on the server.
    await waitFor(() => emu.activeWatches('services') === 1);
  });

  it('backs off when the server ends every watch at once (no request storm)', async () => {
    const { r } = reflector('Service', { backoff: { baseMs: 20, maxMs: 80, jitter: 0 }, minWatchMs: 1000 });
    emu.on('watch-open', () => setImmediate(() => emu.endWatches()));
    r.start();
    await nextEvent(r, 'synced');
    const start = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const watches = emu.requests.filter((q) => watchesOf('services')(q) && q.at >= start).length;
    // 20+40+80+80+80+80… ms between attempts: about 7 in 500 ms; without backoff it would be hundreds.
    expect(watches).toBeGreaterThanOrEqual(2);
    expect(watches).toBeLessThanOrEqual(12);
  });

  it('re-watches after HTTP 500 on the watch request without relisting', async () => {
    const { r, mirror } = reflector('Service');
    emu.failRequests(2, { status: 500, watch: true });
    const failures: string[] = [];
    r.on('failure', (f) => failures.push(f.phase));
    r.start();
    await nextEvent(r, 'synced');
    await emu.waitForWatches(1, 'services');
    emu.apply(svc('a', '10.0.0.1'));
    await waitFor(() => mirror.objects.has('default/a'));
    expect(failures).toEqual(['watch', 'watch']);
    expect(emu.requests.filter(listsOf('services'))).toHaveLength(1);
  });
});

describe('Reflector: robustness', () => {
  it('catches a throwing consumer, logs it, and keeps delivering', async () => {
    const delivered: string[] = [];
    const { r } = reflector('Service', {
      onEvents: (events) => {
        if (events.some((e) => e.type === 'upsert' && e.object.name === 'boom')) throw new Error('consumer exploded');
        for (const e of events) if (e.type === 'upsert') delivered.push(e.object.name);
      },
    });
    r.start();
    await nextEvent(r, 'synced');
    await emu.waitForWatches(1, 'services');
    emu.apply(svc('boom', '10.0.0.1'));
    await waitFor(() => r.stats.handlerErrors === 1);
    emu.apply(svc('after', '10.0.0.2'));
    await waitFor(() => delivered.includes('after'));
    expect(log.matching('applying Kubernetes changes failed')).toHaveLength(1);
  });

  it('a throwing listener is logged and does not end the loop', async () => {
    const { r, mirror } = reflector('Service');
    r.on('synced', () => {
      throw new Error('listener exploded');
    });
    r.start();
    await waitFor(() => r.synced);
    await emu.waitForWatches(1, 'services');
    emu.apply(svc('a', '10.0.0.1'));
    await waitFor(() => mirror.objects.has('default/a'));
    expect(log.matching('a reflector listener threw')).toHaveLength(1);
  });

  it('stop() aborts a list in flight and a backoff wait; nothing is delivered afterwards', async () => {
    emu.apply(svc('a', '10.0.0.1'));
    emu.setLatency(300);
    const { r, mirror } = reflector('Service');
    r.start();
    await emu.waitForRequest(listsOf('services'));
    r.stop();
    emu.setLatency(0);
    expect(r.isRunning).toBe(false);
    // The request was aborted on the wire before its (delayed) answer: nothing can be delivered from it.
    const list = emu.requests[0];
    await waitFor(() => list.closedAt !== undefined);
    expect(list.closedAt! - list.at).toBeLessThan(300);
    expect(list.status).toBeUndefined();
    expect(mirror.batches).toHaveLength(0);
    expect(r.synced).toBe(false);

    emu.failRequests(100, { status: 500 });
    const { r: r2 } = reflector('Service', { backoff: { baseMs: 60_000, maxMs: 60_000 } });
    r2.start();
    await nextEvent(r2, 'failure');
    const before = emu.requests.length;
    r2.stop(); // wakes the 60 s sleep; the loop ends
    await new Promise((resolve) => setImmediate(resolve));
    expect(emu.requests.length).toBe(before);
  });

  it('stop/start races never leave two watches open', async () => {
    emu.apply(svc('a', '10.0.0.1'));
    const { r, mirror } = reflector('Service');
    for (let i = 0; i < 5; i++) {
      r.start();
      await new Promise((resolve) => setTimeout(resolve, i * 3));
      r.stop();
    }
    r.start();
    await waitFor(() => r.synced);
    await emu.waitForWatches(1, 'services');
    // Let any straggler from an old generation surface.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(emu.activeWatches('services')).toBe(1);
    emu.apply(svc('b', '10.0.0.2'));
    await waitFor(() => mirror.objects.has('default/b'));
    expect(mirror.keys).toEqual(['default/a', 'default/b']);
  });

  it('restarting after stop() relists and delivers deletes for objects that vanished meanwhile', async () => {
    emu.apply(svc('a', '10.0.0.1'));
    emu.apply(svc('b', '10.0.0.2'));
    const { r, mirror } = reflector('Service');
    r.start();
    await nextEvent(r, 'synced');
    r.stop();
    emu.delete('Service', 'default', 'a');
    r.start();
    await waitFor(() => mirror.keys.join() === 'default/b');
    expect(mirror.deletes).toHaveLength(1);
  });
});
