// A cluster snapshot as `kubectl get svc -A -o yaml` (or `-o json`) prints it (a `kind: List` with every
// Service's metadata, spec and status in kubectl's field order), for tests of big manifests. Deterministic:
// the same count gives the same bytes. 20,000 Services make 8.3 MB of YAML.

/** The ClusterIP of the i-th Service: 10.96.0.0/12, skipping .0 and the kube-dns address 10.96.0.10. */
export function snapshotServiceIp(i: number): string {
  const n = i + 16;
  return `10.${96 + (n >>> 16)}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The i-th Service's name and namespace (50 Services a namespace). */
export function snapshotService(i: number): { name: string; namespace: string } {
  return { name: `svc-${i}`, namespace: `team-${Math.floor(i / 50)}` };
}

export function kubectlServicesYaml(count: number): string {
  const lines = ['apiVersion: v1', 'items:'];
  for (let i = 0; i < count; i++) lines.push(serviceYaml(i));
  lines.push('kind: List', 'metadata:', '  resourceVersion: ""', '');
  return lines.join('\n');
}

/** The same Services as kubectlServicesYaml, as `kubectl get svc -A -o json` prints them (4-space indent). */
export function kubectlServicesJson(count: number): string {
  const items = Array.from({ length: count }, (_, i) => serviceObject(i));
  return `${JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, 4)}\n`;
}

function uidOf(i: number): string {
  return `${(0x10000000 + i).toString(16)}-7c1e-4d2a-9b3f-${(0x100000000000 + i).toString(16)}`;
}

function serviceObject(i: number): object {
  const { name, namespace } = snapshotService(i);
  const ip = snapshotServiceIp(i);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { creationTimestamp: '2026-11-02T09:14:07Z', name, namespace, resourceVersion: `${100000 + i}`, uid: uidOf(i) },
    spec: { clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], type: 'ClusterIP' },
    status: { loadBalancer: {} },
  };
}

function serviceYaml(i: number): string {
  const { name, namespace } = snapshotService(i);
  const ip = snapshotServiceIp(i);
  const uid = uidOf(i);
  return [
    '- apiVersion: v1',
    '  kind: Service',
    '  metadata:',
    '    creationTimestamp: "2026-11-02T09:14:07Z"',
    `    name: ${name}`,
    `    namespace: ${namespace}`,
    `    resourceVersion: "${100000 + i}"`,
    `    uid: ${uid}`,
    '  spec:',
    `    clusterIP: ${ip}`,
    '    clusterIPs:',
    `    - ${ip}`,
    '    ports:',
    '    - name: http',
    '      port: 80',
    '      protocol: TCP',
    '      targetPort: 8080',
    '    type: ClusterIP',
    '  status:',
    '    loadBalancer: {}',
  ].join('\n');
}
