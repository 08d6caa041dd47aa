// The multi-core primary's cluster store: the data sources (manifest files or the Kubernetes reflectors) write
// to it exactly as they write to a single process's store, and every change that comes out of its diff is
// handed on to the workers. It holds the objects (for the full state a new or restarted worker needs, and for
// the manifest diff) but serves no queries, so its record index is a sink that keeps nothing.
import { ClusterStore, type ClusterStoreOptions, type RecordSink } from '../cluster/cluster-store.js';
import type { ClusterEvent } from '../cluster/objects.js';

const NO_INDEX: RecordSink = {
  setOwner() {},
  deleteOwner() {},
  batch(fn) {
    fn();
  },
};

export interface FanoutStoreOptions extends Omit<ClusterStoreOptions, 'index'> {
  /** Called with each batch of changes, before the primary applies it to its own copy. */
  onEvents(events: readonly ClusterEvent[]): void;
  /** Called once, when the data source finished its first full load. */
  onSynced(): void;
}

export class FanoutStore extends ClusterStore {
  private readonly onEvents: (events: readonly ClusterEvent[]) => void;
  private readonly onSynced: () => void;

  constructor(options: FanoutStoreOptions) {
    super({ ...options, index: NO_INDEX });
    this.onEvents = options.onEvents;
    this.onSynced = options.onSynced;
  }

  // replaceAll (the manifest source and a relist) computes its diff against the objects held here and ends in
  // apply(), so every change of every source passes through this one method.
  override apply(events: readonly ClusterEvent[]): number {
    if (events.length > 0) this.onEvents(events);
    return super.apply(events);
  }

  override markSynced(): void {
    const first = !this.synced;
    super.markSynced();
    if (first) this.onSynced();
  }
}
