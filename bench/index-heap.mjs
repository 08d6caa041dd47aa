// The JS heap the record index takes on a generated cluster (issue 13), loaded the way the server loads a
// snapshot (manifest → trimmed objects → ClusterStore → RecordIndex), measured after full GCs.
//
// Usage: node --expose-gc bench/index-heap.mjs --cluster DIR [--dist dist]
// DIR is the output of `node bench/generate-cluster.mjs --services N --out DIR`. Prints, as JSON, the heap
// above the parsed objects with the store and the index, with the store alone (an index that keeps nothing),
// and their difference: the index's own heap; then the shape of what it holds.
import { join } from 'node:path';
import { indexBenchArgs, indexModules, upsertAll } from './index-bench-setup.mjs';

if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
const { cluster, dist } = indexBenchArgs();
const { loadManifestFile, RecordIndex, ClusterStore, REVERSE_ZONES } = await indexModules(dist);

const MiB = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const { objects } = await loadManifestFile(join(cluster, 'cluster.json'));
const zone = 'cluster.local';

function loadInto(index) {
  const before = heapUsed();
  const store = new ClusterStore({ index, zones: [zone], ttl: 5, pods: 'disabled' });
  upsertAll(store, objects);
  store.markSynced();
  const used = heapUsed() - before;
  return { store, used };
}

const alone = loadInto({ setOwner() {}, deleteOwner() {}, batch: (fn) => fn() });
const storeAlone = alone.used;
alone.store = null;
const index = new RecordIndex({ zones: [zone, ...REVERSE_ZONES], ttl: 5 });
const both = loadInto(index);
const shape = {};
// Private fields, read for the report only: how many names, owners and existence counts the index holds.
for (const field of ['data', 'owners', 'existence']) if (index[field] instanceof Map) shape[field] = index[field].size;
console.log(
  JSON.stringify({ cluster, dist, objects: objects.length, storeAndIndexMiB: MiB(both.used), storeAloneMiB: MiB(storeAlone), indexMiB: MiB(both.used - storeAlone), ...shape }),
);
