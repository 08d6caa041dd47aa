// Publishing Services and Pods when first asked (deferred-owners.ts) must answer exactly what publishing
// everything before readiness answers: the same rcode and the same records for every name, asked in any
// order, before and after changes, and through the answer cache. Each test runs a seeded random cluster
// through two stores, one of each kind, and compares.
import { describe, expect, it } from 'vitest';
import { ClusterStore } from '../../../src/cluster/cluster-store.js';
import type { ClusterEvent, ClusterObject, EndpointInfo, EndpointSliceInfo, PodInfo, ServiceInfo } from '../../../src/cluster/objects.js';
import { REVERSE_ZONES } from '../../../src/cluster/record-builder.js';
import { AnswerCache } from '../../../src/records/answer-cache.js';
import { RecordIndex } from '../../../src/records/record-index.js';
import { RRType, type ResourceRecord } from '../../../src/wire/types.js';
import { seededRandom, type Random } from '../../helpers/seeded-random.js';
import { replay, show } from '../records/helpers.js';

const ZONES = ['cluster.local', 'example.internal'];
const QTYPES = [RRType.A, RRType.AAAA, RRType.SRV, RRType.PTR, RRType.CNAME, RRType.TXT, RRType.NS, RRType.SOA, RRType.ANY];

interface Served {
  index: RecordIndex;
  store: ClusterStore;
  cache: AnswerCache;
  /** Every name any owner published (records or declared names), as the eager index got them. */
  names: Set<string>;
}

function serve(publishOnFirstAsk: boolean, objects: ClusterObject[]): Served {
  const index = new RecordIndex({ zones: [...ZONES, ...REVERSE_ZONES], ttl: 5, now: () => 1000 });
  const names = new Set<string>();
  const setOwner = index.setOwner.bind(index);
  index.setOwner = (owner: string, records: ResourceRecord[], declared: string[] = []) => {
    for (const record of records) names.add(record.name);
    for (const name of declared) names.add(name);
    setOwner(owner, records, declared);
  };
  const store = new ClusterStore({ index, zones: ZONES, ttl: 5, pods: 'verified', publishOnFirstAsk, sliceOwnersAbove: 8 });
  // As the manifest source and the reflector load a first state: in batches, then synced.
  for (let at = 0; at < objects.length; at += 7) store.apply(objects.slice(at, at + 7).map((object) => ({ type: 'upsert', object })));
  store.markSynced();
  return { index, store, cache: new AnswerCache(index), names };
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

const octet = (random: Random): number => 1 + Math.floor(random() * 3);

function ipv4(random: Random, net: string): string {
  return `${net}.${octet(random)}.${octet(random)}`;
}

function ipv6(random: Random): string {
  return `fd00:10::${octet(random).toString(16)}:${octet(random).toString(16)}`;
}

/** Small address pools, so that Services and Pods share addresses (shared PTR names, several pods per IP). */
function randomCluster(random: Random): ClusterObject[] {
  const objects: ClusterObject[] = [];
  const namespaces = ['default', 'shop', 'kube-system', 'lonely'];
  for (const ns of namespaces.slice(0, 3)) objects.push({ kind: 'Namespace', name: ns });
  objects.push({ kind: 'Service', namespace: 'kube-system', name: 'kube-dns', type: 'ClusterIP', headless: false, clusterIPs: ['10.96.0.10'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }], publishNotReadyAddresses: false });
  for (let i = 0; i < 40; i++) {
    const namespace = pick(random, namespaces);
    const name = `svc-${i}`;
    const roll = random();
    const ports = random() < 0.8 ? [{ name: pick(random, ['http', 'grpc', 'metrics']), port: 80 + i, protocol: pick(random, ['TCP', 'UDP'] as const) }] : [];
    const headless = roll < 0.35;
    const external = roll > 0.9;
    const clusterIPs = headless || external ? [] : random() < 0.3 ? [ipv4(random, '10.96'), ipv6(random)] : [ipv4(random, '10.96')];
    const service: ServiceInfo = {
      kind: 'Service',
      namespace,
      name,
      type: external ? 'ExternalName' : 'ClusterIP',
      headless,
      clusterIPs,
      ports,
      publishNotReadyAddresses: random() < 0.1,
      ...(external ? { externalName: random() < 0.5 ? `svc-${i + 1}.${namespace}.svc.cluster.local` : 'db.example.com' } : {}),
    };
    objects.push(service);
    const sliceCount = external ? 0 : Math.floor(random() * 3);
    for (let s = 0; s < sliceCount; s++) {
      const endpoints: EndpointInfo[] = [];
      // Some Services get past sliceOwnersAbove (8), so their records are published per slice.
      const count = random() < 0.2 ? 6 + Math.floor(random() * 6) : 1 + Math.floor(random() * 3);
      for (let e = 0; e < count; e++) {
        const endpoint: EndpointInfo = { addresses: [ipv4(random, '10.244')], ready: random() < 0.8 };
        if (random() < 0.5) endpoint.hostname = `${name}-${e}`;
        endpoints.push(endpoint);
      }
      const slice: EndpointSliceInfo = {
        kind: 'EndpointSlice',
        namespace,
        name: `${name}-${s}`,
        serviceName: name,
        addressType: 'IPv4',
        endpoints,
        ports: ports.map((p) => ({ name: p.name, port: 8000 + p.port, protocol: p.protocol })),
      };
      objects.push(slice);
    }
  }
  for (let i = 0; i < 30; i++) {
    const pod: PodInfo = {
      kind: 'Pod',
      namespace: pick(random, namespaces),
      name: `pod-${i}`,
      ips: random() < 0.2 ? [ipv4(random, '10.244'), ipv6(random)] : [ipv4(random, '10.244')],
      phase: random() < 0.85 ? 'Running' : 'Pending',
    };
    objects.push(pod);
  }
  // Shuffled: slices before their Services, Pods before their Namespace, as a snapshot may list them.
  for (let i = objects.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [objects[i], objects[j]] = [objects[j], objects[i]];
  }
  return objects;
}

