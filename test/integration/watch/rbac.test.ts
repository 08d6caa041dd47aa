// The RBAC the chart ships is enough for what clusterdns requests, in both modes: the API emulator authorizes
// every request against a table built from the chart's own objects (deploy/clusterdns.yaml for the cluster-wide
// mode, the Role and RoleBinding of templates/role-namespaced.yaml for `rbac.namespaces`) and answers 403
// otherwise, as kube-apiserver's RBAC authorizer does.
import type { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubernetesApiSource } from '../../../src/kube-api/api-source.js';
import { resolveKubeConfig } from '../../../src/kube-api/kubeconfig.js';
import type { ClusterEvent } from '../../../src/cluster/objects.js';
import {
  ApiEmulator,
  captureLogger,
  endpointSlice,
  namespace,
  nextEvent,
  pod,
  rbacTableFromObjects,
  service,
  tempDir,
  writeKubeconfig,
  type RbacTable,
} from '../../helpers/api-emulator/index.js';
import { manifestObjects, namespacedRbacObjects } from '../../helpers/chart-files.js';

const TOKEN = 'rbac-test-token';
const ACCOUNT = { namespace: 'kube-system', name: 'clusterdns' };
const FAST = { backoff: { baseMs: 10, maxMs: 60 }, watchdogMs: 5000, minWatchMs: 50 };

class RecordingStore {
  events: ClusterEvent[] = [];
  apply(events: ClusterEvent[]): void {
    this.events.push(...events);
  }
  markSynced(): void {}
  names(): string[] {
    return this.events.map((e) => (e.type === 'upsert' ? `${e.object.kind}:${e.object.name}` : `-${e.kind}:${e.name}`)).sort();
  }
}

let emu: ApiEmulator | undefined;
let removeDir: (() => Promise<void>) | undefined;
const sources: KubernetesApiSource[] = [];

afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  await emu?.close();
  await removeDir?.();
  emu = undefined;
});

async function emulatorWith(rbac: RbacTable): Promise<{ emu: ApiEmulator; kubeConfig: KubeConfig }> {
  emu = await new ApiEmulator({ token: TOKEN, rbac }).start();
  emu.applyAll([
    namespace('default'),
    namespace('team-a'),
    namespace('other'),
    service('default', 'web', { clusterIP: '10.96.0.10' }),
    service('team-a', 'api', { clusterIP: '10.96.0.11' }),
    service('other', 'secret', { clusterIP: '10.96.0.12' }),
    endpointSlice('default', 'web-abc', 'web', { endpoints: [{ addresses: ['10.244.0.5'] }] }),
    pod('team-a', 'api-0', { ip: '10.244.0.6' }),
  ]);
  const dir = await tempDir();
  removeDir = dir.remove;
  const file = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: TOKEN }] });
  return { emu, kubeConfig: resolveKubeConfig({ kubeconfig: file }).kubeConfig };
}

function source(kubeConfig: KubeConfig, store: RecordingStore, namespaces?: string[]): KubernetesApiSource {
  const s = new KubernetesApiSource({ kubeConfig, store, logger: captureLogger().logger, watchPods: true, namespaces, tuning: FAST });
  sources.push(s);
  return s;
}

const forbidden = (e: ApiEmulator) => e.requests.filter((r) => r.status === 403).map((r) => `${r.watch ? 'watch' : 'list'} ${r.path}`);

describe('the shipped RBAC against an API server that enforces it', () => {
  it('cluster-wide: the ClusterRole and binding of deploy/clusterdns.yaml let every list and watch through and clusterdns syncs', async () => {
    const { emu, kubeConfig } = await emulatorWith(rbacTableFromObjects(manifestObjects('deploy/clusterdns.yaml'), ACCOUNT));
    const store = new RecordingStore();
    await source(kubeConfig, store).start();
    await emu.waitForWatches(4);
    expect(forbidden(emu)).toEqual([]);
    expect(store.names()).toContain('Service:secret');
    expect(emu.requests.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(8);
  });

  it('--namespaces: a Role and RoleBinding in each named namespace are enough; the named namespaces exist without listing Namespaces', async () => {
    const { emu, kubeConfig } = await emulatorWith(rbacTableFromObjects(namespacedRbacObjects(['default', 'team-a']), ACCOUNT));
    const store = new RecordingStore();
    await source(kubeConfig, store, ['team-a', 'default']).start();
    await emu.waitForWatches(6);
    expect(forbidden(emu)).toEqual([]);
    expect(store.names()).toEqual(['EndpointSlice:web-abc', 'Namespace:default', 'Namespace:team-a', 'Pod:api-0', 'Service:api', 'Service:web']);
  });

  it('catches a request the RBAC does not allow: namespaced Roles cannot list Namespaces by name or serve a cluster-wide watch', async () => {
    const { emu, kubeConfig } = await emulatorWith(rbacTableFromObjects(namespacedRbacObjects(['team-a']), ACCOUNT));
    // The request the Namespace watch made before: a field selector does not make it namespaced.
    const byName = await fetch(`${emu.url}/api/v1/namespaces?fieldSelector=metadata.name%3Dteam-a`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(byName.status).toBe(403);
    expect(((await byName.json()) as { message: string }).message).toBe(
      'namespaces is forbidden: User "system:serviceaccount:kube-system:clusterdns" cannot list resource "namespaces" in API group "" at the cluster scope',
    );
    // Without --namespaces clusterdns asks cluster-wide, which the Role does not grant: it reports an outage.
    const s = source(kubeConfig, new RecordingStore());
    const outage = nextEvent<{ error: Error }>(s, 'outage');
    void s.start().catch(() => undefined);
    expect(String((await outage).error)).toMatch(/403|[Ff]orbidden/);
    expect(s.synced).toBe(false);
    expect(forbidden(emu)).toContain('list /api/v1/services');
    // And a namespace outside the Role's is denied too.
    const other = await fetch(`${emu.url}/api/v1/namespaces/other/services`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(other.status).toBe(403);
  });
});

