// The API refuses connections when the server starts: it serves at once (/health 200, /ready 503, cluster
// names SERVFAIL, never a false NXDOMAIN), retries with growing backoff, and converges once the API is up.
import { afterEach, describe, expect, it } from 'vitest';
import { formatPretty } from '../../../src/log/logger.js';
import { namespace, service, waitFor } from '../../helpers/api-emulator/index.js';
import { startFaultRig, type FaultRig } from './fault-rig.js';

const BACKOFF = { baseMs: 100, maxMs: 800, jitter: 0 };

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('the API down at start', () => {
  it('serves at once with /health 200 and /ready 503, warns once without a stack trace, retries with backoff, converges when the API comes up', async () => {
    const r = (rig = await startFaultRig({
      objects: [namespace('default'), service('default', 'web', { clusterIP: '10.96.0.10' })],
      apiDown: true,
      tuning: { backoff: BACKOFF, minWatchMs: 50 },
      debugLog: true,
    }));
    expect(await r.probe('health')).toBe(200);
    expect(await r.probe('ready')).toBe(503);
    expect(await r.ask('web.default.svc.cluster.local')).toEqual({ rcode: 'SERVFAIL', data: [] });
    expect(await r.ask('missing.default.svc.cluster.local')).toEqual({ rcode: 'SERVFAIL', data: [] });

    // Each reflector retries, waiting longer each time: 100, 200, 400, 800, 800 ms (jitter off here).
    const retries = () => r.log.lines.filter((l) => l.msg === 'request failed; retrying' && l.reflector === 'services');
    await waitFor(() => retries().length >= 5, { timeoutMs: 15_000, what: 'five failed attempts' });
    expect(retries().slice(0, 5).map((l) => l.retryInMs)).toEqual([100, 200, 400, 800, 800]);
    expect(r.log.matching('Kubernetes API unreachable; cluster names answer SERVFAIL until the first sync')).toHaveLength(1);
    // An outage is an expected condition: one plain line, like the 401/403 warnings, in JSON and pretty form.
    const [warning] = r.log.matching('Kubernetes API unreachable');
    expect(warning.err).toMatch(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(JSON.stringify(warning)).not.toMatch(/stack|\\n\s*at /);
    expect(formatPretty(JSON.stringify(warning))).toMatch(/^WARN  Kubernetes API unreachable; .* err=connect ECONNREFUSED 127\.0\.0\.1:\d+ server=\S+ resource=\S+$/);
    expect(await r.metric('clusterdns_kubernetes_watch_failures_total')).toBeGreaterThanOrEqual(5); // the other reflectors may be a step behind
    expect(await r.probe('health')).toBe(200);
    expect(await r.probe('ready')).toBe(503);

    await r.emu.acceptConnections();
    await r.whenSynced();
    expect(await r.probe('ready')).toBe(200);
    expect(await r.ask('web.default.svc.cluster.local')).toEqual({ rcode: 'NOERROR', data: ['10.96.0.10'] });
    expect(await r.ask('missing.default.svc.cluster.local')).toEqual({ rcode: 'NXDOMAIN', data: [] });
    await waitFor(() => r.log.matching('Kubernetes API reachable again').length === 1, { what: 'recovery logged' });
  }, 30_000);
});