/** Every published name, each of its ancestors, and names near them that exist nowhere. */
function namesToAsk(published: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const name of published) {
    for (let at = name; at !== ''; at = at.includes('.') ? at.slice(at.indexOf('.') + 1) : '') out.add(at);
    out.add(`nope.${name}`);
  }
  for (const zone of ZONES) out.add(`svc-99.default.svc.${zone}`).add(`10-244-9-9.default.pod.${zone}`).add(`1-2-3-4.lonely.pod.${zone}`);
  out.add('9.9.96.10.in-addr.arpa').add('7.in-addr.arpa').add('x.10.in-addr.arpa').add('010.in-addr.arpa').add('0.0.d.f.ip6.arpa').add('f.ip6.arpa');
  return [...out];
}

/** A lookup as comparable text: RRset order is not part of an answer (RFC 2181 5), so records are sorted. */
function answerOf(index: RecordIndex, name: string, qtype: number): string {
  const [head, ...records] = show(index.lookup(name, qtype));
  return [head, ...records.sort()].join('\n');
}

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Random changes of the kinds a watch delivers, to objects asked about and not. */
function randomChanges(random: Random, store: ClusterStore): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  const services = [...store.allServices()];
  const slices = [...store.allSlices()];
  for (let i = 0; i < 6; i++) {
    const roll = random();
    if (roll < 0.25 && services.length > 0) {
      const service = pick(random, services);
      events.push({ type: 'delete', kind: 'Service', namespace: service.namespace, name: service.name });
    } else if (roll < 0.5 && services.length > 0) {
      const service = pick(random, services);
      const clusterIPs = service.headless || service.type === 'ExternalName' ? [] : [ipv4(random, '10.96')];
      events.push({ type: 'upsert', object: { ...service, clusterIPs } });
    } else if (roll < 0.75 && slices.length > 0) {
      const slice = pick(random, slices);
      events.push({ type: 'upsert', object: { ...slice, endpoints: slice.endpoints.map((e) => ({ ...e, ready: random() < 0.5 })) } });
    } else if (roll < 0.85 && slices.length > 0) {
      const slice = pick(random, slices);
      events.push({ type: 'delete', kind: 'EndpointSlice', namespace: slice.namespace, name: slice.name });
    } else {
      events.push({ type: 'delete', kind: 'Pod', namespace: pick(random, ['default', 'shop', 'kube-system', 'lonely']), name: `pod-${Math.floor(random() * 30)}` });
    }
  }
  return events;
}

