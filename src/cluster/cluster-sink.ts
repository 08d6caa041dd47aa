// What a data source writes to: the cluster store of a single process, or the multi-core primary's fan-out.
import type { ClusterEvent, ClusterObject } from './objects.js';

export interface ClusterCounts {
  services: number;
  endpointSlices: number;
  pods: number;
  namespaces: number;
}

export interface ClusterSink {
  /** Apply changes; a bad object is logged and skipped, never thrown. Returns how much work it caused. */
  apply(events: readonly ClusterEvent[]): number;
  /** Make the held state equal `objects` (a full list or snapshot) by applying only what differs. */
  replaceAll(objects: Iterable<ClusterObject>): number;
  /** The source finished its first full load. */
  markSynced(): void;
  readonly synced: boolean;
  readonly counts: ClusterCounts;
}
