#!/usr/bin/env node
// dnsperf input files for the benchmark (issue 6), deterministic (seeded).
//
// hits:  80 % A of a service name, 10 % SRV _<port>._tcp.<svc>.<ns>.svc.<zone>, 5 % AAAA of a service name
//        (IPv4-only services: NODATA), 5 % A of a name that does not exist (NXDOMAIN); uniform over services.
// storm: the ndots:5 search path of a pod resolving an outside name: A and AAAA of
//        <name>.<ns>.svc.<zone>, <name>.svc.<zone>, <name>.<zone>, all NXDOMAIN.
//
// Usage: node bench/queries.mjs --names bench/results/cluster/names.json [--count 100000] [--seed 7] [--out DIR]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from './generate-cluster.mjs';

const EXTERNAL = ['api.github.com', 'www.google.com', 's3.amazonaws.com', 'registry.npmjs.org', 'pypi.org',
  'login.microsoftonline.com', 'sts.amazonaws.com', 'hooks.slack.com', 'api.stripe.com', 'sentry.io'];

/** Expected rcode mix of the hits file: { NOERROR: fraction, NXDOMAIN: fraction }. */
export const HITS_MIX = { A: 0.8, SRV: 0.1, AAAA: 0.05, NX: 0.05 };

/** Lines of the hits mix, `count` of them, and the expected counts per kind. */
export function hitsQueries(names, { count = 100000, seed = 7 } = {}) {
  const rand = prng(seed);
  const { zone, services } = names;
  const lines = [];
  const expected = { A: 0, SRV: 0, AAAA: 0, NX: 0 };
  for (let i = 0; i < count; i++) {
    const [name, ns, port] = services[Math.floor(rand() * services.length)];
    const r = rand();
    if (r < HITS_MIX.A) {
      lines.push(`${name}.${ns}.svc.${zone} A`);
      expected.A++;
    } else if (r < HITS_MIX.A + HITS_MIX.SRV) {
      lines.push(`_${port}._tcp.${name}.${ns}.svc.${zone} SRV`);
      expected.SRV++;
    } else if (r < HITS_MIX.A + HITS_MIX.SRV + HITS_MIX.AAAA) {
      lines.push(`${name}.${ns}.svc.${zone} AAAA`);
      expected.AAAA++;
    } else {
      lines.push(`${name}-gone.${ns}.svc.${zone} A`);
      expected.NX++;
    }
  }
  return { lines, expected };
}

/** Lines of the ndots:5 storm: every line NXDOMAIN. */
export function stormQueries(names, { count = 100000, seed = 11 } = {}) {
  const rand = prng(seed);
  const { zone, namespaces } = names;
  const lines = [];
  while (lines.length < count) {
    const ns = namespaces[Math.floor(rand() * namespaces.length)];
    const external = EXTERNAL[Math.floor(rand() * EXTERNAL.length)];
    // Vary the name so that a cache in front cannot answer everything from a handful of entries.
    const name = `${Math.floor(rand() * 1000)}.${external}`;
    for (const suffix of [`${ns}.svc.${zone}`, `svc.${zone}`, zone]) {
      lines.push(`${name}.${suffix} A`);
      lines.push(`${name}.${suffix} AAAA`);
    }
  }
  lines.length = count;
  return { lines, expected: { NX: count } };
}

export function writeQueries({ names, out, count = 100000 }) {
  const data = typeof names === 'string' ? JSON.parse(readFileSync(names, 'utf8')) : names;
  const hits = hitsQueries(data, { count });
  const storm = stormQueries(data, { count });
  const hitsFile = join(out, 'queries-hits.txt');
  const stormFile = join(out, 'queries-storm.txt');
  writeFileSync(hitsFile, `${hits.lines.join('\n')}\n`);
  writeFileSync(stormFile, `${storm.lines.join('\n')}\n`);
  return { hitsFile, stormFile, hitsExpected: hits.expected, stormExpected: storm.expected, count };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const get = (flag, dflt) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const names = get('--names', 'bench/results/cluster/names.json');
  const result = writeQueries({ names, out: get('--out', dirname(names)), count: Number(get('--count', 100000)) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
