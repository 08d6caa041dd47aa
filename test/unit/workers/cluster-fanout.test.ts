// The multi-core primary's sink: it keeps the objects without building records, passes every change on in
// one message per event-loop turn, hands a starting worker the full state after flushing what was queued,
// and tells the workers once when the source synced.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ClusterObject } from '../../../src/cluster/objects.js';
import { ClusterFanout } from '../../../src/workers/cluster-fanout.js';
import type { ToWorker } from '../../../src/workers/protocol.js';
import { fakeLogger } from '../cluster/fake-index.js';

const svc = (name: string, ip = '10.96.0.1'): ClusterObject => ({
  kind: 'Service',
  namespace: 'default',
  name,
  type: 'ClusterIP',
  headless: false,
  clusterIPs: [ip],
  ports: [],
  publishNotReadyAddresses: false,
});
const ns = (name: string): ClusterObject => ({ kind: 'Namespace', name });

function fanout() {
  const sent: ToWorker[] = [];
  let firstSyncs = 0;
  const log = fakeLogger();
  const sink = new ClusterFanout({ broadcast: (message) => sent.push(message), onFirstSync: () => firstSyncs++, logger: log.logger });
  return { sink, sent, firstSyncs: () => firstSyncs, log };
}

describe('ClusterFanout', () => {
  it('sends the changes of one event-loop turn as one message, in order', async () => {
    const { sink, sent } = fanout();
    sink.apply([{ type: 'upsert', object: svc('a') }]);
    sink.apply([{ type: 'upsert', object: svc('b') }, { type: 'delete', kind: 'Service', namespace: 'default', name: 'a' }]);
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual({
      type: 'events',
      events: [
        { type: 'upsert', object: svc('a') },
        { type: 'upsert', object: svc('b') },
        { type: 'delete', kind: 'Service', namespace: 'default', name: 'a' },
      ],
    });
    expect(sink.counts).toEqual({ services: 1, endpointSlices: 0, pods: 0, namespaces: 0 });
  });

  it('replaceAll sends only the difference from what it holds', async () => {
    const { sink, sent } = fanout();
    sink.replaceAll([svc('a'), svc('b'), ns('default')]);
    await nextTurn();
    sent.length = 0;
    sink.replaceAll([svc('a'), svc('b', '10.96.0.2'), svc('c')]);
    await nextTurn();
    expect(sent).toEqual([
      {
        type: 'events',
        events: [
          { type: 'upsert', object: svc('b', '10.96.0.2') },
          { type: 'delete', kind: 'Namespace', namespace: '', name: 'default' },
          { type: 'upsert', object: svc('c') },
        ],
      },
    ]);
    expect(sink.counts).toEqual({ services: 3, endpointSlices: 0, pods: 0, namespaces: 0 });
  });

  it('state() flushes the queued changes to the fed workers first and holds every object', () => {
    const { sink, sent } = fanout();
    sink.apply([{ type: 'upsert', object: svc('a') }]);
    const state = sink.state();
    expect(sent.map((m) => m.type)).toEqual(['events']);
    expect(state).toEqual({ type: 'state', objects: [svc('a')], synced: false });
  });

  it('markSynced tells the workers once, after the queued changes', () => {
    const { sink, sent, firstSyncs } = fanout();
    sink.apply([{ type: 'upsert', object: svc('a') }]);
    sink.markSynced();
    sink.markSynced();
    expect(sent.map((m) => m.type)).toEqual(['events', 'synced']);
    expect(firstSyncs()).toBe(1);
    expect(sink.synced).toBe(true);
    expect(sink.state().synced).toBe(true);
  });

  it('passes a malformed object on (each worker skips it) but does not hold it, and logs it once', async () => {
    const { sink, sent, log } = fanout();
    const bad = { kind: 'Service', namespace: 'default', name: 'bad', clusterIPs: 'oops' } as unknown as ClusterObject;
    sink.apply([{ type: 'upsert', object: bad }]);
    sink.apply([{ type: 'upsert', object: bad }]);
    await nextTurn();
    expect(sent).toHaveLength(1);
    expect(sink.state().objects).toEqual([]);
    expect(log.warn).toHaveBeenCalledTimes(1);
  });
});
