// /health, /ready and /metrics over real HTTP, with the Kubernetes source down at start-up and then up.
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterStore } from '../../src/cluster/cluster-store.js';
import { startClusterDnsServer, type ClusterDnsServer } from '../../src/cluster-dns.js';
import { resolveKubeConfig } from '../../src/kube-api/kubeconfig.js';
import { RCode, RRType } from '../../src/wire/types.js';
import { ApiEmulator, namespace, service, tempDir, waitFor, writeKubeconfig } from '../helpers/api-emulator/index.js';
import { udpQuery } from '../helpers/raw-query.js';
import { FAST_TUNING } from './watch/harness.js';

const TOKEN = 'probe-token';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function get(address: { host: string; port: number } | undefined, path: string): Promise<{ status: number; body: string }> {
  if (!address) throw new Error('endpoint not bound');
  const response = await fetch(`http://${address.host}:${address.port}${path}`);
  return { status: response.status, body: await response.text() };
}

describe('HTTP endpoints', () => {
  it('/ready is 503 "not synced with the cluster yet" while the API is unreachable at start-up, 200 once synced, after the initial-load hook ran once; /health is 200 throughout', async () => {
    const emu = await new ApiEmulator({ token: TOKEN }).start();
    emu.applyAll([namespace('default'), service('default', 'hello', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] })]);
    await emu.refuseConnections();
    const dir = await tempDir();
    const kubeconfig = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: TOKEN }] });
    cleanups.push(async () => {
      await emu.close();
      await dir.remove();
    });

    const { kubeConfig } = resolveKubeConfig({ kubeconfig });
    let store: ClusterStore | undefined;
    const syncedAtInitialLoad: boolean[] = [];
    const dns: ClusterDnsServer = await startClusterDnsServer({
      kubernetes: { kubeConfig, tuning: FAST_TUNING },
      health: '127.0.0.1:0',
      ready: '127.0.0.1:0',
      metrics: '127.0.0.1:0',
      beforeListen: (parts) => {
        store = parts.store;
      },
      onInitialLoad: () => syncedAtInitialLoad.push(store!.synced),
    });
    cleanups.push(() => dns.close());

    expect(await get(dns.http.health, '/health')).toEqual({ status: 200, body: 'OK' });
    expect(await get(dns.http.ready, '/ready')).toEqual({ status: 503, body: 'not synced with the cluster yet' });
    expect((await udpQuery(dns.address.port, 'hello.default.svc.cluster.local', RRType.A)).rcode).toBe(RCode.SERVFAIL);
    expect(syncedAtInitialLoad).toEqual([]);

    await emu.acceptConnections();
    await waitFor(async () => (await get(dns.http.ready, '/ready')).status === 200, { timeoutMs: 5000 });
    expect(syncedAtInitialLoad).toEqual([false]);
    expect((await udpQuery(dns.address.port, 'hello.default.svc.cluster.local', RRType.A)).rcode).toBe(RCode.NOERROR);
    expect((await get(dns.http.health, '/nope')).status).toBe(404);
  });

  it('/metrics publishes CoreDNS-named counters', async () => {
    const dns = await startClusterDnsServer({ metrics: '127.0.0.1:0' });
    cleanups.push(() => dns.close());
    await udpQuery(dns.address.port, 'nope.default.svc.cluster.local', RRType.A);
    await udpQuery(dns.address.port, 'example.com', RRType.A);
    const { status, body } = await get(dns.http.metrics, '/metrics');
    expect(status).toBe(200);
    expect(body).toMatch(/coredns_dns_requests_total\{[^}]*proto="udp"[^}]*\} 2/);
    expect(body).toMatch(/coredns_dns_responses_total\{[^}]*rcode="NXDOMAIN"[^}]*\} 1/);
    expect(body).toMatch(/coredns_dns_responses_total\{[^}]*rcode="REFUSED"[^}]*\} 1/);
    expect(body).toContain('coredns_panics_total 0');
    expect(body).toContain('clusterdns_synced 1');
    // A second scrape does not double-count.
    expect((await get(dns.http.metrics, '/metrics')).body).toMatch(/coredns_dns_requests_total\{[^}]*proto="udp"[^}]*\} 2/);
  });

  it('/metrics publishes the Kubernetes reflectors\' counters once the API is the source', async () => {
    const emu = await new ApiEmulator({ token: TOKEN }).start();
    emu.applyAll([namespace('default'), service('default', 'hello', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] })]);
    const dir = await tempDir();
    const kubeconfig = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: TOKEN }] });
    cleanups.push(async () => {
      await emu.close();
      await dir.remove();
    });
    const dns = await startClusterDnsServer({ kubernetes: { kubeConfig: resolveKubeConfig({ kubeconfig }).kubeConfig, tuning: FAST_TUNING }, metrics: '127.0.0.1:0' });
    cleanups.push(() => dns.close());
    await dns.whenSynced();
    const counter = (body: string, name: string) => Number(new RegExp(`^clusterdns_kubernetes_watch_${name}_total (\\d+)$`, 'm').exec(body)?.[1]);

    // Services, EndpointSlices, Pods (pods verified) and Namespaces: one list each, then a watch each.
    await waitFor(async () => counter((await get(dns.http.metrics, '/metrics')).body, 'watches') >= 4, { timeoutMs: 5000 });
    const body = (await get(dns.http.metrics, '/metrics')).body;
    expect(counter(body, 'lists')).toBe(4);
    expect(counter(body, 'relists')).toBe(0);
    expect(counter(body, 'failures')).toBe(0);
    expect(body).toMatch(/^# HELP clusterdns_kubernetes_watch_events_total /m);

    // Without the API source there is nothing to publish.
    const manifestless = await startClusterDnsServer({ metrics: '127.0.0.1:0' });
    cleanups.push(() => manifestless.close());
    expect((await get(manifestless.http.metrics, '/metrics')).body).not.toContain('clusterdns_kubernetes_watch_');
  });
});
