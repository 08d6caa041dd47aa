// The DNS programming latency SLI counts, as CoreDNS does, only EndpointSlices of headless Services that carry
// the endpoints controller's trigger time, and only once the first full list is in.
import { describe, expect, it } from 'vitest';
import type { ClusterEvent, EndpointSliceInfo, ServiceInfo } from '../../../src/cluster/objects.js';
import { ProgrammingLatency } from '../../../src/kube-api/programming-latency.js';
import { PROGRAMMING_BUCKETS } from '../../../src/server/bucket-histogram.js';

const svc = (name: string, headless: boolean): ClusterEvent => ({
  type: 'upsert',
  object: { kind: 'Service', namespace: 'default', name, type: 'ClusterIP', headless, clusterIPs: headless ? [] : ['10.96.0.1'], ports: [], publishNotReadyAddresses: false } satisfies ServiceInfo,
});
const slice = (name: string, serviceName: string, lastChangeTriggerTime?: number): ClusterEvent => ({
  type: 'upsert',
  object: {
    kind: 'EndpointSlice',
    namespace: 'default',
    name,
    serviceName,
    addressType: 'IPv4',
    endpoints: [],
    ports: [],
    ...(lastChangeTriggerTime === undefined ? {} : { lastChangeTriggerTime }),
  } satisfies EndpointSliceInfo,
});

describe('ProgrammingLatency', () => {
  it('observes headless Services\' stamped slices after the first list, in seconds since the trigger time', () => {
    const latency = new ProgrammingLatency();
    const now = 1_000_000;
    latency.record([svc('db', true), svc('web', false), slice('db-1', 'db', now - 5000)], false, now); // the list: not observed
    latency.record([slice('db-1', 'db', now - 3000), slice('web-1', 'web', now - 3000), slice('db-2', 'db')], true, now);
    expect(latency.histogram.counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(latency.histogram.sum).toBe(3);
    expect(latency.histogram.counts[PROGRAMMING_BUCKETS.indexOf(4.096)]).toBe(1);

    // A Service that stops being headless no longer counts.
    latency.record([svc('db', false), slice('db-1', 'db', now - 1000)], true, now);
    expect(latency.histogram.sum).toBe(3);
  });
});
