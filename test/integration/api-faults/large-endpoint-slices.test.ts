// 10,000 addresses: 100 EndpointSlices of 100 endpoints, one per headless Service (db-0..db-99), beside 2,000
// ClusterIP Services. Listed at start, changed slice by slice through the watch, and relisted whole: every
// name is served right, and a steady trickle of UDP queries is answered within the bound throughout.
// (The same 10,000 addresses behind ONE Service are not bounded yet: the store republishes a Service's whole
// record set on any change of one of its slices; docs/reliability.md "The Kubernetes API misbehaves".)
import { afterEach, describe, expect, it } from 'vitest';
import { RRType } from '../../../src/wire/types.js';
import { endpointSlice, namespace, service, type Json } from '../../helpers/api-emulator/index.js';
import { dig } from '../../helpers/dig.js';
import { startQueryTrickle, type TrickleReport } from '../../helpers/query-trickle.js';
import { applyPaced, FAST_RETRY, HEAVY_LOST_AFTER_MS, HEAVY_QUERY_BOUND_MS, reportFigures, serviceIp, startFaultRig, type FaultRig } from './fault-rig.js';

const SLICES = 100;
const PER_SLICE = 100;
const SERVICES = 2000;
/** The headless Service of slice `s`. */
const headless = (s: number) => `db-${s}.default.svc.cluster.local`;

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Slice `s` (of Service db-<s>) in generation `g`: endpoints ep-<s>-<e> at 10.<244+g>.<s>.<e+1>. */
const address = (g: number, s: number, e: number) => `10.${244 + g}.${s}.${e + 1}`;
const slice = (g: number, s: number): Json =>
  endpointSlice('default', `db-${s}-abcde`, `db-${s}`, {
    endpoints: Array.from({ length: PER_SLICE }, (_, e) => ({ addresses: [address(g, s, e)], hostname: `ep-${s}-${e}` })),
  });
const ptr = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;

/** A sample of the 10,000 endpoints (corners and a stride) answers its generation's address, A and PTR. */
async function expectGeneration(r: FaultRig, g: number): Promise<void> {
  for (const [s, e] of [[0, 0], [SLICES - 1, PER_SLICE - 1], [37, 54], [73, 9]]) {
    await r.expectAnswer(`ep-${s}-${e}.${headless(s)}`, 'NOERROR', [address(g, s, e)]);
    await r.expectAnswer(ptr(address(g, s, e)), 'NOERROR', [`ep-${s}-${e}.${headless(s)}.`], 10_000, 'PTR');
  }
}

describe('a 10,000-address EndpointSlice set', () => {
  it('is served right when listed, changed through the watch and relisted, with bounded query latency', async () => {
    const objects = [
      namespace('default'),
      ...Array.from({ length: SLICES }, (_, s) => service('default', `db-${s}`, { clusterIP: 'None' })),
      ...Array.from({ length: SLICES }, (_, s) => slice(0, s)),
      ...Array.from({ length: SERVICES }, (_, i) => service('default', `svc-${i}`, { clusterIP: serviceIp(i) })),
    ];
    const r = (rig = await startFaultRig({ objects, tuning: FAST_RETRY, apiDown: true }));
    const questions = [
      { name: 'svc-1999.default.svc.cluster.local', type: RRType.A },
      { name: `ep-5-5.${headless(5)}`, type: RRType.A },
    ];
    const figures: Record<string, TrickleReport> = {};

    // 1. The first list of it all.
    let trickle = await startQueryTrickle({ port: r.port, questions, intervalMs: 10, timeoutMs: HEAVY_LOST_AFTER_MS });
    await r.emu.acceptConnections();
    await r.whenSynced();
    await r.expectAnswer(`ep-5-5.${headless(5)}`, 'NOERROR', [address(0, 5, 5)]);
    figures.firstList = await trickle.stop();
    await expectGeneration(r, 0);
    expect(await r.metric('clusterdns_cluster_objects')).toBeGreaterThanOrEqual(1 + 2 * SLICES + SERVICES);
    expect(await r.ask('svc-1999.default.svc.cluster.local')).toEqual({ rcode: 'NOERROR', data: [serviceIp(1999)] });
    // A headless name over TCP: its 100 addresses, all of them.
    const all = await dig(r.port, '+tcp', headless(37), 'A');
    expect(all.status).toBe('NOERROR');
    expect(all.answer.map((line) => line.split(' ').at(-1)).sort()).toEqual(Array.from({ length: PER_SLICE }, (_, e) => address(0, 37, e)).sort());

    // 2. Every slice replaced through the watch, one event per slice, as fast as the emulator sends them.
    await r.emu.waitForWatches(4);
    trickle = await startQueryTrickle({ port: r.port, questions, intervalMs: 10, timeoutMs: HEAVY_LOST_AFTER_MS });
    await applyPaced(r.emu, Array.from({ length: SLICES }, (_, s) => slice(1, s)));
    await expectGeneration(r, 1);
    figures.watchedChanges = await trickle.stop();

    // 3. The whole set relisted (watch cut, history compacted) with every address changed again.
    const relists = await r.metric('clusterdns_kubernetes_watch_relists_total');
    r.emu.dropWatches('endpointslices');
    for (let s = 0; s < SLICES; s++) r.emu.apply(slice(2, s));
    r.emu.compact();
    trickle = await startQueryTrickle({ port: r.port, questions, intervalMs: 10, timeoutMs: HEAVY_LOST_AFTER_MS });
    await expectGeneration(r, 2);
    figures.relist = await trickle.stop();
    expect(await r.metric('clusterdns_kubernetes_watch_relists_total')).toBeGreaterThan(relists);
    expect(await r.ask(ptr(address(1, 5, 5)), 'PTR')).toEqual({ rcode: 'NXDOMAIN', data: [] });

    reportFigures('10,000 addresses', figures);
    for (const report of Object.values(figures)) {
      expect(report.lost).toBe(0);
      expect(report.maxLatencyMs).toBeLessThan(HEAVY_QUERY_BOUND_MS);
    }
    // After the first sync every answer is a real one: the changes never made a name vanish.
    expect(Object.keys(figures.watchedChanges.rcodes)).toEqual(['NOERROR']);
    expect(Object.keys(figures.relist.rcodes)).toEqual(['NOERROR']);
  }, 120_000);
});
