// Nanoseconds per RecordIndex.lookup on a generated cluster (issue 13): the index's own query path, below
// the answer cache, for a ClusterIP A, a named-port SRV, an NXDOMAIN and a headless Service's A RRset.
//
// Usage: node bench/index-lookup.mjs --cluster DIR [--dist dist] [--rounds 5] [--iterations 200000]
// DIR is the output of `node bench/generate-cluster.mjs --services N --out DIR`. Prints the median ns per
// lookup of each kind (the best and the median round), as JSON.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexBenchArgs, indexModules, upsertAll } from './index-bench-setup.mjs';

const { option, cluster, dist } = indexBenchArgs();
const rounds = Number(option('--rounds', '5'));
const iterations = Number(option('--iterations', '200000'));
const { loadManifestFile, RecordIndex, ClusterStore, REVERSE_ZONES } = await indexModules(dist);

const names = JSON.parse(readFileSync(join(cluster, 'names.json'), 'utf8'));
const zone = names.zone;
const index = new RecordIndex({ zones: [zone, ...REVERSE_ZONES], ttl: 5 });
const store = new ClusterStore({ index, zones: [zone], ttl: 5, pods: 'disabled' });
const { objects } = await loadManifestFile(join(cluster, 'cluster.json'));
upsertAll(store, objects);

const A = 1;
const SRV = 33;
const clusterIp = names.services.filter((s) => s[3] === 0).slice(0, 1000);
const headless = names.services.filter((s) => s[3] !== 0).slice(0, 1000);
const cases = {
  a: clusterIp.map(([name, ns]) => [`${name}.${ns}.svc.${zone}`, A]),
  srv: clusterIp.map(([name, ns, port]) => [`_${port}._tcp.${name}.${ns}.svc.${zone}`, SRV]),
  nxdomain: clusterIp.map(([name, ns]) => [`${name}-missing.${ns}.svc.${zone}`, A]),
  headlessA: headless.map(([name, ns]) => [`${name}.${ns}.svc.${zone}`, A]),
};
for (const [kind, queries] of Object.entries(cases)) {
  const expected = kind === 'nxdomain' ? 'nxdomain' : 'answer';
  for (const [qname, qtype] of queries) {
    const got = index.lookup(qname, qtype);
    if (got.kind !== expected || (expected === 'answer' && got.answer.length === 0)) throw new Error(`${kind}: ${qname} gave ${got.kind}`);
  }
}

let sink = 0;
function measure(queries) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const [qname, qtype] = queries[i % queries.length];
    const result = index.lookup(qname, qtype);
    sink += result.kind.length;
  }
  return Number(process.hrtime.bigint() - start) / iterations;
}
const samples = Object.fromEntries(Object.keys(cases).map((kind) => [kind, []]));
for (let round = 0; round < rounds; round++) {
  for (const [kind, queries] of Object.entries(cases)) samples[kind].push(measure(queries));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (pick) => Object.fromEntries(Object.entries(samples).map(([kind, xs]) => [kind, Math.round(pick(xs))]));
// The best round is the figure least disturbed by other load on a shared machine; the median is given too.
console.log(JSON.stringify({ cluster, dist, iterations, rounds, bestNs: summary((xs) => Math.min(...xs)), medianNs: summary(median), sink: sink > 0 }));
