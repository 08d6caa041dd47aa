#!/usr/bin/env node
// Deterministic synthetic cluster for the benchmark (issue 6).
//
// N services over M namespaces: 90 % ClusterIP with one named TCP port, 10 % headless with 3–5 ready
// endpoints (hostnames, StatefulSet style) and a Running pod per endpoint; plus kube-system/kube-dns
// (10.96.0.10), whose cluster IP answers for ns.dns.<zone>. Same seed → byte-identical output.
//
// Writes (into --out DIR):
//   cluster.json   a `kind: List` snapshot that `clusterdns serve --manifest` loads (JSON: fast at 100k)
//   cluster.zone   an RFC 1035 master file of the same forward records for Knot and NSD
//   names.json     what the query generator needs (service names, namespaces, kinds)
//
// The zone holds what clusterdns publishes in the cluster zone (record-builder.ts): apex SOA/NS,
// ns.dns A, dns-version TXT, per ClusterIP service A + SRV _<port>._tcp + SRV on the bare name, per headless
// service A per endpoint + SRV per endpoint + endpoint-name A and SRV, and pod A records
// (<dashed-ip>.<ns>.pod.<zone>, pods "verified"). PTR records (reverse zones) are not part of it: the
// benchmark never asks for them.
//
// Usage: node bench/generate-cluster.mjs --services 10000 [--namespaces 100] [--seed 1] [--out DIR]
//        [--format json|yaml] [--zone cluster.local]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** mulberry32: a small, fast, seedable PRNG (same sequence on every platform). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['api', 'web', 'auth', 'cart', 'db', 'cache', 'queue', 'search', 'users', 'orders', 'billing', 'mail',
  'media', 'feed', 'gateway', 'ledger', 'report', 'notify', 'inventory', 'catalog', 'session', 'metrics', 'log', 'store'];
const PORTS = [
  { name: 'http', port: 80 },
  { name: 'https', port: 443 },
  { name: 'grpc', port: 9090 },
  { name: 'http-metrics', port: 8080 },
  { name: 'redis', port: 6379 },
  { name: 'postgres', port: 5432 },
];

