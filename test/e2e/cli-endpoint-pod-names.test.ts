// CoreDNS's kubernetes `endpoint_pod_names`, from the command line (`--endpoint-pod-names`) and from a Corefile,
// over a snapshot parsed in the CLI's parse worker, asked with real dig.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { startCli, type RunningCli } from '../helpers/spawn-cli.js';

const MANIFEST = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: { name: default }
- apiVersion: v1
  kind: Service
  metadata: { name: db, namespace: default }
  spec: { clusterIP: None, ports: [{ name: sql, port: 5432, protocol: TCP }] }
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata: { name: db-abc, namespace: default, labels: { kubernetes.io/service-name: db } }
  addressType: IPv4
  endpoints:
  - addresses: [10.244.7.1]
    targetRef: { kind: Pod, namespace: default, name: db-6c8f-k2x9p }
  - addresses: [10.244.7.2]
    hostname: primary
    targetRef: { kind: Pod, namespace: default, name: db-6c8f-q7w4z }
  ports: [{ name: sql, port: 5432, protocol: TCP }]
`;

const POD_NAME = 'db-6c8f-k2x9p.db.default.svc.cluster.local';
const DASHED = '10-244-7-1.db.default.svc.cluster.local';

describe('endpoint_pod_names', () => {
  let dir: string;
  let manifest: string;
  let cli: RunningCli | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clusterdns-pod-names-'));
    manifest = join(dir, 'cluster.yaml');
    writeFileSync(manifest, MANIFEST);
  });
  afterEach(async () => {
    await cli?.stop();
    cli = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--endpoint-pod-names: an endpoint without hostname answers by its pod name (A, SRV target, PTR); a hostname still wins', async () => {
    cli = await startCli(['--manifest', manifest, '--endpoint-pod-names']);
    expect((await dig(cli.port, POD_NAME, 'A')).answer).toEqual([`${POD_NAME}. 5 IN A 10.244.7.1`]);
    expect((await dig(cli.port, DASHED, 'A')).status).toBe('NXDOMAIN');
    expect((await dig(cli.port, 'primary.db.default.svc.cluster.local', 'A')).answer).toEqual(['primary.db.default.svc.cluster.local. 5 IN A 10.244.7.2']);
    expect((await dig(cli.port, '_sql._tcp.db.default.svc.cluster.local', 'SRV')).answer.map((line) => line.split(' ').pop()).sort()).toEqual([
      `${POD_NAME}.`,
      'primary.db.default.svc.cluster.local.',
    ]);
    expect((await dig(cli.port, '-x', '10.244.7.1')).answer).toEqual([`1.7.244.10.in-addr.arpa. 5 IN PTR ${POD_NAME}.`]);
  });

  it('without it the same endpoint answers by its dashed IP and the pod name is NXDOMAIN, as CoreDNS by default', async () => {
    cli = await startCli(['--manifest', manifest]);
    expect((await dig(cli.port, DASHED, 'A')).answer).toEqual([`${DASHED}. 5 IN A 10.244.7.1`]);
    expect((await dig(cli.port, POD_NAME, 'A')).status).toBe('NXDOMAIN');
  });

  it('the Corefile option kubernetes { endpoint_pod_names } does the same, and is not logged as "not implemented"', async () => {
    const corefile = join(dir, 'Corefile');
    writeFileSync(corefile, '.:0 {\n  kubernetes cluster.local in-addr.arpa ip6.arpa {\n    endpoint_pod_names\n  }\n}\n');
    cli = await startCli(['--conf', corefile, '--manifest', manifest]);
    expect((await dig(cli.port, POD_NAME, 'A')).answer).toEqual([`${POD_NAME}. 5 IN A 10.244.7.1`]);
    expect(cli.logs.filter((entry) => String(entry.msg).includes('not implemented'))).toEqual([]);
  });
});
