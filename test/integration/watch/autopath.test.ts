// Autopath fed by the Kubernetes watch: the client's pod is found by source IP from the Pods reflector, which
// runs for autopath even with `pods: 'disabled'` ("Pods when --pods verified or autopath needs them").
// The "pod" is this test process: Linux answers for all of 127.0.0.0/8, and the Resolver sends from 127.0.0.2.
import { Resolver } from 'node:dns/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startClusterDnsServer } from '../../../src/cluster-dns.js';
import { resolveKubeConfig } from '../../../src/kube-api/kubeconfig.js';
import { ApiEmulator, namespace, pod, service, tempDir, waitFor, writeKubeconfig } from '../../helpers/api-emulator/index.js';
import { FAST_TUNING } from './harness.js';

const TOKEN = 'autopath-token';
const POD_IP = '127.0.0.2';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function answer(resolver: Resolver, name: string): Promise<string[] | string> {
  try {
    return await resolver.resolve4(name);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

describe('autopath with the Kubernetes API source', () => {
  it('follows the pod of the client IP as it is created and deleted', async () => {
    const emu = await new ApiEmulator({ token: TOKEN }).start();
    const dir = await tempDir();
    cleanups.push(async () => {
      await emu.close();
      await dir.remove();
    });
    emu.applyAll([namespace('default'), namespace('shop'), service('default', 'hello', { clusterIP: '10.96.0.20' })]);
    const kubeconfig = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: TOKEN }] });
    const dns = await startClusterDnsServer({
      kubernetes: { kubeConfig: resolveKubeConfig({ kubeconfig }).kubeConfig, tuning: FAST_TUNING },
      pods: 'disabled',
      autopath: true,
    });
    cleanups.push(() => dns.close());
    await dns.whenSynced();
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([dns.server]);
    resolver.setLocalAddress(POD_IP);
    const asked = 'hello.default.shop.svc.cluster.local';

    expect(await answer(resolver, asked)).toBe('ENOTFOUND'); // no pod has 127.0.0.2 yet
    emu.apply(pod('shop', 'client', { ip: POD_IP }));
    await waitFor(async () => JSON.stringify(await answer(resolver, asked)) === '["10.96.0.20"]', { timeoutMs: 5000 });
    // pods disabled: the pod is known for autopath only, it gets no record of its own.
    expect(await answer(resolver, '127-0-0-2.shop.pod.cluster.local')).toBe('ENOTFOUND');
    emu.delete('Pod', 'shop', 'client');
    await waitFor(async () => (await answer(resolver, asked)) === 'ENOTFOUND', { timeoutMs: 5000 });
  });
});
