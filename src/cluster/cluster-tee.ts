// One data source feeding several cluster stores: the server blocks of a Corefile that each serve
// `kubernetes` share one list/watch of the API (or one snapshot) and build their own records from it.
import type { ClusterCounts, ClusterSink } from './cluster-sink.js';
import type { ClusterEvent, ClusterObject } from './objects.js';

export class ClusterTee implements ClusterSink {
  constructor(private readonly sinks: readonly ClusterSink[]) {}

  apply(events: readonly ClusterEvent[]): number {
    let work = 0;
    for (const sink of this.sinks) work += sink.apply(events);
    return work;
  }

  replaceAll(objects: Iterable<ClusterObject>): number {
    const list = [...objects];
    let work = 0;
    for (const sink of this.sinks) work += sink.replaceAll(list);
    return work;
  }

  markSynced(): void {
    for (const sink of this.sinks) sink.markSynced();
  }

  get synced(): boolean {
    return this.sinks.every((sink) => sink.synced);
  }

  get counts(): ClusterCounts {
    return this.sinks[0]?.counts ?? { services: 0, endpointSlices: 0, pods: 0, namespaces: 0 };
  }
}
