// The multi-core primary's ClusterSink: the data source writes to it exactly as to a single process's store.
// It keeps the objects (the full state a new or restarted worker gets, and the base of replaceAll's diff) and
// passes every change on to the workers, batched per event-loop turn. It builds no records: the workers do.
import type { Logger } from 'pino';
import type { ClusterCounts, ClusterSink } from '../cluster/cluster-sink.js';
import { assertShape } from '../cluster/cluster-store.js';
import { deletedKey, describeObject, diffObjects, objectKey } from '../cluster/object-diff.js';
import type { ClusterEvent, ClusterObject, ClusterObjectKind } from '../cluster/objects.js';
import type { ToWorker } from './protocol.js';

export interface ClusterFanoutOptions {
  /** Sends to every worker that has the state. */
  broadcast(message: ToWorker): void;
  /** Called once, when the data source finished its first full load (after the workers were told). */
  onFirstSync(): void;
  logger: Logger;
}

const COUNTED: Record<ClusterObjectKind, keyof ClusterCounts> = {
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  Pod: 'pods',
  Namespace: 'namespaces',
};

export class ClusterFanout implements ClusterSink {
  private readonly held = new Map<string, ClusterObject>();
  private readonly tally: ClusterCounts = { services: 0, endpointSlices: 0, pods: 0, namespaces: 0 };
  private pending: Array<readonly ClusterEvent[]> = [];
  private flushScheduled = false;
  private isSynced = false;
  private readonly failing = new Set<string>();

  constructor(private readonly options: ClusterFanoutOptions) {}

  get synced(): boolean {
    return this.isSynced;
  }

  get counts(): ClusterCounts {
    return { ...this.tally };
  }

  /** Keep the changes and queue them for the workers (every event goes on: each worker's store skips bad ones as this one does). */
  apply(events: readonly ClusterEvent[]): number {
    if (events.length === 0) return 0;
    for (const event of events) {
      if (event.type === 'delete') {
        const old = this.held.get(deletedKey(event));
        if (old !== undefined) {
          this.held.delete(deletedKey(event));
          this.tally[COUNTED[old.kind]]--;
        }
        continue;
      }
      try {
        assertShape(event.object);
        const k = objectKey(event.object);
        if (!this.held.has(k)) this.tally[COUNTED[event.object.kind]]++;
        this.held.set(k, event.object);
        this.failing.delete(describeObject(event.object));
      } catch (err) {
        this.fail(describeObject(event.object), err);
      }
    }
    this.pending.push(events);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return events.length;
  }

  replaceAll(objects: Iterable<ClusterObject>): number {
    return this.apply(diffObjects(this.held.values(), objects, (object, err) => this.fail(describeObject(object), err)));
  }

  markSynced(): void {
    if (this.isSynced) return;
    this.isSynced = true;
    this.flush();
    this.options.broadcast({ type: 'synced' });
    this.options.onFirstSync();
  }

  /** The full state for a worker that has just started; the changes queued so far go out first to the others. */
  state(): Extract<ToWorker, { type: 'state' }> {
    this.flush();
    return { type: 'state', objects: [...this.held.values()], synced: this.isSynced };
  }

  /** Send the changes queued so far: one message per event-loop turn, not per change. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const events = this.pending.length === 1 ? this.pending[0] : this.pending.flat(); // serialized by send(), not kept
    this.pending = [];
    this.options.broadcast({ type: 'events', events });
  }

  private fail(id: string, err: unknown): void {
    if (this.failing.has(id)) return;
    this.failing.add(id);
    this.options.logger.warn({ object: id, err: err instanceof Error ? err.message : String(err) }, 'skipping a cluster object that cannot be used');
  }
}
