// Cluster changes handed to the store in time slices, so a big list (10,000 endpoint addresses) or a watch
// flood never holds the event loop that answers DNS queries for longer than one slice: what does not fit in
// a slice waits for the next turn of the loop (setImmediate, after pending I/O such as UDP queries).
// client-go's informers apply changes on their own goroutine for the same reason; here the loop is shared.
import type { ClusterEvent } from '../cluster/objects.js';

export interface PacedDeliveryOptions {
  /** Receives each group of events in order; must not throw (the reflector's deliver catches). */
  apply(events: ClusterEvent[]): void;
  /** Time one turn of the loop may spend applying (default 5 ms); one event is always applied whole. */
  sliceMs?: number;
  /** Clock in ms (tests may pass their own). */
  now?: () => number;
}

/**
 * Groups start at one event (a 100-endpoint slice can cost the store milliseconds) and adapt to how long the
 * store takes per event: doubling reaches thousands of cheap events per group within a slice.
 */
const INITIAL_GROUP = 1;
/** A batch this small is applied whole, as one group (a watch chunk's few events, a small list). */
const SMALL_BATCH = 16;
const MAX_GROUP = 8192;

export class PacedDelivery {
  private readonly applyGroup: (events: ClusterEvent[]) => void;
  private readonly sliceMs: number;
  private readonly now: () => number;
  /** Queued events; `head` is the next one to apply (no shift(): a 100,000-event list would be quadratic). */
  private queue: ClusterEvent[] = [];
  private head = 0;
  private group = INITIAL_GROUP;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: PacedDeliveryOptions) {
    this.applyGroup = options.apply;
    this.sliceMs = Math.max(1, options.sliceMs ?? 5);
    this.now = options.now ?? (() => performance.now());
  }

  /** Events not applied yet. */
  get backlog(): number {
    return this.queue.length - this.head;
  }

  /** Queue `events` after those already queued and apply what fits in this turn's slice at once. */
  push(events: ClusterEvent[]): void {
    if (events.length === 0) return;
    if (this.backlog === 0) {
      this.queue = events.slice();
      this.head = 0;
      this.group = events.length <= SMALL_BATCH ? events.length : INITIAL_GROUP;
    } else {
      for (const event of events) this.queue.push(event);
    }
    if (!this.scheduled) this.drain();
  }

  /** Resolves once every queued event has been applied (at once when none is queued). */
  whenIdle(): Promise<void> {
    if (this.backlog === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drop what is queued (the reflector stopped); waiters are released. */
  clear(): void {
    this.queue = [];
    this.head = 0;
    this.releaseWaiters();
  }

  private drain(): void {
    this.scheduled = false;
    const started = this.now();
    while (this.backlog > 0) {
      const end = Math.min(this.queue.length, this.head + this.group);
      const events = this.queue.slice(this.head, end);
      this.head = end;
      const before = this.now();
      this.applyGroup(events);
      const took = this.now() - before;
      // Aim each group at half a slice: twice as many when it took under a quarter, half when over a half.
      if (took < this.sliceMs / 4) this.group = Math.min(MAX_GROUP, this.group * 2);
      else if (took > this.sliceMs / 2) this.group = Math.max(1, Math.floor(this.group / 2));
      if (this.backlog > 0 && this.now() - started >= this.sliceMs) {
        this.scheduled = true;
        setImmediate(() => this.drain());
        return;
      }
    }
    this.queue = [];
    this.head = 0;
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