describe('Services and Pods published when first asked', () => {
  it('leaves the deferred Services and Pods out of the index until asked, then answers as the eager index', () => {
    const objects = randomCluster(seededRandom(7));
    const eager = serve(false, objects);
    const lazy = serve(true, objects);
    expect(lazy.names.size).toBeLessThan(eager.names.size / 3);
    const name = [...eager.names].find((n) => n.startsWith('_'))!;
    expect(lazy.names.has(name)).toBe(false);
    expect(answerOf(lazy.index, name, RRType.SRV)).toBe(answerOf(eager.index, name, RRType.SRV));
    expect(lazy.names.has(name)).toBe(true);
  });

  it('answers reverse names as the eager index while the deferred Services’ addresses are only partly indexed', () => {
    const objects: ClusterObject[] = [{ kind: 'Namespace', name: 'default' }];
    for (let i = 0; i < 150; i++) {
      objects.push({ kind: 'Service', namespace: 'default', name: `s${i}`, type: 'ClusterIP', headless: false, clusterIPs: [`10.96.${Math.floor(i / 100)}.${i % 100}`], ports: [], publishNotReadyAddresses: false });
    }
    const eager = serve(false, objects);
    const lazy = serve(true, objects);
    expect(lazy.store.indexDeferredAddresses(() => false)).toBe(false); // one step: the first 64 Services
    for (const name of ['49.1.96.10.in-addr.arpa', '1.96.10.in-addr.arpa', '99.0.96.10.in-addr.arpa', '2.96.10.in-addr.arpa', '96.10.in-addr.arpa']) {
      for (const qtype of [RRType.PTR, RRType.A]) expect(`${name} ${qtype}\n${answerOf(lazy.index, name, qtype)}`).toBe(`${name} ${qtype}\n${answerOf(eager.index, name, qtype)}`);
    }
    expect(lazy.store.indexDeferredAddresses(() => false)).toBe(true); // the reverse names completed it
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`answers every name and type as the eager index, asked in a random order (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const objects = randomCluster(random);
      const eager = serve(false, objects);
      const lazy = serve(true, objects);
      const names = namesToAsk(eager.names);
      for (const name of shuffled(random, names)) {
        for (const qtype of shuffled(random, QTYPES)) expect(`${name} ${qtype}\n${answerOf(lazy.index, name, qtype)}`).toBe(`${name} ${qtype}\n${answerOf(eager.index, name, qtype)}`);
      }
      expect(lazy.index.serial(ZONES[0])).toBe(eager.index.serial(ZONES[0]));
    });

    it(`keeps answering as the eager index, and its answer cache stays exact, through watch changes (seed ${seed})`, () => {
      const random = seededRandom(100 + seed);
      const objects = randomCluster(random);
      const eager = serve(false, objects);
      const lazy = serve(true, objects);
      const names = namesToAsk(eager.names);
      for (let round = 0; round < 5; round++) {
        // Ask (and cache) part of the names before each change: the rest stay deferred.
        for (const name of shuffled(random, names).slice(0, names.length / 4)) {
          for (const qtype of [RRType.A, RRType.SRV, RRType.PTR]) lazy.cache.get(name, qtype);
        }
        const events = randomChanges(random, eager.store);
        eager.store.apply(events);
        lazy.store.apply(events);
        for (const name of names) {
          for (const qtype of [RRType.A, RRType.AAAA, RRType.SRV, RRType.PTR]) {
            const cached = lazy.cache.get(name, qtype);
            const fresh = new AnswerCache(eager.index).get(name, qtype);
            const text = (c: typeof cached) => (c === null ? 'null' : JSON.stringify(((r) => ({ ...r, answer: r.answer.sort(), additional: r.additional.sort() }))(replay(name, qtype, c))));
            expect(`${name} ${qtype} round ${round}: ${text(cached)}`).toBe(`${name} ${qtype} round ${round}: ${text(fresh)}`);
          }
        }
      }
    });
  }
});
