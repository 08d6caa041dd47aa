// The API answers each list page seconds late: the server keeps answering (SERVFAIL for cluster names before
// the first sync, the old data after it), /ready stays 503 until every list is in, /health is 200 throughout.
import { afterEach, describe, expect, it } from 'vitest';
import { RCode, RRType } from '../../../src/wire/types.js';
import { namespace, service } from '../../helpers/api-emulator/index.js';
import { startQueryTrickle } from '../../helpers/query-trickle.js';
import { QUERY_BOUND_MS, reportFigures, serviceIp, startFaultRig, type FaultRig } from './fault-rig.js';

const PAGE_DELAY_MS = 1500;
const SERVICES = 250;
const PAGE_SIZE = 100; // three pages of Services

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const services = (generation: number) => Array.from({ length: SERVICES }, (_, i) => service('default', `svc-${i}`, { clusterIP: serviceIp(i, generation) }));
const name = (i: number) => `svc-${i}.default.svc.cluster.local`;

describe('slow lists', () => {
  it('before the first sync: queries answer SERVFAIL at once while each page is late, /ready is 503 until the last page, then the data', async () => {
    const r = (rig = await startFaultRig({
      objects: [namespace('default'), ...services(0)],
      tuning: { pageSize: PAGE_SIZE, backoff: { baseMs: 20, maxMs: 200 }, minWatchMs: 50 },
      apiDown: true,
    }));
    r.emu.delayRequests(PAGE_DELAY_MS, { watch: false, resource: 'services' });
    const trickle = await startQueryTrickle({ port: r.port, questions: [{ name: name(0), type: RRType.A }], intervalMs: 20 });
    const since = r.emu.mark();
    await r.emu.acceptConnections();
    // The second page of Services has been asked for: the list is under way, not done.
    await r.emu.waitForRequest((q) => q.resource === 'services' && !q.watch && q.query.continue !== undefined, { since, timeoutMs: 10_000 });
    expect(r.dns!.synced).toBe(false);
    expect(await r.probe('ready')).toBe(503);
    expect(await r.probe('health')).toBe(200);
    expect(await r.ask(name(0))).toEqual({ rcode: 'SERVFAIL', data: [] });

    await r.whenSynced();
    expect(await r.probe('ready')).toBe(200);
    expect(await r.ask(name(0))).toEqual({ rcode: 'NOERROR', data: [serviceIp(0, 0)] });
    expect(await r.ask(name(SERVICES - 1))).toEqual({ rcode: 'NOERROR', data: [serviceIp(SERVICES - 1, 0)] });
    const pages = r.emu.requests.slice(since).filter((q) => q.resource === 'services' && !q.watch);
    expect(pages).toHaveLength(3);
    // Three pages each PAGE_DELAY_MS late: the list took that long, and the queries kept being answered.
    await trickle.firstReply(RCode.NOERROR);
    const report = await trickle.stop();
    reportFigures('slow first list', report);
    expect(report.lost).toBe(0);
    expect(report.rcodes.SERVFAIL).toBeGreaterThan(0);
    expect(report.rcodes.NOERROR).toBeGreaterThan(0);
    expect(report.maxLatencyMs).toBeLessThan(QUERY_BOUND_MS);
  }, 30_000);

  it('after the sync: a slow relist serves the old data until the last page is in, /ready stays 200, then the new data', async () => {
    const r = (rig = await startFaultRig({
      objects: [namespace('default'), ...services(0)],
      tuning: { pageSize: PAGE_SIZE, backoff: { baseMs: 20, maxMs: 200 }, minWatchMs: 50 },
    }));
    await r.whenSynced();
    await r.emu.waitForWatches(4);
    // Every Service changes while our watch is away and the history is compacted: only a (slow) list tells.
    r.emu.dropWatches('services');
    r.emu.delayRequests(PAGE_DELAY_MS, { watch: false, resource: 'services' });
    for (const s of services(1)) r.emu.apply(s);
    r.emu.compact();
    const since = r.emu.mark();
    const trickle = await startQueryTrickle({ port: r.port, questions: [{ name: name(0), type: RRType.A }, { name: name(SERVICES - 1), type: RRType.A }], intervalMs: 20 });
    await r.emu.waitForRequest((q) => q.resource === 'services' && !q.watch && q.query.continue !== undefined, { since, timeoutMs: 10_000 });
    // Mid-list: the first page's objects are read but nothing is applied before the list is whole.
    expect(await r.ask(name(0))).toEqual({ rcode: 'NOERROR', data: [serviceIp(0, 0)] });
    expect(await r.ask(name(SERVICES - 1))).toEqual({ rcode: 'NOERROR', data: [serviceIp(SERVICES - 1, 0)] });
    expect(await r.probe('ready')).toBe(200);

    await r.expectAnswer(name(0), 'NOERROR', [serviceIp(0, 1)], 15_000);
    expect(await r.ask(name(SERVICES - 1))).toEqual({ rcode: 'NOERROR', data: [serviceIp(SERVICES - 1, 1)] });
    expect(await r.probe('ready')).toBe(200);
    const report = await trickle.stop();
    reportFigures('slow relist', report);
    expect(report.lost).toBe(0);
    expect(Object.keys(report.rcodes)).toEqual(['NOERROR']);
    expect(report.maxLatencyMs).toBeLessThan(QUERY_BOUND_MS);
  }, 30_000);
});
