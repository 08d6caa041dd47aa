// Live-cluster scenarios asserted with real DNS queries over UDP (node:dns Resolver, c-ares) and TCP (dig)
// against a running server fed by the API emulator through KubernetesApiSource.
//
// These scenarios drive the source directly to control what it sees and when (the CLI and the `kubernetes`
// option of startClusterDnsServer are covered by test/e2e/cli-kubernetes.test.ts and test/embedding):
// - the post-sync scenarios run the real startClusterDnsServer and attach a KubernetesApiSource to its store;
// - the start-up scenario needs a store that is not synced before the API is, so it composes the same parts
//   startClusterDnsServer composes (index, answer cache, store, kubernetes handler, DNS server) with the source
//   started in the background, as the `kubernetes` option does.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startClusterDnsServer, type ClusterDnsServer } from '../../../src/cluster-dns.js';
import { KubernetesApiSource } from '../../../src/kube-api/api-source.js';
import { ClusterStore } from '../../../src/cluster/cluster-store.js';
import { resolveKubeConfig } from '../../../src/kube-api/kubeconfig.js';
import { REVERSE_ZONES } from '../../../src/cluster/record-builder.js';
import { Chain } from '../../../src/pipeline/chain.js';
import { KubernetesHandler } from '../../../src/pipeline/kubernetes-handler.js';
import { AnswerCache } from '../../../src/records/answer-cache.js';
import { RecordIndex } from '../../../src/records/record-index.js';
import { DnsServer } from '../../../src/server/dns-server.js';
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
} from '../../helpers/api-emulator/index.js';
import { FAST_TUNING } from './harness.js';

const TOKEN = 'dns-scenario-token';
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function emulator(objects: Record<string, unknown>[], down = false): Promise<{ emu: ApiEmulator; kubeconfig: string }> {
  const emu = await new ApiEmulator({ token: TOKEN }).start();
  emu.applyAll(objects);
  if (down) await emu.refuseConnections();
  const dir = await tempDir();
  const kubeconfig = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: TOKEN }] });
  cleanups.push(async () => {
    await emu.close();
    await dir.remove();
  });
  return { emu, kubeconfig };
}

function resolverFor(server: string): Resolver {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([server]);
  return resolver;
}

