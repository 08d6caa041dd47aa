// The API comes back as a cluster restored from an older etcd backup: its resourceVersions are lower than the
// one the server last saw, so a watch from there is "Too large resource version" (HTTP 504). The server must
// not retry that watch forever: it lists again, as client-go's reflector does, and converges.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiEmulator, namespace, service, waitFor } from '../../helpers/api-emulator/index.js';
import { FAST_RETRY, startFaultRig, TOKEN, type FaultRig } from './fault-rig.js';

let rig: FaultRig | undefined;
let restored: ApiEmulator | undefined;
afterEach(async () => {
  await rig?.close();
  await restored?.close();
  rig = undefined;
  restored = undefined;
});

describe('the API restored from an older backup', () => {
  it('a watch refused with 504 Too large resource version leads to a relist, and the server converges', async () => {
    const r = (rig = await startFaultRig({
      objects: [namespace('default'), service('default', 'web', { clusterIP: '10.96.0.10' }), service('default', 'old', { clusterIP: '10.96.0.20' })],
      tuning: FAST_RETRY,
    }));
    await r.whenSynced();
    await r.emu.waitForWatches(4);
    for (let i = 0; i < 100; i++) r.emu.apply(service('default', 'web', { clusterIP: `10.96.1.${i + 1}` }));
    await r.expectAnswer('web.default.svc.cluster.local', 'NOERROR', ['10.96.1.100']);

    // The same address, an API whose resourceVersions start far below ours, holding other data.
    const port = r.emu.port;
    await r.emu.close();
    restored = new ApiEmulator({ token: TOKEN, initialResourceVersion: 10, tooLargeResourceVersion: 'status' });
    restored.applyAll([namespace('default'), service('default', 'web', { clusterIP: '10.96.0.99' }), service('default', 'fresh', { clusterIP: '10.96.0.50' })]);
    await restored.start(port);

    // (waitFor, not waitForRequest: a request is announced before its status is known)
    await waitFor(() => restored!.requests.some((q) => q.watch && q.status === 504), { timeoutMs: 10_000, what: 'a watch refused with 504' });
    await r.expectAnswer('web.default.svc.cluster.local', 'NOERROR', ['10.96.0.99']);
    await r.expectAnswer('old.default.svc.cluster.local', 'NXDOMAIN');
    await r.expectAnswer('fresh.default.svc.cluster.local', 'NOERROR', ['10.96.0.50']);
    await restored.waitForWatches(4);
    restored.apply(service('default', 'later', { clusterIP: '10.96.0.60' }));
    await r.expectAnswer('later.default.svc.cluster.local', 'NOERROR', ['10.96.0.60']);
    expect(restored.requests.filter((q) => q.watch && q.status === 504).length).toBeLessThanOrEqual(8);
  }, 30_000);
});
