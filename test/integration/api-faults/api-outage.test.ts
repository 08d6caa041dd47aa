// The API goes away after the sync (connections refused) for FAULTS_OUTAGE_MS (default 4 s; run once by hand
// with 60000, docs/reliability.md), and comes back with everything changed: objects deleted, added and
// modified, new resourceVersions, and its history compacted so the old resourceVersion gets 410 Gone. All
// along the last data is served (every query answered, /ready 200); once back, the server converges.
import { afterEach, describe, expect, it } from 'vitest';
import { RRType } from '../../../src/wire/types.js';
import { endpointSlice, namespace, service, waitFor } from '../../helpers/api-emulator/index.js';
import { startQueryTrickle } from '../../helpers/query-trickle.js';
import { FAST_RETRY, reportFigures, serviceIp, startFaultRig, type FaultRig } from './fault-rig.js';

const OUTAGE_MS = Number(process.env.FAULTS_OUTAGE_MS ?? 4000);
const SERVICES = 200;

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const name = (i: number) => `svc-${i}.default.svc.cluster.local`;
const headlessSlice = (generation: number) =>
  endpointSlice('default', 'db-abcde', 'db', {
    endpoints: Array.from({ length: 3 }, (_, e) => ({ addresses: [`10.${244 + generation}.0.${e + 1}`], hostname: `db-${e}` })),
  });

describe('the API down for a while, back with everything changed', () => {
  it(`serves the last data through a ${OUTAGE_MS} ms outage, then converges to the new state`, async () => {
    const r = (rig = await startFaultRig({
      objects: [
        namespace('default'),
        ...Array.from({ length: SERVICES }, (_, i) => service('default', `svc-${i}`, { clusterIP: serviceIp(i, 0) })),
        service('default', 'db', { clusterIP: 'None' }),
        headlessSlice(0),
      ],
      tuning: FAST_RETRY,
    }));
    await r.whenSynced();
    await r.emu.waitForWatches(4);
    const rvBefore = r.emu.resourceVersion;
    const relistsBefore = await r.metric('clusterdns_kubernetes_watch_relists_total');
    const trickle = await startQueryTrickle({
      port: r.port,
      questions: [
        { name: name(0), type: RRType.A },
        { name: name(SERVICES - 1), type: RRType.A },
        { name: 'db-1.db.default.svc.cluster.local', type: RRType.A },
      ],
      intervalMs: 20,
    });

    const outageStarted = Date.now();
    await r.emu.refuseConnections();
    // Meanwhile, in the cluster: the even Services deleted, the odd ones moved, new ones added, the headless
    // Service's endpoints replaced; then history compacted past our resourceVersion.
    for (let i = 0; i < SERVICES; i += 2) r.emu.delete('Service', 'default', `svc-${i}`);
    for (let i = 1; i < SERVICES; i += 2) r.emu.apply(service('default', `svc-${i}`, { clusterIP: serviceIp(i, 1) }));
    for (let i = 0; i < 50; i++) r.emu.apply(service('default', `new-${i}`, { clusterIP: serviceIp(i, 2) }));
    r.emu.apply(headlessSlice(1));
    r.emu.compact();

    // The whole outage long: the old data, /ready 200, /health 200, the server retrying.
    let checks = 0;
    await waitFor(
      async () => {
        checks++;
        expect(await r.ask(name(0))).toEqual({ rcode: 'NOERROR', data: [serviceIp(0, 0)] });
        expect(await r.ask(name(1))).toEqual({ rcode: 'NOERROR', data: [serviceIp(1, 0)] });
        expect(await r.ask('new-0.default.svc.cluster.local')).toEqual({ rcode: 'NXDOMAIN', data: [] });
        expect(await r.ask('db-1.db.default.svc.cluster.local')).toEqual({ rcode: 'NOERROR', data: ['10.244.0.2'] });
        expect(await r.probe('ready')).toBe(200);
        expect(await r.probe('health')).toBe(200);
        return Date.now() - outageStarted >= OUTAGE_MS;
      },
      { timeoutMs: OUTAGE_MS + 10_000, intervalMs: 250, what: 'the outage' },
    );
    expect(checks).toBeGreaterThan(1);
    expect(await r.metric('clusterdns_kubernetes_watch_failures_total')).toBeGreaterThan(0);
    const duringOutage = await trickle.stop();
    expect(duringOutage.lost).toBe(0);
    expect(Object.keys(duringOutage.rcodes)).toEqual(['NOERROR']);

    // Back: our resourceVersion is gone (410), a relist brings the new state.
    expect(r.emu.resourceVersion).toBeGreaterThan(rvBefore);
    const since = r.emu.mark();
    await r.emu.acceptConnections();
    await r.expectAnswer(name(0), 'NXDOMAIN', [], 15_000);
    await r.expectAnswer('db-1.db.default.svc.cluster.local', 'NOERROR', ['10.245.0.2']);
    for (let i = 0; i < SERVICES; i++) {
      expect(await r.ask(name(i))).toEqual(i % 2 === 0 ? { rcode: 'NXDOMAIN', data: [] } : { rcode: 'NOERROR', data: [serviceIp(i, 1)] });
    }
    for (let i = 0; i < 50; i++) expect(await r.ask(`new-${i}.default.svc.cluster.local`)).toEqual({ rcode: 'NOERROR', data: [serviceIp(i, 2)] });
    expect(await r.ask('2.0.244.10.in-addr.arpa', 'PTR')).toEqual({ rcode: 'NXDOMAIN', data: [] });
    // The first request back was a watch from the old resourceVersion (410 inside the stream), then lists.
    const back = r.emu.requests.slice(since).filter((q) => q.resource === 'services');
    expect(back[0]).toMatchObject({ watch: true, query: { resourceVersion: String(rvBefore) } });
    expect(back.some((q) => !q.watch)).toBe(true);
    expect(await r.metric('clusterdns_kubernetes_watch_relists_total')).toBeGreaterThan(relistsBefore);
    await waitFor(() => r.log.matching('Kubernetes API reachable again').length === 1, { what: 'recovery logged' });
    expect(r.log.matching('Kubernetes API unreachable')).toHaveLength(1);

    // And watching again: a change after the recovery arrives through the watch.
    await r.emu.waitForWatches(4);
    r.emu.apply(service('default', 'after', { clusterIP: '10.96.9.9' }));
    await r.expectAnswer('after.default.svc.cluster.local', 'NOERROR', ['10.96.9.9']);
    reportFigures('API outage', { outageMs: OUTAGE_MS, checks, ...duringOutage });
  }, OUTAGE_MS + 60_000);
});
