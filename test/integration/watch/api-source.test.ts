// KubernetesApiSource against the API emulator: sync across all reflectors, start() modes, outages logged
// once, filters turned into request paths and selectors, close() semantics.
import type { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KUBE_CLOSED_ERROR_CODE, KubernetesApiSource, type KubernetesApiSourceOptions } from '../../../src/kube-api/api-source.js';
import { resolveKubeConfig } from '../../../src/kube-api/kubeconfig.js';
import type { ClusterEvent } from '../../../src/cluster/objects.js';
import {
  ApiEmulator,
  captureLogger,
  endpointSlice,
  namespace,
  nextEvent,
  pod,
  service,
  tempDir,
  waitFor,
  writeKubeconfig,
  type CapturedLogger,
} from '../../helpers/api-emulator/index.js';
import { trackOutage } from '../../helpers/outage-tracker.js';

const TOKEN = 'source-test-token';
const FAST = { backoff: { baseMs: 10, maxMs: 60 }, watchdogMs: 5000, minWatchMs: 50 };

class RecordingStore {
  events: ClusterEvent[] = [];
  syncedCalls = 0;
  apply(events: ClusterEvent[]): void {
    this.events.push(...events);
  }
  markSynced(): void {
    this.syncedCalls++;
  }
  names(): string[] {
    return this.events.map((e) => (e.type === 'upsert' ? `${e.object.kind}:${e.object.name}` : `-${e.kind}:${e.name}`)).sort();
  }
}

let emu: ApiEmulator;
let kubeConfig: KubeConfig;
let removeDir: () => Promise<void>;
let log: CapturedLogger;
const sources: KubernetesApiSource[] = [];

beforeEach(async () => {
  emu = await new ApiEmulator({ token: TOKEN }).start();
  const dir = await tempDir();
  removeDir = dir.remove;
  const file = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: TOKEN }] });
  kubeConfig = resolveKubeConfig({ kubeconfig: file }).kubeConfig;
  log = captureLogger();
  emu.applyAll([
    namespace('default'),
    namespace('team-a'),
    service('default', 'web', { clusterIP: '10.96.0.10', labels: { expose: 'dns' } }),
    service('team-a', 'api', { clusterIP: '10.96.0.11', labels: { expose: 'dns' } }),
    service('team-a', 'hidden', { clusterIP: '10.96.0.12' }),
    endpointSlice('default', 'web-abc', 'web', { endpoints: [{ addresses: ['10.244.0.5'] }], labels: { expose: 'dns' } }),
    pod('default', 'web-0', { ip: '10.244.0.5', labels: { expose: 'dns' } }),
  ]);
});

afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  await emu.close();
  await removeDir();
});

function source(store: RecordingStore, options: Partial<KubernetesApiSourceOptions> = {}): KubernetesApiSource {
  const s = new KubernetesApiSource({
    kubeConfig,
    store,
    logger: log.logger,
    watchPods: true,
    tuning: FAST,
    ...options,
  });
  sources.push(s);
  return s;
}

