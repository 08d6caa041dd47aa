// Issue 4's scenarios, end to end from the API emulator through the real @kubernetes/client-node, the
// reflectors and the cluster store to the records a DNS query would be answered from.
import { afterEach, describe, expect, it } from 'vitest';
import { endpointSlice, namespace, nextEvent, pod, service, waitFor } from '../../helpers/api-emulator/index.js';
import { createRig, nxdomain, ok, servfail, type Rig, type RigOptions } from './harness.js';

let rig: Rig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function synced(options: RigOptions = {}): Promise<Rig> {
  rig = await createRig(options);
  await rig.source.start();
  await rig.source.whenSynced();
  await rig.emu.waitForWatches(4);
  return rig;
}

const WEB = 'web.default.svc.cluster.local';
const HEADLESS = 'db.default.svc.cluster.local';

describe('a live cluster: changes show up in answers', () => {
  it('adds, modifies and deletes a Service', async () => {
    const r = await synced({ objects: [namespace('default')] });
    expect(r.answer(WEB, 'A')).toEqual(nxdomain);
    r.emu.apply(service('default', 'web', { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }] }));
    await r.expectAnswer(WEB, 'A', ok('10.96.0.10'));
    expect(r.answer(`_http._tcp.${WEB}`, 'SRV')).toEqual(ok('0 100 80 web.default.svc.cluster.local.'));
    r.emu.apply(service('default', 'web', { clusterIPs: ['10.96.0.11', 'fd00::11'], ports: [{ name: 'https', port: 443 }] }));
    await r.expectAnswer(WEB, 'A', ok('10.96.0.11'));
    expect(r.answer(WEB, 'AAAA')).toEqual(ok('fd00::11'));
    expect(r.answer(`_http._tcp.${WEB}`, 'SRV')).toEqual(nxdomain);
    expect(r.answer('11.0.96.10.in-addr.arpa', 'PTR')).toEqual(ok('web.default.svc.cluster.local.'));
    r.emu.delete('Service', 'default', 'web');
    await r.expectAnswer(WEB, 'A', nxdomain);
    expect(r.answer('11.0.96.10.in-addr.arpa', 'PTR')).toEqual(nxdomain);
  });

  it('follows an EndpointSlice as endpoints become ready, not ready and terminating', async () => {
    const r = await synced({ objects: [namespace('default'), service('default', 'db', { clusterIP: 'None' })] });
    const slice = (e: { ready: boolean; terminating?: boolean }[]) =>
      endpointSlice('default', 'db-x1', 'db', {
        endpoints: e.map((c, i) => ({ addresses: [`10.244.1.${i + 1}`], hostname: `db-${i}`, ready: c.ready, terminating: c.terminating })),
      });
    r.emu.apply(slice([{ ready: true }, { ready: false }]));
    await r.expectAnswer(HEADLESS, 'A', ok('10.244.1.1'));
    expect(r.answer(`db-1.${HEADLESS}`, 'A')).toEqual(nxdomain);
    r.emu.apply(slice([{ ready: true }, { ready: true }]));
    await r.expectAnswer(HEADLESS, 'A', ok('10.244.1.1', '10.244.1.2'));
    expect(r.answer(`db-1.${HEADLESS}`, 'A')).toEqual(ok('10.244.1.2'));
    r.emu.apply(slice([{ ready: false, terminating: true }, { ready: true }]));
    await r.expectAnswer(HEADLESS, 'A', ok('10.244.1.2'));
    r.emu.delete('EndpointSlice', 'default', 'db-x1');
    // A headless Service without ready endpoints has no addresses (NXDOMAIN per the spec, as CoreDNS).
    await r.expectAnswer(HEADLESS, 'A', nxdomain);
  });

  it('adds, modifies and deletes a Pod (verified pod records)', async () => {
    const r = await synced({ objects: [namespace('default')] });
    const name = '10-244-0-5.default.pod.cluster.local';
    r.emu.apply(pod('default', 'p', { ip: '10.244.0.5', phase: 'Pending' }));
    await waitFor(() => r.store.counts.pods === 1);
    expect(r.answer(name, 'A')).toEqual(nxdomain);
    r.emu.apply(pod('default', 'p', { ip: '10.244.0.5', phase: 'Running' }));
    await r.expectAnswer(name, 'A', ok('10.244.0.5'));
    expect(r.store.podByIp('10.244.0.5')?.name).toBe('p');
    r.emu.apply(pod('default', 'p', { ip: '10.244.0.6', phase: 'Running' }));
    await r.expectAnswer('10-244-0-6.default.pod.cluster.local', 'A', ok('10.244.0.6'));
    expect(r.answer(name, 'A')).toEqual(nxdomain);
    r.emu.delete('Pod', 'default', 'p');
    await r.expectAnswer('10-244-0-6.default.pod.cluster.local', 'A', nxdomain);
    expect(r.store.podByIp('10.244.0.6')).toBeUndefined();
  });

  it('adds and deletes a Namespace', async () => {
    const r = await synced();
    expect(r.store.namespaceExists('team-a')).toBe(false);
    expect(r.answer('team-a.svc.cluster.local', 'A')).toEqual(nxdomain);
    r.emu.apply(namespace('team-a'));
    await waitFor(() => r.store.namespaceExists('team-a'));
    expect(r.answer('team-a.svc.cluster.local', 'A')).toEqual(ok()); // NODATA: the name exists
    r.emu.delete('Namespace', undefined, 'team-a');
    await waitFor(() => !r.store.namespaceExists('team-a'));
    expect(r.answer('team-a.svc.cluster.local', 'A')).toEqual(nxdomain);
  });

  it('aggregates a Service split over several EndpointSlices, and drops one slice’s endpoints when it is deleted', async () => {
    const r = await synced({
      objects: [
        namespace('default'),
        service('default', 'db', { clusterIP: 'None' }),
        endpointSlice('default', 'db-v4a', 'db', { endpoints: [{ addresses: ['10.244.1.1'] }, { addresses: ['10.244.1.2'] }] }),
        endpointSlice('default', 'db-v4b', 'db', { endpoints: [{ addresses: ['10.244.2.1'] }] }),
        endpointSlice('default', 'db-v6', 'db', { addressType: 'IPv6', endpoints: [{ addresses: ['fd00::1:1'] }] }),
      ],
    });
    expect(r.answer(HEADLESS, 'A')).toEqual(ok('10.244.1.1', '10.244.1.2', '10.244.2.1'));
    expect(r.answer(HEADLESS, 'AAAA')).toEqual(ok('fd00::1:1'));
    r.emu.delete('EndpointSlice', 'default', 'db-v4a');
    await r.expectAnswer(HEADLESS, 'A', ok('10.244.2.1'));
    expect(r.answer(HEADLESS, 'AAAA')).toEqual(ok('fd00::1:1'));
    expect(r.answer('1.1.244.10.in-addr.arpa', 'PTR')).toEqual(nxdomain);
  });
});

