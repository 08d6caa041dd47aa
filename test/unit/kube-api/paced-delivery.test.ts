import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../../../src/cluster/objects.js';
import { PacedDelivery } from '../../../src/kube-api/paced-delivery.js';

const event = (i: number): ClusterEvent => ({ type: 'delete', kind: 'Service', namespace: 'default', name: `svc-${i}` });
const names = (events: ClusterEvent[]) => events.map((e) => (e.type === 'delete' ? e.name : ''));

/** A clock the store's work advances: each applied event "costs" `msPerEvent`. */
function costlyStore(msPerEvent: number) {
  let clock = 0;
  const groups: ClusterEvent[][] = [];
  return {
    now: () => clock,
    apply(events: ClusterEvent[]) {
      groups.push(events);
      clock += events.length * msPerEvent;
    },
    groups,
  };
}

describe('PacedDelivery', () => {
  it('applies a small batch at once, in order', () => {
    const store = costlyStore(0);
    const delivery = new PacedDelivery({ apply: store.apply, now: store.now });
    delivery.push([event(1), event(2), event(3)]);
    expect(names(store.groups.flat())).toEqual(['svc-1', 'svc-2', 'svc-3']);
    expect(delivery.backlog).toBe(0);
  });

  it('stops a turn once its slice is spent and finishes the rest on later turns, every event once and in order', async () => {
    const store = costlyStore(2); // 2 ms per event: a 5 ms slice holds three
    const delivery = new PacedDelivery({ apply: store.apply, now: store.now, sliceMs: 5 });
    delivery.push(Array.from({ length: 20 }, (_, i) => event(i)));
    const firstTurn = store.groups.flat().length;
    expect(firstTurn).toBeGreaterThan(0);
    expect(firstTurn).toBeLessThan(20);
    delivery.push([event(20)]); // queued behind the backlog, not applied ahead of it
    expect(store.groups.flat().length).toBe(firstTurn);
    await delivery.whenIdle();
    expect(names(store.groups.flat())).toEqual(Array.from({ length: 21 }, (_, i) => `svc-${i}`));
    // No group overran a slice by more than one event's cost.
    for (const group of store.groups) expect(group.length * 2).toBeLessThanOrEqual(6);
  });

  it('grows its groups when events are cheap, so a flood is applied in few store calls', () => {
    const store = costlyStore(0.0001);
    const delivery = new PacedDelivery({ apply: store.apply, now: store.now, sliceMs: 5 });
    delivery.push(Array.from({ length: 10_000 }, (_, i) => event(i)));
    expect(delivery.backlog).toBe(0);
    expect(store.groups.length).toBeLessThan(20);
  });

  it('clear() drops the backlog and releases whoever waits for it', async () => {
    const store = costlyStore(10);
    const delivery = new PacedDelivery({ apply: store.apply, now: store.now, sliceMs: 5 });
    delivery.push(Array.from({ length: 20 }, (_, i) => event(i)));
    const idle = delivery.whenIdle();
    delivery.clear();
    await idle;
    expect(delivery.backlog).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.groups.flat().length).toBe(1);
  });
});