/** A records of `name` as sorted strings, or the DNS error code (ENOTFOUND = NXDOMAIN, ESERVFAIL, ENODATA). */
async function a(resolver: Resolver, name: string): Promise<string[] | string> {
  try {
    return (await resolver.resolve4(name)).sort();
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

async function expectA(resolver: Resolver, name: string, expected: string[] | string, timeoutMs = 5000): Promise<void> {
  let last: unknown;
  await waitFor(
    async () => {
      last = await a(resolver, name);
      return JSON.stringify(last) === JSON.stringify(expected);
    },
    { timeoutMs, intervalMs: 10, what: `${name} A → ${JSON.stringify(expected)} (last ${JSON.stringify(last)})` },
  );
}

function dig(server: { host: string; port: number }, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'dig',
      [`@${server.host}`, '-p', String(server.port), '+time=2', '+tries=1', ...args],
      { timeout: 5000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
}

describe('live cluster over DNS (startClusterDnsServer + KubernetesApiSource on its store)', () => {
  async function start(objects: Record<string, unknown>[]): Promise<{ emu: ApiEmulator; dns: ClusterDnsServer; source: KubernetesApiSource; log: CapturedLogger }> {
    const { emu, kubeconfig } = await emulator(objects);
    const log = captureLogger('info');
    const dns = await startClusterDnsServer({ listen: '127.0.0.1:0', logger: log.logger });
    cleanups.push(() => dns.close());
    const source = new KubernetesApiSource({
      kubeConfig: resolveKubeConfig({ kubeconfig }).kubeConfig,
      store: dns.store,
      logger: log.logger,
      watchPods: true,
      tuning: FAST_TUNING,
    });
    cleanups.push(() => source.close());
    await source.start();
    await emu.waitForWatches(4);
    return { emu, dns, source, log };
  }

  it('a Service added, modified and deleted in the API changes the answers (UDP and TCP)', async () => {
    const { emu, dns } = await start([namespace('default')]);
    const resolver = resolverFor(dns.server);
    const name = 'web.default.svc.cluster.local';
    expect(await a(resolver, name)).toBe('ENOTFOUND');
    emu.apply(service('default', 'web', { clusterIP: '10.96.0.10' }));
    await expectA(resolver, name, ['10.96.0.10']);
    emu.apply(service('default', 'web', { clusterIP: '10.96.0.11' }));
    await expectA(resolver, name, ['10.96.0.11']);
    if (existsSync('/usr/bin/dig')) {
      expect((await dig(dns.address, ['+tcp', '+short', name, 'A'])).trim()).toBe('10.96.0.11');
    }
    emu.apply(service('default', 'db', { clusterIP: 'None' }));
    emu.apply(endpointSlice('default', 'db-1', 'db', { endpoints: [{ addresses: ['10.244.0.1'] }, { addresses: ['10.244.0.2'], ready: false }] }));
    await expectA(resolver, 'db.default.svc.cluster.local', ['10.244.0.1']);
    emu.delete('Service', 'default', 'web');
    await expectA(resolver, name, 'ENOTFOUND');
  });

  it('API down after sync: old answers keep coming; back up with changes made meanwhile: new answers', async () => {
    const { emu, dns, source, log } = await start([
      namespace('default'),
      service('default', 'web', { clusterIP: '10.96.0.10' }),
      service('default', 'old', { clusterIP: '10.96.0.20' }),
    ]);
    const resolver = resolverFor(dns.server);
    await expectA(resolver, 'web.default.svc.cluster.local', ['10.96.0.10']);
    const outage = nextEvent(source, 'outage');
    await emu.refuseConnections();
    await outage;
    expect(await a(resolver, 'web.default.svc.cluster.local')).toEqual(['10.96.0.10']);
    expect(await a(resolver, 'old.default.svc.cluster.local')).toEqual(['10.96.0.20']);
    emu.apply(service('default', 'web', { clusterIP: '10.96.0.99' }));
    emu.delete('Service', 'default', 'old');
    emu.compact();
    await emu.acceptConnections();
    await expectA(resolver, 'web.default.svc.cluster.local', ['10.96.0.99']);
    await expectA(resolver, 'old.default.svc.cluster.local', 'ENOTFOUND');
    expect(log.matching('Kubernetes API unreachable')).toHaveLength(1);
    await waitFor(() => log.matching('Kubernetes API reachable again').length === 1);
  });
});

describe('live cluster over DNS before the first sync', () => {
  it('API down at start-up: cluster names answer SERVFAIL (never NXDOMAIN); once up, they answer', async () => {
    const { emu, kubeconfig } = await emulator([namespace('default'), service('default', 'web', { clusterIP: '10.96.0.10' })], true);
    const log = captureLogger('info');
    const zones = ['cluster.local'];
    const index = new RecordIndex({ zones: [...zones, ...REVERSE_ZONES], ttl: 5 });
    const store = new ClusterStore({ index, zones, ttl: 5, pods: 'verified', logger: log.logger });
    const handler = new KubernetesHandler({
      index,
      cache: new AnswerCache(index),
      zones,
      isSynced: () => store.synced,
      pods: 'verified',
      namespaceExists: (ns) => store.namespaceExists(ns),
      ttl: 5,
    });
    const server = new DnsServer({ host: '127.0.0.1', port: 0, handler: new Chain([handler]), logger: log.logger });
    const address = await server.start();
    cleanups.push(() => server.close());
    const source = new KubernetesApiSource({
      kubeConfig: resolveKubeConfig({ kubeconfig }).kubeConfig,
      store,
      logger: log.logger,
      watchPods: true,
      waitForSync: false,
      tuning: FAST_TUNING,
    });
    cleanups.push(() => source.close());
    const outage = nextEvent(source, 'outage');
    await source.start();
    await outage;

    const resolver = resolverFor(`127.0.0.1:${address.port}`);
    expect(await a(resolver, 'web.default.svc.cluster.local')).toBe('ESERVFAIL');
    expect(await a(resolver, 'missing.default.svc.cluster.local')).toBe('ESERVFAIL');
    await emu.acceptConnections();
    await source.whenSynced();
    expect(await a(resolver, 'web.default.svc.cluster.local')).toEqual(['10.96.0.10']);
    expect(await a(resolver, 'missing.default.svc.cluster.local')).toBe('ENOTFOUND');
  });
});
