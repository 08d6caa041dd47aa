// One data source, several server blocks: every store behind the tee gets each change and builds its own
// records (its zones), and the tee is synced only once all of them are.
import { describe, expect, it } from 'vitest';
import { ClusterStore } from '../../../src/cluster/cluster-store.js';
import { ClusterTee } from '../../../src/cluster/cluster-tee.js';
import type { ClusterObject } from '../../../src/cluster/objects.js';
import { RecordIndex } from '../../../src/records/record-index.js';
import { RRType } from '../../../src/wire/types.js';

const svc = (name: string, ip: string): ClusterObject => ({
  kind: 'Service',
  namespace: 'default',
  name,
  type: 'ClusterIP',
  headless: false,
  clusterIPs: [ip],
  ports: [],
  publishNotReadyAddresses: false,
});

function block(zone: string) {
  const index = new RecordIndex({ zones: [zone], ttl: 5 });
  return { index, store: new ClusterStore({ index, zones: [zone], ttl: 5, pods: 'disabled' }) };
}

describe('ClusterTee', () => {
  it('passes a full list and later changes to every store, each building records in its own zone', () => {
    const a = block('cluster.local');
    const b = block('other.local');
    const tee = new ClusterTee([a.store, b.store]);
    tee.replaceAll([{ kind: 'Namespace', name: 'default' }, svc('one', '10.96.0.1')]);
    tee.apply([{ type: 'upsert', object: svc('two', '10.96.0.2') }]);
    for (const name of ['one', 'two']) {
      expect(a.index.lookup(`${name}.default.svc.cluster.local`, RRType.A)).toMatchObject({ kind: 'answer' });
      expect(b.index.lookup(`${name}.default.svc.other.local`, RRType.A)).toMatchObject({ kind: 'answer' });
    }
    expect(a.index.lookup('one.default.svc.other.local', RRType.A)).toMatchObject({ kind: 'notauth' });
    expect(tee.counts).toMatchObject({ services: 2, namespaces: 1 });
  });

  it('is synced once every store is', () => {
    const a = block('cluster.local');
    const b = block('other.local');
    const tee = new ClusterTee([a.store, b.store]);
    expect(tee.synced).toBe(false);
    tee.markSynced();
    expect([a.store.synced, b.store.synced, tee.synced]).toEqual([true, true, true]);
  });
});
