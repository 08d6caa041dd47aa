// explain's answer is the server's answer: over a generated cluster (Services of every kind, EndpointSlices
// with ready and not-ready endpoints, named and unnamed ports, pods in every phase, namespaces with and
// without a Namespace object), for every question asked, explain's rcode and answer records equal what the
// running server answers over UDP on a real socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDnsServer, type ClusterDnsServer } from '../../../src/cluster-dns.js';
import { rcodeName } from '../../../src/explain/explainer.js';
import { ipToReverseName, dashedIp } from '../../../src/records/ip-names.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { RRType } from '../../../src/wire/types.js';
import { udpQuery } from '../../helpers/raw-query.js';
import { load } from './explain-cluster.js';

/** A small deterministic PRNG (mulberry32): the same cluster every run, so a failure reproduces. */
function random(seed: number): () => number {
  let t = seed;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

interface Generated {
  objects: unknown[];
  questions: Array<[string, number]>;
}

function generateCluster(seed: number): Generated {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  const objects: unknown[] = [];
  const questions: Array<[string, number]> = [];
  const ask = (name: string, ...types: number[]) => {
    for (const type of types) questions.push([name, type]);
  };
  let ipCounter = 1;
  const nextIp = (prefix: string) => `${prefix}.${Math.floor(ipCounter / 250)}.${(ipCounter++ % 250) + 1}`;
  const namespaces = ['alpha', 'beta', 'gamma'];
  for (const ns of namespaces) {
    if (ns !== 'gamma') objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }); // gamma exists through its objects only
    ask(`${ns}.svc.cluster.local`, RRType.A);
    ask(`${ns}.pod.cluster.local`, RRType.A);
    for (let i = 0; i < 8; i++) {
      const name = `s${i}`;
      const fqdn = `${name}.${ns}.svc.cluster.local`;
      const kind = pick(['clusterip', 'dual', 'headless', 'headless', 'external-name', 'external-ip', 'selectorless'] as const);
      const portNamed = rnd() < 0.7;
      const ports = [{ ...(portNamed ? { name: 'http' } : {}), port: 80 + i, protocol: 'TCP' }];
      ask(fqdn, RRType.A, RRType.AAAA, RRType.SRV, RRType.TXT);
      ask(`_http._tcp.${fqdn}`, RRType.SRV);
      ask(`_http._udp.${fqdn}`, RRType.SRV);
      ask(`nope.${fqdn}`, RRType.A);
      ask(`${name}.missing-ns.svc.cluster.local`, RRType.A);
      if (kind === 'external-name' || kind === 'external-ip') {
        const target = kind === 'external-name' ? `db${i}.example.org` : `192.0.2.${i + 1}`;
        objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { type: 'ExternalName', externalName: target } });
        continue;
      }
      const clusterIP = kind === 'headless' ? 'None' : nextIp('10.96');
      const spec: Record<string, unknown> = { clusterIP, ports, publishNotReadyAddresses: rnd() < 0.2 };
      if (kind === 'dual') spec.clusterIPs = [clusterIP, `fd00:10:96::${ipCounter++}`];
      objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec });
      if (clusterIP !== 'None') ask(ipToReverseName(clusterIP), RRType.PTR);
      if (kind === 'selectorless') continue;
      const slices = Math.floor(rnd() * 3); // 0, 1 or 2 slices
      for (let s = 0; s < slices; s++) {
        const endpoints: unknown[] = [];
        const count = Math.floor(rnd() * 4);
        for (let e = 0; e < count; e++) {
          const ip = nextIp('10.244');
          const ready = rnd() < 0.65;
          const hostname = rnd() < 0.5 ? `${name}-${s}-${e}` : undefined;
          const podName = `${name}-pod-${s}-${e}`;
          endpoints.push({ addresses: [ip], conditions: { ready }, ...(hostname ? { hostname } : {}), targetRef: { kind: 'Pod', name: podName } });
          const phase = pick(['Running', 'Running', 'Pending', 'Succeeded']);
          objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: podName, namespace: ns }, status: { phase, podIP: ip } });
          ask(`${hostname ?? dashedIp(ip)}.${fqdn}`, RRType.A, RRType.SRV);
          ask(`${dashedIp(ip)}.${ns}.pod.cluster.local`, RRType.A, RRType.AAAA);
          ask(ipToReverseName(ip), RRType.PTR);
        }
        const slicePorts = rnd() < 0.8 ? ports : [{ port: 8080 + i, protocol: 'TCP' }];
        objects.push({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: `${name}-${s}`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
          addressType: 'IPv4',
          endpoints,
          ports: slicePorts,
        });
      }
    }
  }
  ask('dns-version.cluster.local', RRType.TXT);
  ask('cluster.local', RRType.SOA, RRType.NS);
  ask('10-244-250-1.alpha.pod.cluster.local', RRType.A);
  ask('www.example.com', RRType.A);
  return { objects, questions };
}

const sorted = (records: string[]) => [...records].sort();

describe('explain answers what the server answers', () => {
  let dns: ClusterDnsServer;
  let generated: Generated;
  beforeAll(async () => {
    generated = generateCluster(20261202);
    dns = await startClusterDnsServer({ lameduckMs: 0 });
    load(dns, generated.objects);
  });
  afterAll(async () => {
    await dns.close();
  });

  it('for every question over a generated cluster: the same rcode and answer records as a UDP query', async () => {
    expect(generated.questions.length).toBeGreaterThan(300);
    const kinds = new Set<string>();
    for (const [name, type] of generated.questions) {
      const reply = await udpQuery(dns.address.port, name, type);
      const explained = await dns.explain(name, type);
      const question = `${name} ${type}`;
      expect(`${question} ${explained.rcode}`).toBe(`${question} ${rcodeName(reply.rcode)}`);
      expect(sorted(explained.answers.map((r) => r.record))).toEqual(sorted(reply.answers.map(formatRecord)));
      kinds.add(explained.nodata ? 'NODATA' : explained.rcode);
      for (const reason of explained.reasons) kinds.add(reason.code);
    }
    // The generated cluster exercises positive and negative answers and the diagnoses behind them.
    for (const expected of ['NOERROR', 'NXDOMAIN', 'NODATA', 'REFUSED', 'no-such-service', 'no-such-namespace', 'endpoint-not-ready', 'no-endpoints', 'port-unnamed', 'externalname-capture']) {
      expect(kinds).toContain(expected);
    }
  });
});
