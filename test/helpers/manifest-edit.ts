// The e2e tests' manifest edit: a ClusterIP Service `added.default` (10.96.0.99) inserted at the top of a
// `kind: List` file's items, written in place as a user's editor would.
import { readFileSync, writeFileSync } from 'node:fs';

export const ADDED_SERVICE = 'added.default.svc.cluster.local';
export const ADDED_SERVICE_IP = '10.96.0.99';

export function addServiceToManifest(manifest: string): void {
  const added = [
    '- apiVersion: v1',
    '  kind: Service',
    '  metadata:',
    '    name: added',
    '    namespace: default',
    '  spec:',
    `    clusterIP: ${ADDED_SERVICE_IP}`,
    `    clusterIPs: [${ADDED_SERVICE_IP}]`,
    '    ports:',
    '    - {name: http, port: 80, protocol: TCP}',
  ];
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/\nitems:\n/, `\nitems:\n${added.join('\n')}\n`));
}
