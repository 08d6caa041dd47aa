import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDnsServer, type ClusterDnsServer } from '../../src/cluster-dns.js';
import { ErrorCodes } from '../../src/errors.js';
import type { ServiceInfo } from '../../src/cluster/objects.js';
import { decodeMessage } from '../../src/wire/message.js';
import { formatRecord } from '../../src/wire/presentation.js';
import { RCode, RRType } from '../../src/wire/types.js';
import { TcpClient, frame, queryBytes, udpExchange, udpQuery } from '../helpers/raw-query.js';

const example = new URL('../../examples/cluster.yaml', import.meta.url).pathname;

describe('startClusterDnsServer over the bundled example', () => {
  let dns: ClusterDnsServer;
  beforeAll(async () => {
    dns = await startClusterDnsServer({ manifest: example });
  });
  afterAll(async () => {
    await dns.close();
  });

  it('listens on a free port of 127.0.0.1 and reports it', () => {
    expect(dns.address.host).toBe('127.0.0.1');
    expect(dns.address.port).toBeGreaterThan(0);
    expect(dns.server).toBe(`127.0.0.1:${dns.address.port}`);
  });

  const cases: Array<[string, number, number, string[]]> = [
    ['hello.default.svc.cluster.local', RRType.A, RCode.NOERROR, ['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']],
    ['kubernetes.default.svc.cluster.local', RRType.A, RCode.NOERROR, ['kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1']],
    ['nginx.default.svc.cluster.local', RRType.A, RCode.NOERROR, ['nginx.default.svc.cluster.local. 5 IN A 10.244.1.10', 'nginx.default.svc.cluster.local. 5 IN A 10.244.1.11']],
    ['nginx-2.nginx.default.svc.cluster.local', RRType.A, RCode.NXDOMAIN, []],
    ['database-service.default.svc.cluster.local', RRType.A, RCode.NOERROR, ['database-service.default.svc.cluster.local. 5 IN CNAME my.database.example.com.']],
    ['dual.default.svc.cluster.local', RRType.AAAA, RCode.NOERROR, ['dual.default.svc.cluster.local. 5 IN AAAA fd00:10:96::30']],
    ['hello.default.svc.cluster.local', RRType.AAAA, RCode.NOERROR, []],
    ['default.svc.cluster.local', RRType.A, RCode.NOERROR, []],
    ['missing.svc.cluster.local', RRType.A, RCode.NXDOMAIN, []],
    ['20.0.96.10.in-addr.arpa', RRType.PTR, RCode.NOERROR, ['20.0.96.10.in-addr.arpa. 5 IN PTR hello.default.svc.cluster.local.']],
  ];
  it.each(cases)('UDP %s type %i', async (name, type, rcode, answer) => {
    const reply = await udpQuery(dns.address.port, name, type);
    expect(reply.rcode).toBe(rcode);
    expect(reply.aa).toBe(true);
    expect(reply.answers.map(formatRecord)).toEqual(answer);
    if (answer.length === 0) expect(reply.authorities.map((r) => r.type)).toEqual([RRType.SOA]);
  });

  it('answers the same over TCP', async () => {
    const client = await TcpClient.connect(dns.address.port);
    client.socket.write(frame(queryBytes('_http._tcp.hello.default.svc.cluster.local', RRType.SRV)));
    const [reply] = await client.waitFor(1);
    expect(reply.answers.map(formatRecord)).toEqual(['_http._tcp.hello.default.svc.cluster.local. 5 IN SRV 0 100 80 hello.default.svc.cluster.local.']);
    expect(reply.additionals.map(formatRecord)).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    client.destroy();
  });

  it('answers three pipelined queries of one TCP write, then more on the same connection', async () => {
    const client = await TcpClient.connect(dns.address.port);
    const names = ['hello.default.svc.cluster.local', 'nginx-0.nginx.default.svc.cluster.local', 'example.com'];
    client.socket.write(Buffer.concat(names.map((name) => frame(queryBytes(name, RRType.A)))));
    const replies = await client.waitFor(3);
    expect(Object.fromEntries(replies.map((r) => [r.questions[0].name, [r.rcode, r.answers.map((a) => a.data)]]))).toEqual({
      'hello.default.svc.cluster.local': [RCode.NOERROR, ['10.96.0.20']],
      'nginx-0.nginx.default.svc.cluster.local': [RCode.NOERROR, ['10.244.1.10']],
      'example.com': [RCode.REFUSED, []],
    });
    client.socket.write(frame(queryBytes('kubernetes.default.svc.cluster.local', RRType.A)));
    expect((await client.waitFor(4))[3].answers.map((a) => a.data)).toEqual(['10.96.0.1']);
    client.destroy();
  });

  it('counts what it served', async () => {
    const before = dns.stats.requests.udp;
    await udpQuery(dns.address.port, 'hello.default.svc.cluster.local', RRType.A);
    expect(dns.stats.requests.udp).toBe(before + 1);
    expect(dns.stats.responses[RCode.NOERROR]).toBeGreaterThan(0);
    expect(dns.stats.panics).toBe(0);
  });

  it('follows changes applied to the store, without a restart', async () => {
    const name = 'applied.default.svc.cluster.local';
    expect((await udpQuery(dns.address.port, name, RRType.A)).rcode).toBe(RCode.NXDOMAIN);
    const service: ServiceInfo = {
      kind: 'Service',
      namespace: 'default',
      name: 'applied',
      type: 'ClusterIP',
      headless: false,
      clusterIPs: ['10.96.0.77'],
      ports: [],
      publishNotReadyAddresses: false,
    };
    dns.store.apply([{ type: 'upsert', object: service }]);
    expect((await udpQuery(dns.address.port, name, RRType.A)).answers.map((a) => a.data)).toEqual(['10.96.0.77']);
    dns.store.apply([{ type: 'delete', kind: 'Service', namespace: 'default', name: 'applied' }]);
    expect((await udpQuery(dns.address.port, name, RRType.A)).rcode).toBe(RCode.NXDOMAIN);
  });

  it('refuses names outside its zones and zone transfers', async () => {
    expect((await udpQuery(dns.address.port, 'example.com', RRType.A)).rcode).toBe(RCode.REFUSED);
    const client = await TcpClient.connect(dns.address.port);
    client.socket.write(frame(queryBytes('cluster.local', RRType.AXFR)));
    expect((await client.waitFor(1))[0].rcode).toBe(RCode.REFUSED);
    client.destroy();
  });

  it('echoes EDNS and the client letter case', async () => {
    const packet = queryBytes('HeLLo.Default.SVC.cluster.local', RRType.A, { edns: { udpSize: 4096, version: 0, dnssecOk: false, options: [] } } as never);
    const reply = decodeMessage((await udpExchange(dns.address.port, packet))!);
    expect(reply.edns).not.toBeNull();
    expect(reply.questions[0].name).toBe('HeLLo.Default.SVC.cluster.local');
    expect(reply.answers[0].name).toBe('HeLLo.Default.SVC.cluster.local');
  });
});

