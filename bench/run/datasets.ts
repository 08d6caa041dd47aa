// One cluster size's inputs: the synthetic cluster (snapshot for clusterdns, zone file for Knot and NSD),
// the hits and storm query files, the cross-check questions, and the forwarded zone for clusterdns-cache.
// Deterministic: seed 1 for the cluster, 7 / 11 / 13 for the query files.
import { join } from 'node:path';
import { writeForwardZone } from './forward-zone.js';
import { RESULTS_DIR } from './paths.js';
import { HITS_MIX, writeCluster, writeQueries } from './script-modules.js';
import type { Dataset, Question } from './types.js';

export function prepareDataset(size: number, forwardNames: number, log: (line: string) => void): Dataset {
  const dir = join(RESULTS_DIR, `cluster-${size}`);
  const t0 = performance.now();
  const g = writeCluster({ services: size, seed: 1, out: dir });
  const queryCount = Math.max(20000, Math.min(200000, size * 10));
  const q = writeQueries({ names: join(dir, 'names.json'), out: dir, count: queryCount });
  const forward = writeForwardZone(dir, forwardNames, Math.max(20000, forwardNames * 4));
  const svc = g.cluster.services;
  const clusterIp = svc.find((s) => !s.headless);
  const headless = svc.find((s) => s.headless);
  if (!clusterIp?.clusterIP || !headless?.endpoints?.[0]) throw new Error(`the ${size}-service cluster has no ClusterIP or no headless service`);
  const z = g.cluster.zone;
  const endpoint = headless.endpoints[0];
  const checks: Question[] = [
    [`${clusterIp.name}.${clusterIp.namespace}.svc.${z}`, 'A'],
    [`_${clusterIp.port.name}._tcp.${clusterIp.name}.${clusterIp.namespace}.svc.${z}`, 'SRV'],
    [`${clusterIp.name}.${clusterIp.namespace}.svc.${z}`, 'AAAA'],
    [`${headless.name}.${headless.namespace}.svc.${z}`, 'A'],
    [`_${headless.port.name}._tcp.${headless.name}.${headless.namespace}.svc.${z}`, 'SRV'],
    [`${endpoint.hostname}.${headless.name}.${headless.namespace}.svc.${z}`, 'A'],
    [`${endpoint.ip.replaceAll('.', '-')}.${headless.namespace}.pod.${z}`, 'A'],
    [`nothere.${clusterIp.namespace}.svc.${z}`, 'A'],
    [`www.example.com.svc.${z}`, 'AAAA'],
  ];
  log(`size ${size}: generated ${g.objects} objects + zone + ${q.count} queries per mix in ${Math.round(performance.now() - t0)} ms (${dir})`);
  return {
    size,
    manifest: g.manifest,
    zoneFile: g.zoneFile,
    hitsFile: q.hitsFile,
    stormFile: q.stormFile,
    checkName: checks[0][0],
    checkIp: clusterIp.clusterIP,
    checks,
    hitsNx: HITS_MIX.NX,
    forward,
  };
}
