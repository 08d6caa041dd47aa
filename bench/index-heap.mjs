// The JS heap the record index takes on a generated cluster (issue 13), loaded the way the server loads a
// snapshot (manifest → trimmed objects → ClusterStore → RecordIndex), measured after full GCs.
//
// Usage: node --expose-gc bench/index-heap.mjs --cluster DIR [--dist dist]
// DIR is the output of `node bench/generate-cluster.mjs --services N --out DIR`. Prints, as JSON, the heap
// above the parsed objects with the store and the index, with the store alone (an index that keeps nothing),
// and their difference: the index's own heap; then the shape of what it holds.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const cluster = option('--cluster');
if (!cluster) throw new Error('--cluster DIR is required');
const dist = resolve(option('--dist', 'dist'));
const load = (path) => import(pathToFileURL(join(dist, path)).href);

const { loadManifestFile } = await load('manifest/load-manifest.js');
const { RecordIndex } = await load('records/record-index.js');
const { ClusterStore } = await load('cluster/cluster-store.js');
const { REVERSE_ZONES } = await load('cluster/record-builder.js');

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
  for (let i = 0; i < objects.length; i += 2000) store.apply(objects.slice(i, i + 2000).map((object) => ({ type: 'upsert', object })));
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