/** n-th address of a /12-ish block starting at base (a.b.0.0) as dotted quad. */
function ipAt(baseA, baseB, n) {
  const b = baseB + (n >>> 16);
  return `${baseA}.${b}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * Build the cluster model. Returns { services, namespaces, objects, zone } where services are plain
 * descriptions used by the zone writer and the query generator.
 */
export function generateCluster({ services = 10000, namespaces, seed = 1, zone = 'cluster.local' } = {}) {
  const nsCount = namespaces ?? Math.max(1, Math.min(1000, Math.round(services / 100)));
  const rand = prng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const nsNames = [];
  for (let i = 0; i < nsCount; i++) nsNames.push(`ns-${i}-${pick(WORDS)}`);

  const svcs = [];
  let clusterIpIndex = 100; // 10.96.0.100 onwards (10.96.0.10 is kube-dns)
  let podIpIndex = 10;
  for (let i = 0; i < services; i++) {
    const namespace = nsNames[Math.floor(rand() * nsCount)];
    const name = `${pick(WORDS)}-${i}`;
    const port = pick(PORTS);
    const headless = rand() < 0.1;
    if (headless) {
      const n = 3 + Math.floor(rand() * 3); // 3..5
      const endpoints = [];
      for (let k = 0; k < n; k++) endpoints.push({ hostname: `${name}-${k}`, ip: ipAt(10, 128, podIpIndex++) });
      svcs.push({ namespace, name, headless: true, port, endpoints });
    } else {
      svcs.push({ namespace, name, headless: false, port, clusterIP: ipAt(10, 96, clusterIpIndex++) });
    }
  }
  return { zone, namespaces: nsNames, services: svcs };
}

const TS = '2025-01-15T09:10:41Z';

/** The cluster as Kubernetes objects in a `kind: List` (what kubectl -o json prints, trimmed). */
export function toKubernetesList(cluster) {
  const items = [];
  let uid = 0;
  const meta = (name, namespace, extra = {}) => ({
    name,
    ...(namespace ? { namespace } : {}),
    uid: `00000000-0000-4000-8000-${(++uid).toString(16).padStart(12, '0')}`,
    resourceVersion: String(uid),
    creationTimestamp: TS,
    ...extra,
  });
  for (const ns of ['kube-system', ...cluster.namespaces]) {
    items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns, undefined, { labels: { 'kubernetes.io/metadata.name': ns } }), status: { phase: 'Active' } });
  }
  const service = (s) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(s.name, s.namespace),
    spec: {
      type: 'ClusterIP',
      clusterIP: s.headless ? 'None' : s.clusterIP,
      clusterIPs: [s.headless ? 'None' : s.clusterIP],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: s.ports ?? [{ name: s.port.name, port: s.port.port, protocol: 'TCP', targetPort: s.port.port }],
      selector: { app: s.name },
    },
  });
  items.push(service({
    namespace: 'kube-system', name: 'kube-dns', headless: false, clusterIP: '10.96.0.10',
    ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }],
  }));
  for (const s of cluster.services) items.push(service(s));
  for (const s of cluster.services) {
    if (!s.headless) continue;
    items.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: meta(`${s.name}-abcde`, s.namespace, { labels: { 'kubernetes.io/service-name': s.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } }),
      addressType: 'IPv4',
      endpoints: s.endpoints.map((e) => ({
        addresses: [e.ip],
        conditions: { ready: true, serving: true, terminating: false },
        hostname: e.hostname,
        targetRef: { kind: 'Pod', name: e.hostname, namespace: s.namespace },
      })),
      ports: [{ name: s.port.name, port: s.port.port, protocol: 'TCP' }],
    });
    for (const e of s.endpoints) {
      items.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta(e.hostname, s.namespace, { labels: { app: s.name } }),
        spec: { hostname: e.hostname, subdomain: s.name },
        status: { phase: 'Running', podIP: e.ip, podIPs: [{ ip: e.ip }] },
      });
    }
  }
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
}

/** Minimal YAML for the List (block style, every scalar JSON-quoted: valid YAML 1.2). */
export function toYaml(value, indent = '') {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return value.map((v) => {
      const inner = toYaml(v, `${indent}  `);
      return isScalar(v) ? `${indent}- ${inner}` : `${indent}-${inner.startsWith('\n') ? inner : ` ${inner.trimStart()}`}`;
    }).join('\n');
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return '{}';
    return keys.map((k, i) => {
      const v = value[k];
      const prefix = i === 0 ? indent : indent;
      if (isScalar(v) || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && Object.keys(v).length === 0)) return `${prefix}${k}: ${toYaml(v)}`;
      return `${prefix}${k}:\n${toYaml(v, `${indent}  `)}`;
    }).join('\n');
  }
  return JSON.stringify(value);
}
function isScalar(v) {
  return v === null || typeof v !== 'object';
}

const SOA_SERIAL = 1;

/** RFC 1035 master file of the cluster zone with the records clusterdns serves for it. */
export function toZoneFile(cluster, ttl = 5) {
  const z = cluster.zone;
  const lines = [
    `; clusterdns benchmark zone: ${cluster.services.length} services over ${cluster.namespaces.length} namespaces`,
    `$ORIGIN ${z}.`,
    `$TTL ${ttl}`,
    `@ ${ttl} IN SOA ns.dns.${z}. hostmaster.${z}. ${SOA_SERIAL} 7200 1800 86400 ${ttl}`,
    `@ ${ttl} IN NS ns.dns.${z}.`,
    `ns.dns ${ttl} IN A 10.96.0.10`,
    `dns-version 28800 IN TXT "1.1.0"`,
    // kube-system/kube-dns
    `kube-dns.kube-system.svc ${ttl} IN A 10.96.0.10`,
    `_dns._udp.kube-dns.kube-system.svc ${ttl} IN SRV 0 100 53 kube-dns.kube-system.svc.${z}.`,
    `_dns-tcp._tcp.kube-dns.kube-system.svc ${ttl} IN SRV 0 100 53 kube-dns.kube-system.svc.${z}.`,
    `kube-dns.kube-system.svc ${ttl} IN SRV 0 50 53 kube-dns.kube-system.svc.${z}.`,
  ];
  for (const s of cluster.services) {
    const owner = `${s.name}.${s.namespace}.svc`;
    const srvOwner = `_${s.port.name}._tcp.${owner}`;
    if (!s.headless) {
      lines.push(`${owner} ${ttl} IN A ${s.clusterIP}`);
      lines.push(`${srvOwner} ${ttl} IN SRV 0 100 ${s.port.port} ${owner}.${z}.`);
      lines.push(`${owner} ${ttl} IN SRV 0 100 ${s.port.port} ${owner}.${z}.`);
      continue;
    }
    const n = s.endpoints.length;
    const weight = Math.max(1, Math.floor(100 / n));
    for (const e of s.endpoints) lines.push(`${owner} ${ttl} IN A ${e.ip}`);
    for (const e of s.endpoints) lines.push(`${srvOwner} ${ttl} IN SRV 0 ${weight} ${s.port.port} ${e.hostname}.${owner}.${z}.`);
    for (const e of s.endpoints) lines.push(`${owner} ${ttl} IN SRV 0 ${weight} ${s.port.port} ${e.hostname}.${owner}.${z}.`);
    for (const e of s.endpoints) {
      lines.push(`${e.hostname}.${owner} ${ttl} IN A ${e.ip}`);
      lines.push(`${e.hostname}.${owner} ${ttl} IN SRV 0 100 ${s.port.port} ${e.hostname}.${owner}.${z}.`);
      lines.push(`${e.ip.replaceAll('.', '-')}.${s.namespace}.pod ${ttl} IN A ${e.ip}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** What the query generator needs, compact. */
export function toNames(cluster) {
  return {
    zone: cluster.zone,
    namespaces: cluster.namespaces,
    services: cluster.services.map((s) => [s.name, s.namespace, s.port.name, s.headless ? 1 : 0]),
  };
}

/** Generate and write everything into `out`; returns the file paths and counts. */
export function writeCluster({ services, namespaces, seed = 1, zone = 'cluster.local', out, format = 'json' }) {
  const cluster = generateCluster({ services, namespaces, seed, zone });
  mkdirSync(out, { recursive: true });
  const list = toKubernetesList(cluster);
  const manifest = join(out, format === 'yaml' ? 'cluster.yaml' : 'cluster.json');
  writeFileSync(manifest, format === 'yaml' ? `${toYaml(list)}\n` : JSON.stringify(list));
  const zoneFile = join(out, 'cluster.zone');
  writeFileSync(zoneFile, toZoneFile(cluster));
  const namesFile = join(out, 'names.json');
  writeFileSync(namesFile, JSON.stringify(toNames(cluster)));
  return { manifest, zoneFile, namesFile, cluster, objects: list.items.length };
}

function parseCli(argv) {
  const opts = { services: 10000, seed: 1, zone: 'cluster.local', out: 'bench/results/cluster', format: 'json' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--services') opts.services = Number(value);
    else if (flag === '--namespaces') opts.namespaces = Number(value);
    else if (flag === '--seed') opts.seed = Number(value);
    else if (flag === '--zone') opts.zone = value;
    else if (flag === '--out') opts.out = value;
    else if (flag === '--format') opts.format = value;
    else throw new Error(`unknown flag ${flag}`);
    i++;
  }
  return opts;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = parseCli(process.argv.slice(2));
  const result = writeCluster(opts);
  process.stdout.write(`${result.manifest} (${result.objects} objects), ${result.zoneFile}, ${result.namesFile}\n`);
}
