// A watch flood: 10,000 events a second for a few seconds (Services changing IP over and over, others created
// and deleted again). The server is the built CLI in its own process and the trickle of UDP queries comes from
// a worker thread, so neither shares an event loop with the emulator producing the flood. The queries are
// answered within the bound all along, every answer a real one, and the server ends in the API's final state.
import { afterEach, describe, expect, it } from 'vitest';
import { RRType } from '../../../src/wire/types.js';
import { namespace, service } from '../../helpers/api-emulator/index.js';
import { startQueryTrickle } from '../../helpers/query-trickle.js';
import { HEAVY_LOST_AFTER_MS, HEAVY_QUERY_BOUND_MS, reportFigures, startFaultRig, type FaultRig } from './fault-rig.js';

const RATE = 10_000; // events per second
const SECONDS = Number(process.env.FAULTS_FLOOD_SECONDS ?? 3);
const SERVICES = 1000;
const TICK_MS = 10;
const MAX_PER_TICK = 2 * (RATE / 1000) * TICK_MS;

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const ip = (i: number, round: number) => `10.${100 + (round % 100)}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const svcName = (i: number) => `svc-${i}.default.svc.cluster.local`;

describe('a watch flood', () => {
  it(`${RATE} events a second for ${SECONDS} s: queries answered within the bound, the index converges to the final state`, async () => {
    const r = (rig = await startFaultRig({
      objects: [
        namespace('default'),
        service('default', 'stable', { clusterIP: '10.96.0.1' }),
        ...Array.from({ length: SERVICES }, (_, i) => service('default', `svc-${i}`, { clusterIP: ip(i, 0) })),
      ],
      serverProcess: true,
    }));
    await r.whenSynced();
    await r.emu.waitForWatches(4);
    const eventsBefore = await r.metric('clusterdns_kubernetes_watch_events_total');
    const trickle = await startQueryTrickle({
      port: r.port,
      questions: [
        { name: 'stable.default.svc.cluster.local', type: RRType.A },
        { name: svcName(7), type: RRType.A },
      ],
      intervalMs: 10,
      timeoutMs: HEAVY_LOST_AFTER_MS,
    });

    // Event k: every 10th creates (first half) or deletes (second half) an extra Service; the rest move
    // svc-(k mod SERVICES) to its next address. Paced by the clock: each tick catches up to RATE × elapsed,
    // at most MAX_PER_TICK at once (a late tick must not become a burst the emulator spends seconds on).
    const total = RATE * SECONDS;
    const extras = total / 10 / 2;
    const lastRound = new Map<number, number>();
    let k = 0;
    let moves = 0;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(total, k + MAX_PER_TICK, Math.ceil(((performance.now() - started) / 1000) * RATE));
        for (; k < due; k++) {
          if (k % 10 === 0) {
            const j = k / 10;
            if (j < extras) r.emu.apply(service('default', `extra-${j}`, { clusterIP: `10.97.${Math.floor(j / 250)}.${(j % 250) + 1}` }));
            else r.emu.delete('Service', 'default', `extra-${j - extras}`);
          } else {
            const i = moves % SERVICES;
            const round = Math.floor(moves / SERVICES) + 1;
            lastRound.set(i, round);
            r.emu.apply(service('default', `svc-${i}`, { clusterIP: ip(i, round) }));
            moves++;
          }
        }
        if (k >= total) {
          clearInterval(timer);
          resolve();
        }
      }, TICK_MS);
    });
    const floodMs = performance.now() - started;

    // Converged: every Service at its last address, every extra gone (all 1,000 asked over UDP).
    await r.expectAnswer(svcName(SERVICES - 1), 'NOERROR', [ip(SERVICES - 1, lastRound.get(SERVICES - 1)!)], 30_000);
    await r.expectAnswer(`extra-${extras - 1}.default.svc.cluster.local`, 'NXDOMAIN', [], 30_000);
    const report = await trickle.stop();
    for (let i = 0; i < SERVICES; i++) {
      expect(await r.ask(svcName(i))).toEqual({ rcode: 'NOERROR', data: [ip(i, lastRound.get(i) ?? 0)] });
    }
    for (let j = 0; j < extras; j += 97) expect((await r.ask(`extra-${j}.default.svc.cluster.local`)).rcode).toBe('NXDOMAIN');
    expect(await r.metric('clusterdns_cluster_objects')).toBe(SERVICES + 2); // the Services and the namespace
    // Every event came through the watch (no relist needed to catch up).
    expect((await r.metric('clusterdns_kubernetes_watch_events_total')) - eventsBefore).toBe(total);
    expect(await r.metric('clusterdns_kubernetes_watch_relists_total')).toBe(0);

    reportFigures('watch flood', { events: total, floodMs: Math.round(floodMs), ratePerSecond: Math.round(total / (floodMs / 1000)), ...report });
    expect(report.lost).toBe(0);
    expect(Object.keys(report.rcodes)).toEqual(['NOERROR']);
    expect(report.maxLatencyMs).toBeLessThan(HEAVY_QUERY_BOUND_MS);
  }, 120_000);
});
