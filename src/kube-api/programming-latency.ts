// The DNS programming latency SLI (CoreDNS's coredns_kubernetes_dns_programming_duration_seconds, from
// plugin/kubernetes/object/endpoint.go): for an EndpointSlice of a headless Service that the endpoints controller
// stamped with `endpoints.kubernetes.io/last-change-trigger-time`, the time from that change (a pod becoming
// ready, say) until the slice is applied to the index. As in CoreDNS, only headless Services count (their
// answers are the endpoints), and only changes seen after the first full list (the list replays old state).
import type { ClusterEvent } from '../cluster/objects.js';
import { PROGRAMMING_BUCKETS, createHistogram, observe, type BucketHistogram } from '../server/bucket-histogram.js';

export class ProgrammingLatency {
  readonly histogram: BucketHistogram = createHistogram(PROGRAMMING_BUCKETS);
  /** namespace/name of every headless Service seen. */
  private readonly headless = new Set<string>();

  /** Called with every batch after it is applied; `observing` is false until the first full list is in. */
  record(events: readonly ClusterEvent[], observing: boolean, now = Date.now()): void {
    for (const event of events) {
      if (event.type === 'delete') {
        if (event.kind === 'Service') this.headless.delete(`${event.namespace}/${event.name}`);
        continue;
      }
      const object = event.object;
      if (object.kind === 'Service') {
        if (object.headless) this.headless.add(`${object.namespace}/${object.name}`);
        else this.headless.delete(`${object.namespace}/${object.name}`);
      } else if (observing && object.kind === 'EndpointSlice' && object.lastChangeTriggerTime !== undefined && object.serviceName !== undefined) {
        if (this.headless.has(`${object.namespace}/${object.serviceName}`)) {
          observe(this.histogram, PROGRAMMING_BUCKETS, Math.max(0, now - object.lastChangeTriggerTime) / 1000);
        }
      }
    }
  }
}