describe('KubernetesApiSource', () => {
  it('start() resolves once every reflector has listed, marks the store synced once and logs the duration', async () => {
    const store = new RecordingStore();
    const s = source(store);
    const synced = nextEvent<{ durationMs: number; objects: number }>(s, 'synced');
    await s.start();
    expect(s.synced).toBe(true);
    expect(store.syncedCalls).toBe(1);
    expect(s.reflectors.map((r) => r.target.description)).toEqual(['services', 'endpointslices', 'pods', 'namespaces']);
    expect(await synced).toMatchObject({ objects: 7, durationMs: expect.any(Number) });
    expect(store.names()).toEqual([
      'EndpointSlice:web-abc',
      'Namespace:default',
      'Namespace:team-a',
      'Pod:web-0',
      'Service:api',
      'Service:hidden',
      'Service:web',
    ]);
    const lines = log.matching('synced with the Kubernetes API');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ durationMs: expect.any(Number), objects: 7, server: emu.url });
    await s.whenSynced();
  });

  it('does not watch Pods unless asked', async () => {
    const store = new RecordingStore();
    const s = source(store, { watchPods: false });
    await s.start();
    expect(s.reflectors.map((r) => r.target.kind)).toEqual(['Service', 'EndpointSlice', 'Namespace']);
    expect(emu.requests.some((q) => q.resource === 'pods')).toBe(false);
  });

  it('turns --namespaces and --labels into namespaced paths and selectors; the named namespaces exist without a Namespace request', async () => {
    const store = new RecordingStore();
    const s = source(store, { namespaces: ['team-a', ' default ', 'team-a'], labelSelector: 'expose=dns' });
    await s.start();
    expect(s.reflectors.map((r) => r.target.description)).toEqual([
      'services in team-a',
      'endpointslices in team-a',
      'pods in team-a',
      'services in default',
      'endpointslices in default',
      'pods in default',
    ]);
    expect(store.names()).toEqual(['EndpointSlice:web-abc', 'Namespace:default', 'Namespace:team-a', 'Pod:web-0', 'Service:api', 'Service:web']);
    const lists = emu.requests.filter((q) => !q.watch);
    expect(lists.find((q) => q.path === '/api/v1/namespaces/team-a/services')?.query.labelSelector).toBe('expose=dns');
    expect(emu.requests.filter((q) => q.resource === 'namespaces')).toEqual([]);
  });

  it('with waitForSync: false, start() resolves while the API is down; sync follows when it comes up', async () => {
    await emu.refuseConnections();
    const store = new RecordingStore();
    const s = source(store, { waitForSync: false });
    const outage = nextEvent<{ error: Error }>(s, 'outage');
    await s.start();
    expect(s.synced).toBe(false);
    expect((await outage).error.message).toMatch(/ECONNREFUSED/);
    // Let several retries of every reflector fail: still one log line.
    await waitFor(() => s.stats().failures >= 12);
    expect(store.syncedCalls).toBe(0);
    const recovered = nextEvent<{ durationMs: number; failures: number }>(s, 'recovered');
    await emu.acceptConnections();
    await s.whenSynced();
    expect(store.syncedCalls).toBe(1);
    expect((await recovered).failures).toBeGreaterThanOrEqual(12);
    expect(log.matching('Kubernetes API unreachable')).toHaveLength(1);
    expect(log.matching('cluster names answer SERVFAIL until the first sync')).toHaveLength(1);
    expect(log.matching('Kubernetes API reachable again')).toHaveLength(1);
  });

  it('logs an outage after sync once when it starts and once when it ends', async () => {
    const store = new RecordingStore();
    const s = source(store);
    const outages = trackOutage(s);
    await s.start();
    await emu.waitForWatches(4);
    const outage = nextEvent(s, 'outage');
    await emu.refuseConnections();
    await outage;
    await waitFor(() => s.stats().failures >= 12);
    expect(outages.inOutage).toBe(true);
    const recovered = nextEvent(s, 'recovered');
    await emu.acceptConnections();
    await recovered;
    expect(outages.inOutage).toBe(false);
    expect(log.matching('Kubernetes API unreachable')).toHaveLength(1);
    expect(log.matching('serving the last known data')).toHaveLength(1);
    expect(log.matching('Kubernetes API reachable again')).toHaveLength(1);
    await emu.waitForWatches(4);
  });

  it('a 403 on one resource names the refused verb and resource and the RBAC that grants it, repeated at a bounded interval, never as "unreachable" and without a stack', async () => {
    const forbidden =
      'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:kube-system:clusterdns" cannot list resource "endpointslices" in API group "discovery.k8s.io" at the cluster scope';
    emu.failRequests(1_000_000, { status: 403, resource: 'endpointslices', message: forbidden });
    const intervalMs = 300;
    const s = source(new RecordingStore(), { waitForSync: false, refusalLogIntervalMs: intervalMs });
    const started = Date.now();
    await s.start();
    await waitFor(() => log.matching('Kubernetes API refused').length >= 2, { timeoutMs: 10_000 });
    const elapsed = Date.now() - started;
    const refusals = log.matching('Kubernetes API refused');
    expect(refusals[0]).toMatchObject({ level: 40, status: 403, verb: 'list', resource: 'endpointslices.discovery.k8s.io', scope: 'cluster-wide' });
    expect(refusals[0].msg).toContain('needs list and watch on endpointslices.discovery.k8s.io, as the ClusterRole in deploy/rbac.yaml grants');
    expect(refusals[0].err).toBe(`GET /apis/discovery.k8s.io/v1/endpointslices: ${forbidden}`); // a message, not an error with its stack
    // Retried far more often than said: the warning is repeated once an interval, not on every retry.
    expect(s.stats().failures).toBeGreaterThan(refusals.length);
    expect(refusals.length).toBeLessThanOrEqual(Math.ceil(elapsed / intervalMs) + 1);
    expect(log.matching('unreachable')).toHaveLength(0);
    expect(s.synced).toBe(false);

    // Granted: the source syncs.
    emu.clearFailures();
    await s.whenSynced();
  });

  it('a 401 says the credentials were rejected, for which request', async () => {
    const dir = await tempDir();
    const file = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: 'wrong-token' }] });
    try {
      const s = source(new RecordingStore(), { kubeConfig: resolveKubeConfig({ kubeconfig: file }).kubeConfig, waitForSync: false });
      await s.start();
      await waitFor(() => log.matching('rejected the credentials').length >= 1, { timeoutMs: 10_000 });
      expect(log.matching('rejected the credentials')[0]).toMatchObject({ status: 401, verb: 'list' });
      expect(log.matching('rejected the credentials')[0].msg).toMatch(/^Kubernetes API rejected the credentials \(401 Unauthorized\) for list (services|endpointslices\.discovery\.k8s\.io|pods|namespaces):/);
      expect(log.matching('unreachable')).toHaveLength(0);
    } finally {
      await dir.remove();
    }
  });

  it('close() before sync rejects start() with a coded error and leaves nothing running', async () => {
    await emu.refuseConnections();
    const s = source(new RecordingStore());
    const started = s.start();
    await nextEvent(s, 'outage');
    await s.close();
    await expect(started).rejects.toMatchObject({ code: KUBE_CLOSED_ERROR_CODE });
    expect(s.reflectors.every((r) => !r.isRunning)).toBe(true);
    await expect(s.start()).rejects.toMatchObject({ code: KUBE_CLOSED_ERROR_CODE });
  });

  it('close() with waitForSync: false and no one awaiting never leaves an unhandled rejection', async () => {
    await emu.refuseConnections();
    const s = source(new RecordingStore(), { waitForSync: false });
    await s.start();
    await s.close();
    await s.close(); // idempotent
    await expect(s.whenSynced()).rejects.toMatchObject({ code: KUBE_CLOSED_ERROR_CODE });
  });

  it('a throwing store or listener is logged, not thrown', async () => {
    const s = source({
      apply: () => {
        throw new Error('store broke');
      },
      markSynced: () => {
        throw new Error('markSynced broke');
      },
    } as unknown as RecordingStore);
    s.on('synced', () => {
      throw new Error('listener broke');
    });
    await s.start();
    expect(log.matching('applying Kubernetes changes failed').length).toBeGreaterThanOrEqual(1);
    expect(log.matching('marking the cluster store synced failed')).toHaveLength(1);
    expect(log.matching('a listener threw')).toHaveLength(1);
  });
});