describe('truncation', () => {
  it('sets TC over UDP for a large headless answer and gives it whole over TCP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterdns-tc-'));
    const addresses = Array.from({ length: 60 }, (_, i) => `10.244.7.${i + 1}`);
    const manifest = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'big', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'web', port: 80 }] } },
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'big-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'big' } },
          addressType: 'IPv4',
          ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
          endpoints: addresses.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
        },
      ],
    };
    const file = join(dir, 'big.json');
    writeFileSync(file, JSON.stringify(manifest));
    await using dns = await startClusterDnsServer({ manifest: file });
    const udp = await udpQuery(dns.address.port, 'big.default.svc.cluster.local', RRType.A);
    expect(udp.tc).toBe(true);
    expect(udp.answers.length).toBeLessThan(60);
    const client = await TcpClient.connect(dns.address.port);
    client.socket.write(frame(queryBytes('big.default.svc.cluster.local', RRType.A)));
    const [tcp] = await client.waitFor(1);
    expect(tcp.tc).toBe(false);
    expect(tcp.answers.map((r) => r.data).sort()).toEqual([...addresses].sort());
    client.destroy();
    // With EDNS the client's larger buffer is used (≈ 1 kB fits in 4096, capped at 1232): all of it over UDP.
    const edns = queryBytes('big.default.svc.cluster.local', RRType.A, { edns: { udpSize: 4096, version: 0, dnssecOk: false, options: [] } } as never);
    const raw = (await udpExchange(dns.address.port, edns))!;
    expect(raw.length).toBeGreaterThan(512);
    expect(raw.length).toBeLessThanOrEqual(1232);
    const full = decodeMessage(raw);
    expect(full.tc).toBe(false);
    expect(full.edns).not.toBeNull();
    expect(full.answers).toHaveLength(60);
  });
});

describe('start-up failures', () => {
  it('rejects with the file and line of a broken manifest, and releases the port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterdns-bad-'));
    const file = join(dir, 'bad.yaml');
    copyFileSync(example, file);
    writeFileSync(file, 'apiVersion: v1\nkind: List\nitems:\n  - kind: Service\n    metadata: [unclosed\n');
    await expect(startClusterDnsServer({ manifest: file })).rejects.toMatchObject({
      code: ErrorCodes.MANIFEST_PARSE,
      message: expect.stringMatching(new RegExp(`${file}:\\d+`)),
    });
  });
});
