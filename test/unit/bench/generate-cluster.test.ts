// The benchmark's synthetic cluster (bench/generate-cluster.mjs): deterministic, loadable by the manifest
// loader, and its zone file holds exactly the cluster-zone records clusterdns builds from the same objects.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateCluster, toKubernetesList, toYaml, toZoneFile } from '../../../bench/generate-cluster.mjs';
import { HITS_MIX, hitsQueries, stormQueries } from '../../../bench/queries.mjs';
import { toNames } from '../../../bench/generate-cluster.mjs';
import { parseManifest } from '../../../src/manifest/load-manifest.js';
import { buildPodRecords, buildServiceRecords, buildZoneRecords } from '../../../src/cluster/record-builder.js';
import type { EndpointSliceInfo, PodInfo, ServiceInfo } from '../../../src/cluster/objects.js';
import type { ResourceRecord } from '../../../src/wire/types.js';
import { RRType } from '../../../src/wire/types.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('bench generate-cluster', () => {
  it('is deterministic: the same seed gives byte-identical output (pinned hashes), another seed differs', () => {
    const a = generateCluster({ services: 50, seed: 1 });
    const b = generateCluster({ services: 50, seed: 1 });
    expect(JSON.stringify(toKubernetesList(a))).toBe(JSON.stringify(toKubernetesList(b)));
    expect(sha256(JSON.stringify(toKubernetesList(a)))).toBe('42c3e38cefab44db7bf1213acd142c4b8af4d4465f67c7a302867c690e9f9bf8');
    expect(sha256(toZoneFile(a))).toBe('c01ad81440d6be304de8746d083974a0de4a8a4be70ac8df9b85ded7fe31933b');
    const c = generateCluster({ services: 50, seed: 2 });
    expect(JSON.stringify(toKubernetesList(c))).not.toBe(JSON.stringify(toKubernetesList(a)));
  });

  it('its snapshot loads into the expected number of services, slices, pods and namespaces (JSON and YAML)', () => {
    const cluster = generateCluster({ services: 2000, namespaces: 20, seed: 1 });
    const headless = cluster.services.filter((s) => s.headless);
    const endpoints = headless.reduce((n, s) => n + (s.endpoints?.length ?? 0), 0);
    const list = toKubernetesList(cluster);
    for (const text of [JSON.stringify(list), toYaml(list)]) {
      const parsed = parseManifest(text, 'bench.json');
      const count = (kind: string) => parsed.objects.filter((o) => o.kind === kind).length;
      expect(parsed.skippedKinds.size).toBe(0);
      expect(count('Service')).toBe(2000 + 1); // + kube-system/kube-dns
      expect(count('EndpointSlice')).toBe(headless.length);
      expect(count('Pod')).toBe(endpoints);
      expect(count('Namespace')).toBe(20 + 1);
    }
    // About 10 % headless, each with 3..5 endpoints; every ClusterIP service has one named port.
    expect(headless.length / 2000).toBeGreaterThan(0.07);
    expect(headless.length / 2000).toBeLessThan(0.13);
    for (const s of headless) expect(s.endpoints!.length).toBeGreaterThanOrEqual(3);
    for (const s of headless) expect(s.endpoints!.length).toBeLessThanOrEqual(5);
    expect(new Set(cluster.services.map((s) => `${s.name}.${s.namespace}`)).size).toBe(2000);
  });

  it('writes a zone holding exactly the cluster-zone records clusterdns builds from the snapshot', () => {
    const cluster = generateCluster({ services: 300, namespaces: 5, seed: 3 });
    const parsed = parseManifest(JSON.stringify(toKubernetesList(cluster)), 'bench.json');
    const options = { zones: ['cluster.local'], ttl: 5 };
    const services = parsed.objects.filter((o): o is ServiceInfo => o.kind === 'Service');
    const slices = parsed.objects.filter((o): o is EndpointSliceInfo => o.kind === 'EndpointSlice');
    const pods = parsed.objects.filter((o): o is PodInfo => o.kind === 'Pod');
    const built: ResourceRecord[] = [
      ...buildZoneRecords(options, services.find((s) => s.name === 'kube-dns')).records,
      ...services.flatMap((s) => buildServiceRecords(s, slices, options).records),
      ...pods.flatMap((p) => buildPodRecords(p, { ...options, pods: 'verified' }).records),
    ];
    const show = (rr: ResourceRecord): string => {
      const d = rr.data as unknown;
      if (rr.type === RRType.SRV) {
        const s = d as { priority: number; weight: number; port: number; target: string };
        return `${rr.name}. ${rr.ttl} SRV ${s.priority} ${s.weight} ${s.port} ${s.target}.`;
      }
      if (rr.type === RRType.TXT) return `${rr.name}. ${rr.ttl} TXT ${(d as string[]).map((t) => JSON.stringify(t)).join(' ')}`;
      const type = Object.entries(RRType).find(([, v]) => v === rr.type)![0];
      return `${rr.name}. ${rr.ttl} ${type} ${rr.type === RRType.NS ? `${String(d)}.` : String(d)}`;
    };
    const expected = built.filter((rr) => rr.name === 'cluster.local' || rr.name.endsWith('.cluster.local')).map(show).sort();

    const fromZone = toZoneFile(cluster)
      .split('\n')
      .filter((l) => l && !l.startsWith(';') && !l.startsWith('$'))
      .map((l) => {
        const [owner, ttl, , type, ...rdata] = l.split(/\s+/);
        const name = owner === '@' ? 'cluster.local.' : `${owner}.cluster.local.`;
        return `${name} ${ttl} ${type} ${rdata.join(' ')}`;
      })
      .filter((l) => !/ SOA /.test(l)) // the index adds the SOA itself
      .sort();
    expect(fromZone).toEqual(expected);
  });

  it('writes the query mixes in the documented proportions', () => {
    const names = toNames(generateCluster({ services: 1000, seed: 1 }));
    const hits = hitsQueries(names, { count: 20000 });
    expect(hits.lines).toHaveLength(20000);
    expect(hits.expected.A / 20000).toBeCloseTo(HITS_MIX.A, 1);
    expect(hits.expected.NX / 20000).toBeCloseTo(HITS_MIX.NX, 1);
    expect(hits.lines.filter((l) => l.endsWith(' SRV')).length).toBe(hits.expected.SRV);
    const storm = stormQueries(names, { count: 600 });
    expect(storm.lines).toHaveLength(600);
    expect(storm.lines.every((l) => / (A|AAAA)$/.test(l) && l.split(' ')[0].endsWith('cluster.local'))).toBe(true);
    expect(hitsQueries(names, { count: 100 }).lines).toEqual(hitsQueries(names, { count: 100 }).lines);
  });
});
