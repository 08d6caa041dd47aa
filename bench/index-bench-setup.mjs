// What the record-index benches (index-heap.mjs, index-lookup.mjs) share: their command line (--cluster DIR,
// --dist dist) and a generated cluster loaded the way the server loads a snapshot (manifest → trimmed
// objects → ClusterStore → RecordIndex), from the build under test.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** `option(name, fallback)` over the command line, the required --cluster DIR, and --dist (default dist). */
export function indexBenchArgs(argv = process.argv.slice(2)) {
  const option = (name, fallback) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : fallback;
  };
  const cluster = option('--cluster');
  if (!cluster) throw new Error('--cluster DIR is required');
  return { option, cluster, dist: resolve(option('--dist', 'dist')) };
}

/** The built modules the benches need, from `dist`. */
export async function indexModules(dist) {
  const load = (path) => import(pathToFileURL(join(dist, path)).href);
  const [{ loadManifestFile }, { RecordIndex }, { ClusterStore }, { REVERSE_ZONES }] = await Promise.all([
    load('manifest/load-manifest.js'),
    load('records/record-index.js'),
    load('cluster/cluster-store.js'),
    load('cluster/record-builder.js'),
  ]);
  return { loadManifestFile, RecordIndex, ClusterStore, REVERSE_ZONES };
}

/** Upsert every object into `store`, 2,000 a call, as the manifest source applies a load in batches. */
export function upsertAll(store, objects) {
  for (let i = 0; i < objects.length; i += 2000) store.apply(objects.slice(i, i + 2000).map((object) => ({ type: 'upsert', object })));
}