describe('a live cluster: trouble with the API', () => {
  it('converges after a dropped watch and a 410 on resume, including objects deleted meanwhile', async () => {
    const r = await synced({
      objects: [
        namespace('default'),
        service('default', 'web', { clusterIP: '10.96.0.10' }),
        service('default', 'gone', { clusterIP: '10.96.0.20' }),
        service('default', 'db', { clusterIP: 'None' }),
        endpointSlice('default', 'db-a', 'db', { endpoints: [{ addresses: ['10.244.1.1'] }] }),
      ],
    });
    expect(r.answer('gone.default.svc.cluster.local', 'A')).toEqual(ok('10.96.0.20'));
    const relists = nextEvent(r.source.reflectors[0], 'relist');
    r.emu.dropWatches();
    // While disconnected: a deletion, a change and an addition, then history is compacted away.
    r.emu.delete('Service', 'default', 'gone');
    r.emu.apply(service('default', 'web', { clusterIP: '10.96.0.11' }));
    r.emu.apply(service('default', 'new', { clusterIP: '10.96.0.30' }));
    r.emu.apply(endpointSlice('default', 'db-a', 'db', { endpoints: [{ addresses: ['10.244.1.9'] }] }));
    r.emu.compact();
    await relists;
    await r.expectAnswer('gone.default.svc.cluster.local', 'A', nxdomain);
    await r.expectAnswer(WEB, 'A', ok('10.96.0.11'));
    await r.expectAnswer('new.default.svc.cluster.local', 'A', ok('10.96.0.30'));
    await r.expectAnswer(HEADLESS, 'A', ok('10.244.1.9'));
    expect(r.source.stats().relists).toBeGreaterThanOrEqual(2); // services and endpointslices at least
    // Back to watching: a later change arrives through the watch again.
    await r.emu.waitForWatches(4);
    r.emu.apply(service('default', 'later', { clusterIP: '10.96.0.40' }));
    await r.expectAnswer('later.default.svc.cluster.local', 'A', ok('10.96.0.40'));
  });

  it('answers SERVFAIL (not NXDOMAIN) while the API is down at start-up, then answers once it is up', async () => {
    rig = await createRig({ apiDown: true, objects: [namespace('default'), service('default', 'web', { clusterIP: '10.96.0.10' })] });
    const r = rig;
    const outage = nextEvent(r.source, 'outage');
    await r.source.start(); // waitForSync: false — the DNS side is up meanwhile
    await outage;
    expect(r.store.synced).toBe(false);
    expect(r.answer(WEB, 'A')).toEqual(servfail);
    expect(r.answer('nothing.default.svc.cluster.local', 'A')).toEqual(servfail);
    await r.emu.acceptConnections();
    await r.source.whenSynced();
    expect(r.answer(WEB, 'A')).toEqual(ok('10.96.0.10'));
    expect(r.answer('nothing.default.svc.cluster.local', 'A')).toEqual(nxdomain);
    expect(r.log.matching('synced with the Kubernetes API')).toHaveLength(1);
  });

  it('keeps answering from the last known data while the API is down, then converges to changes made meanwhile', async () => {
    const r = await synced({
      objects: [
        namespace('default'),
        service('default', 'web', { clusterIP: '10.96.0.10' }),
        service('default', 'old', { clusterIP: '10.96.0.20' }),
      ],
    });
    const outage = nextEvent(r.source, 'outage');
    await r.emu.refuseConnections();
    await outage;
    await waitFor(() => r.source.stats().failures >= 8);
    // Old answers keep coming.
    expect(r.answer(WEB, 'A')).toEqual(ok('10.96.0.10'));
    expect(r.answer('old.default.svc.cluster.local', 'A')).toEqual(ok('10.96.0.20'));
    // Changes while the API is unreachable from us (and its watch history compacted).
    r.emu.apply(service('default', 'web', { clusterIP: '10.96.0.99' }));
    r.emu.delete('Service', 'default', 'old');
    r.emu.apply(service('default', 'fresh', { clusterIP: '10.96.0.50' }));
    r.emu.compact();
    const recovered = nextEvent(r.source, 'recovered');
    await r.emu.acceptConnections();
    await recovered;
    await r.expectAnswer(WEB, 'A', ok('10.96.0.99'));
    await r.expectAnswer('old.default.svc.cluster.local', 'A', nxdomain);
    await r.expectAnswer('fresh.default.svc.cluster.local', 'A', ok('10.96.0.50'));
    expect(r.log.matching('Kubernetes API unreachable')).toHaveLength(1);
    expect(r.log.matching('Kubernetes API reachable again')).toHaveLength(1);
  });

  it('survives HTTP 500s, slow responses and a malformed object without losing data', async () => {
    const r = await synced({ objects: [namespace('default'), service('default', 'web', { clusterIP: '10.96.0.10' })] });
    r.emu.setLatency(50);
    r.emu.failRequests(3, { status: 500 });
    r.emu.dropWatches();
    r.emu.apply({ ...service('default', 'broken', { clusterIP: '10.96.0.77' }), spec: { type: 'Bogus' } });
    r.emu.apply(service('default', 'web', { clusterIP: '10.96.0.12' }));
    await r.expectAnswer(WEB, 'A', ok('10.96.0.12'));
    expect(r.answer('broken.default.svc.cluster.local', 'A')).toEqual(nxdomain);
    expect(r.log.matching('malformed object skipped')).toHaveLength(1);
  });
});
