// `kubeconfig`: serve a live cluster (the API emulator) and mix in objects applied by the test.
import { afterEach, describe, expect, it } from 'vitest';
import { startClusterDns } from '../../src/embedding/index.js';
import { service } from '../../src/testing/index.js';
import { ApiEmulator, service as apiService, tempDir, writeKubeconfig } from '../helpers/api-emulator/index.js';

describe('embedding: kubeconfig', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('resolves after the first full list; the API objects and applied objects are both served', async () => {
    const api = await new ApiEmulator({ token: 't0ken' }).start();
    cleanup.push(() => api.close());
    api.apply(apiService('default', 'web', { clusterIP: '10.96.0.77' }));
    const { dir, remove } = await tempDir();
    cleanup.push(remove);
    const kubeconfig = await writeKubeconfig(dir, { contexts: [{ name: 'test', server: api.url, token: 't0ken' }] });

    await using dns = await startClusterDns({ kubeconfig, objects: [service('local', 'default', { clusterIP: '10.96.0.78' })] });
    expect(dns.synced).toBe(true);
    const r = dns.resolver();
    expect(await r.resolve4('web.default.svc.cluster.local')).toEqual(['10.96.0.77']);
    expect(await r.resolve4('local.default.svc.cluster.local')).toEqual(['10.96.0.78']);
  });

  it('a missing kubeconfig file rejects with CLUSTERDNS_ERR_KUBE_CONFIG naming the option, not the CLI flag', async () => {
    const err = await startClusterDns({ kubeconfig: '/nonexistent/kubeconfig' }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'CLUSTERDNS_ERR_KUBE_CONFIG' });
    expect((err as Error).message).toBe('startClusterDns option kubeconfig /nonexistent/kubeconfig: no such file');
  });

  it('an unknown context rejects naming the context option, not --context', async () => {
    const { dir, remove } = await tempDir();
    cleanup.push(remove);
    const kubeconfig = await writeKubeconfig(dir, { contexts: [{ name: 'only', server: 'https://127.0.0.1:1' }] });
    const err = await startClusterDns({ kubeconfig, context: 'other' }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'CLUSTERDNS_ERR_KUBE_CONFIG' });
    expect((err as Error).message).toMatch(/^startClusterDns option context other: no such context in .* \(contexts: only\)$/);
    expect((err as Error).message).not.toContain('--');
  });

  it('an unreachable API server rejects with CLUSTERDNS_ERR_KUBE_SYNC_TIMEOUT and releases everything', async () => {
    const api = await new ApiEmulator().start();
    const url = api.url;
    await api.close(); // nothing listens there now
    const { dir, remove } = await tempDir();
    cleanup.push(remove);
    const kubeconfig = await writeKubeconfig(dir, { contexts: [{ name: 'gone', server: url }] });
    await expect(startClusterDns({ kubeconfig, syncTimeoutMs: 300 })).rejects.toMatchObject({
      code: 'CLUSTERDNS_ERR_KUBE_SYNC_TIMEOUT',
    });
  });
});
