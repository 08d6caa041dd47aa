// The few fields trim keeps for `explain`, only where they are set: a not-ready endpoint's pod and its
// terminating condition, and a pod's dnsPolicy/dnsConfig when it is not the default.
import { describe, expect, it } from 'vitest';
import { trimObject } from '../../../src/cluster/trim.js';
import type { EndpointSliceInfo, PodInfo } from '../../../src/cluster/objects.js';

const slice = (endpoints: unknown[]) =>
  trimObject({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's', namespace: 'd' }, addressType: 'IPv4', endpoints }) as EndpointSliceInfo;
const pod = (spec: object) => trimObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd' }, spec, status: { phase: 'Running', podIP: '10.0.0.1' } }) as PodInfo;

describe('trim: what explain needs', () => {
  it('keeps the pod name and terminating condition of a not-ready endpoint, and nothing extra on a ready one', () => {
    const [ready, notReady] = slice([
      { addresses: ['10.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'a' } },
      { addresses: ['10.0.0.2'], conditions: { ready: false, terminating: true }, targetRef: { kind: 'Pod', name: 'b' } },
    ]).endpoints;
    expect(ready).toEqual({ addresses: ['10.0.0.1'], ready: true });
    expect(notReady).toEqual({ addresses: ['10.0.0.2'], ready: false, targetPod: 'b', terminating: true });
  });

  it('keeps dnsPolicy and dnsConfig only when they are not the default ClusterFirst', () => {
    expect(pod({ dnsPolicy: 'ClusterFirst' }).dns).toBeUndefined();
    expect(pod({}).dns).toBeUndefined();
    expect(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['Corp.Example.'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }).dns).toEqual({
      policy: 'None',
      nameservers: ['1.1.1.1'],
      searches: ['corp.example'],
      options: ['ndots:2', 'edns0'],
    });
    expect(pod({ hostNetwork: true }).dns).toEqual({ policy: 'ClusterFirst', hostNetwork: true });
  });
});
