// A paginated list that fails at its third page (HTTP 500, or the connection reset): the reflector applies a
// list only once it is whole, so the index keeps the old data (a partial list deletes nothing), retries from
// the first page with backoff, and converges once a list goes through.
import { afterEach, describe, expect, it } from 'vitest';
import { namespace, service, waitFor, type PageFailure } from '../../helpers/api-emulator/index.js';
import { serviceIp, startFaultRig, type FaultRig } from './fault-rig.js';

const SERVICES = 250;
const PAGE_SIZE = 100; // pages 0..2; page 2 holds svc-18x..svc-99 in key order
const FAILURES = 3;

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const name = (i: number) => `svc-${i}.default.svc.cluster.local`;

describe('a list that fails halfway through its pages', () => {
  it.each<[string, PageFailure]>([
    ['HTTP 500', 500],
    ['a connection reset', 'reset'],
  ])('at page 2 with %s: no half-applied index, retries with backoff, converges', async (_title, failure) => {
    const r = (rig = await startFaultRig({
      objects: [namespace('default'), ...Array.from({ length: SERVICES }, (_, i) => service('default', `svc-${i}`, { clusterIP: serviceIp(i, 0) }))],
      // Backoff slow enough that each failed attempt's state can be looked at before the next one.
      tuning: { pageSize: PAGE_SIZE, backoff: { baseMs: 400, maxMs: 10_000, jitter: 0 }, minWatchMs: 50 },
      debugLog: true,
    }));
    await r.whenSynced();
    await r.emu.waitForWatches(4);

    // While our watch is away: svc-0 (page 0) changes, svc-99 (the last page) and svc-1 (page 0) are deleted,
    // svc-new is added; the history is compacted, so only a list can tell.
    r.emu.dropWatches('services');
    r.emu.failListPages(2, failure, { resource: 'services', count: FAILURES });
    r.emu.apply(service('default', 'svc-0', { clusterIP: '10.200.0.1' }));
    r.emu.delete('Service', 'default', 'svc-1');
    r.emu.delete('Service', 'default', 'svc-99');
    r.emu.apply(service('default', 'svc-new', { clusterIP: '10.200.0.2' }));
    r.emu.compact();

    for (let attempt = 1; attempt <= FAILURES; attempt++) {
      await waitFor(() => r.log.lines.filter((l) => l.msg === 'request failed; retrying' && l.phase === 'list').length >= attempt, {
        timeoutMs: 10_000,
        what: `failed list attempt ${attempt}`,
      });
      // Pages 0 and 1 were read, page 2 failed: nothing of it reached the index.
      expect(await r.ask(name(0))).toEqual({ rcode: 'NOERROR', data: [serviceIp(0, 0)] });
      expect(await r.ask(name(1))).toEqual({ rcode: 'NOERROR', data: [serviceIp(1, 0)] });
      expect(await r.ask(name(99))).toEqual({ rcode: 'NOERROR', data: [serviceIp(99, 0)] });
      expect(await r.ask('svc-new.default.svc.cluster.local')).toEqual({ rcode: 'NXDOMAIN', data: [] });
      expect(await r.probe('ready')).toBe(200);
    }

    await r.expectAnswer(name(0), 'NOERROR', ['10.200.0.1']);
    await r.expectAnswer(name(1), 'NXDOMAIN');
    await r.expectAnswer(name(99), 'NXDOMAIN');
    await r.expectAnswer('svc-new.default.svc.cluster.local', 'NOERROR', ['10.200.0.2']);
    expect(await r.ask(name(SERVICES - 1))).toEqual({ rcode: 'NOERROR', data: [serviceIp(SERVICES - 1, 0)] });

    // Each retry started over from page 0 (a continue token of a failed list is not trusted), and the wait
    // doubled after each failure (the interrupted watch before the first list counts as one step too).
    const lists = r.emu.requests.filter((q) => q.resource === 'services' && !q.watch);
    const firstPages = lists.filter((q) => q.query.continue === undefined);
    expect(firstPages.length).toBeGreaterThanOrEqual(1 + FAILURES + 1);
    const retries = r.log.lines.filter((l) => l.msg === 'request failed; retrying' && l.phase === 'list').map((l) => l.retryInMs);
    expect(retries).toHaveLength(FAILURES);
    expect(retries[0]).toBeGreaterThanOrEqual(400);
    expect(retries.slice(1)).toEqual([2 * Number(retries[0]), 4 * Number(retries[0])]);
  }, 30_000);
});
